import CPostern
import PosternCore
@testable import PosternIPC
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Real SEQPACKET socketpairs: the version exchange, descriptor passing, and a malformed peer.
final class IPCChannelTests: XCTestCase {
    private func pair() -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    func testMessagesAndADescriptorCrossAfterTheHello() throws {
        let (a, b) = pair()
        let left = IPCChannel(descriptor: a, localRole: .listener, label: "left")
        let right = IPCChannel(descriptor: b, localRole: .relay, label: "right")
        let received = expectation(description: "relay request with descriptor")
        let got = Box<IPCFrame>()
        right.start(onMessage: { frame in
            got.set(frame)
            received.fulfill()
        }, onClose: { _ in })
        left.start(onMessage: { _ in }, onClose: { _ in })
        var pipeFDs: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&pipeFDs), 0)
        let request = RelayRequest(session: SessionID(rawValue: 1), proto: .imap4s, mailHost: "h", mailPort: 1,
                                   mailUser: "u", mailPassword: "p", clientTag: "t", clientAddress: "a", clientPort: 2)
        left.send(.relayRequest(request), fd: pipeFDs[1])
        wait(for: [received], timeout: 5)
        let frame = try XCTUnwrap(got.value)
        XCTAssertEqual(frame.message, .relayRequest(request))
        let passed = try XCTUnwrap(frame.descriptor)
        // The passed descriptor is the pipe's write end: what goes in comes out of our read end.
        XCTAssertEqual(write(passed, "x", 1), 1)
        var byte: UInt8 = 0
        XCTAssertEqual(read(pipeFDs[0], &byte, 1), 1)
        XCTAssertEqual(byte, UInt8(ascii: "x"))
        close(passed); close(pipeFDs[0])
        XCTAssertEqual(right.peer?.role, .listener)
        left.close(); right.close()
    }

    func testAPeerThatSkipsTheHelloIsDropped() throws {
        let (a, b) = pair()
        let channel = IPCChannel(descriptor: b, localRole: .authd, label: "victim")
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>()
        channel.start(onMessage: { _ in XCTFail("no message may get through") }, onClose: { r in
            reason.set(r)
            closed.fulfill()
        })
        let bytes = try IPCCodec.encode(.commit(generation: 1))
        _ = bytes.withUnsafeBytes { send(a, $0.baseAddress, $0.count, 0) }
        wait(for: [closed], timeout: 5)
        guard case .violation(.unexpected) = reason.value else { return XCTFail("\(String(describing: reason.value))") }
        close(a)
    }

    func testAVersionMismatchDropsThePeer() throws {
        let (a, b) = pair()
        let channel = IPCChannel(descriptor: b, localRole: .authd, label: "victim")
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>()
        channel.start(onMessage: { _ in }, onClose: { r in
            reason.set(r)
            closed.fulfill()
        })
        let bytes = try IPCCodec.encode(.hello(Hello(version: 99, role: .listener, pid: 1)))
        _ = bytes.withUnsafeBytes { send(a, $0.baseAddress, $0.count, 0) }
        wait(for: [closed], timeout: 5)
        guard case .violation(.versionMismatch(peer: 99, ours: IPCLimits.version)) = reason.value else {
            return XCTFail("\(String(describing: reason.value))")
        }
        close(a)
    }

    func testARecordThatCarriesAnUnexpectedDescriptorIsRefused() throws {
        let (a, b) = pair()
        let channel = IPCChannel(descriptor: b, localRole: .authd, label: "victim")
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>()
        channel.start(onMessage: { _ in XCTFail("no message may get through") }, onClose: { r in
            reason.set(r)
            closed.fulfill()
        })
        let hello = try IPCCodec.encode(.hello(Hello(role: .listener, pid: 1)))
        _ = hello.withUnsafeBytes { send(a, $0.baseAddress, $0.count, 0) }
        let commit = try IPCCodec.encode(.commit(generation: 1))
        _ = commit.withUnsafeBytes { postern_send_record(a, $0.baseAddress, $0.count, 0, 0) }
        wait(for: [closed], timeout: 5)
        guard case .violation(.descriptorMismatch) = reason.value else { return XCTFail("\(String(describing: reason.value))") }
        close(a)
    }
}

/// A value set on a dispatch queue and read by the test.
final class Box<T>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: T?
    var value: T? { lock.withLock { stored } }
    func set(_ v: T) { lock.withLock { stored = v } }
}
