import Foundation
import XCTest
@testable import PosternIO
#if canImport(Glibc)
import Glibc
#endif

/// The pump between two socketpairs, as the relay uses it between the listener's socketpair
/// and the mail host's socket: client ⇄ [a | pump | b] ⇄ server.
final class SplicePumpTests: XCTestCase {
    private var loop: EpollLoop!
    private let pipes = PipePool()

    override func setUp() {
        // As in every role (RoleConfinement): a closed peer is an EPIPE, not a signal.
        signal(SIGPIPE, SIG_IGN)
        loop = try! EpollLoop(name: "test-pump")
    }

    /// Blocking, as the listener's socketpair end arrives in the relay: the pump must cope.
    private func streamPair() -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    private func blocking(_ fd: Int32) -> Int32 {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// From another thread: writes all of `bytes` (blocking), then closes `fd`.
    private static func writeAllThenClose(_ fd: Int32, _ bytes: [UInt8]) {
        Thread {
            writeAll(fd, bytes)
            close(fd)
        }.start()
    }

    /// Writes until done or the peer is gone (the flood tests end that way).
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private func read(_ fd: Int32, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while out.count < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, count - out.count)) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    private func start(prefix: [UInt8] = []) -> (client: Int32, server: Int32, closed: XCTestExpectation, totals: () -> SplicePump.Totals?) {
        let (client, a) = streamPair()
        let (b, server) = streamPair()
        let closed = expectation(description: "pump closed")
        let result = Box<SplicePump.Totals>()
        SplicePump(a: a, b: b, prefixForA: prefix, loop: loop, pipes: pipes).start { totals in
            result.set(totals)
            closed.fulfill()
        }
        return (blocking(client), blocking(server), closed, { result.get() })
    }

    func testBytesGoBothWaysAfterThePrefix() {
        let (client, server, closed, totals) = start(prefix: Array("a1 OK logged in\r\n".utf8))
        XCTAssertEqual(read(client, count: 17), Array("a1 OK logged in\r\n".utf8))
        Self.writeAll(client, Array("a2 NOOP\r\n".utf8))
        XCTAssertEqual(read(server, count: 9), Array("a2 NOOP\r\n".utf8))
        Self.writeAll(server, Array("a2 OK\r\n".utf8))
        XCTAssertEqual(read(client, count: 7), Array("a2 OK\r\n".utf8))
        close(client)
        wait(for: [closed], timeout: 5)
        XCTAssertEqual(totals()?.aToB, 9)
        XCTAssertEqual(totals()?.bToA, 7, "the prefix is not counted as spliced")
        // The server's side sees the end too: the pump closed b.
        XCTAssertEqual(read(server, count: 1), [])
        close(server)
    }

    func testALargeTransferArrivesWholeThroughASlowReader() {
        let (client, server, closed, totals) = start()
        let size = 8 * 1024 * 1024
        let message = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let writer = Thread {
            Self.writeAll(server, message)
            close(server)
        }
        writer.start()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < size {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += buffer[0..<n]
            if received.count % (1 << 20) < 4096 { usleep(2000) }   // now and then, fall behind
        }
        XCTAssertEqual(received.count, size)
        XCTAssertTrue(received == message, "the bytes arrived changed or out of order")
        wait(for: [closed], timeout: 10)
        XCTAssertEqual(totals()?.bToA, UInt64(size))
        XCTAssertEqual(pipes.lent, 0, "a finished pump gives back every pipe it borrowed")
        close(client)
    }

    func testThePeerClosingEndsTheOtherSide() {
        let (client, server, closed, _) = start()
        close(server)
        wait(for: [closed], timeout: 5)
        XCTAssertEqual(read(client, count: 1), [], "the client side is closed once the mail host's is")
        close(client)
    }

    func testAClientThatStopsReadingHoldsUpNoOtherSession() {
        // The mail host sends far more than the socket buffers hold; the client reads nothing.
        let stalled = start()
        let flood = [UInt8](repeating: 0x41, count: 4 * 1024 * 1024)
        let stalledServer = stalled.server
        let writer = Thread {
            Self.writeAll(stalledServer, flood)   // blocks once every buffer on the way is full
        }
        writer.start()
        usleep(200_000)
        let other = start()
        Self.writeAll(other.client, Array("a1 NOOP\r\n".utf8))
        XCTAssertEqual(read(other.server, count: 9), Array("a1 NOOP\r\n".utf8), "the loop is stuck")
        close(other.client)
        wait(for: [other.closed], timeout: 5)
        close(other.server)
        close(stalled.client)
        wait(for: [stalled.closed], timeout: 5)
        close(stalled.server)
    }

    /// How many times the loop woke, read on its own thread.
    private func wakeups() -> Int {
        let done = expectation(description: "counted")
        let count = Box<Int>()
        let loop = self.loop!
        loop.execute {
            count.set(loop.wakeups)
            done.fulfill()
        }
        wait(for: [done], timeout: 5)
        return count.get() ?? 0
    }

    func testAHangUpNobodyWaitsForDoesNotSpinTheLoop() {
        // The client uploads more than the mail host (which does not read) can take, then goes:
        // the pump waits on the mail host, and the client's hang-up must not wake it over and over.
        let (client, server, closed, _) = start()
        let upload = [UInt8](repeating: 0x42, count: 4 * 1024 * 1024)
        let writer = Thread {
            Self.writeAll(client, upload)
        }
        writer.start()
        usleep(300_000)
        shutdown(client, Int32(SHUT_RDWR))
        usleep(100_000)
        let before = wakeups()
        usleep(300_000)
        XCTAssertLessThan(wakeups() - before, 10, "the loop keeps waking for a hang-up")
        // The mail host goes too: the pump ends.
        close(server)
        wait(for: [closed], timeout: 5)
        close(client)
    }

    func testTheMailHostsLastBytesArriveAfterItsClose() {
        // A reply larger than every buffer on the way, then the close: all of it reaches the
        // client, which reads slowly.
        let (client, server, closed, totals) = start()
        let reply = (0..<(2 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        Self.writeAllThenClose(server, reply)
        usleep(200_000)
        let received = read(client, count: reply.count)
        XCTAssertEqual(received.count, reply.count)
        wait(for: [closed], timeout: 5)
        XCTAssertEqual(totals()?.bToA, UInt64(reply.count))
        close(client)
    }

    func testManyPumpsShareOneLoop() {
        var ends: [(Int32, Int32, XCTestExpectation)] = []
        for _ in 0..<50 {
            let (client, server, closed, _) = start()
            ends.append((client, server, closed))
        }
        for (index, (client, server, _)) in ends.enumerated() {
            Self.writeAll(client, Array("ping \(index)\n".utf8))
            XCTAssertEqual(read(server, count: "ping \(index)\n".utf8.count), Array("ping \(index)\n".utf8))
        }
        for (client, server, closed) in ends {
            close(client)
            wait(for: [closed], timeout: 5)
            close(server)
        }
    }
}

/// A value handed from the pump's or the loop's thread to the test's.
private final class Box<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    func get() -> Value? { lock.lock(); defer { lock.unlock() }; return value }
}
