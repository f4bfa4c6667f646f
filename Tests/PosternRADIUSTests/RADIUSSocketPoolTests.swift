import XCTest
@testable import PosternRADIUS

final class RADIUSSocketPoolTests: XCTestCase {
    typealias Pool = RADIUSSocketPool<Int>

    /// Allocates for `owner`, opening a socket (as authd does) whenever the pool asks for one.
    private func allocate(_ pool: inout Pool, _ owner: Int, now: Duration = .zero) -> (socket: Pool.SocketID, identifier: UInt8)? {
        switch pool.allocate(for: owner) {
        case let .allocated(socket, identifier):
            return (socket, identifier)
        case .needsSocket:
            XCTAssertNotNil(pool.add(now: now))
            guard case let .allocated(socket, identifier) = pool.allocate(for: owner) else {
                XCTFail("a socket just added has every identifier free")
                return nil
            }
            return (socket, identifier)
        case .exhausted:
            return nil
        }
    }

    struct UnexpectedSocketCount: Error, CustomStringConvertible {
        var description: String
    }

    /// The open sockets, when there are `count` of them (else the test fails here).
    private func sockets(_ pool: Pool, count: Int) throws -> [Pool.SocketID] {
        let open = pool.openSockets
        guard open.count == count else {
            throw UnexpectedSocketCount(description: "\(open.count) sockets open, expected \(count)")
        }
        return open
    }

    func testAPoolWithoutSocketsAsksForOne() {
        var pool = Pool()
        XCTAssertEqual(pool.allocate(for: 1), .needsSocket)
        XCTAssertEqual(pool.inFlightCount, 0)
    }

    func testThe257thRequestInFlightAsksForASecondSocket() {
        var pool = Pool()
        let first = pool.add(now: .zero)!
        let taken = (0..<256).map { pool.allocate(for: $0) }
        XCTAssertEqual(Set(taken).count, 256)
        XCTAssertTrue(taken.allSatisfy { if case let .allocated(socket, _) = $0 { socket == first } else { false } })

        XCTAssertEqual(pool.allocate(for: 256), .needsSocket, "not .exhausted: one socket is not the limit")
        let second = pool.add(now: .zero)!
        XCTAssertNotEqual(second, first)
        XCTAssertEqual(pool.allocate(for: 256), .allocated(socket: second, identifier: 0))
        XCTAssertEqual(pool.openSockets, [first, second])
        XCTAssertEqual(pool.inFlightCount, 257)
    }

    func testRepliesAreMatchedPerSocket() throws {
        var pool = Pool()
        for owner in 0..<257 { _ = allocate(&pool, owner) }
        let open = try sockets(pool, count: 2)
        let (first, second) = (open[0], open[1])
        XCTAssertEqual(pool.lookup(0, on: first), .inFlight(0))
        XCTAssertEqual(pool.lookup(0, on: second), .inFlight(256), "the same identifier, another request")
        XCTAssertEqual(pool.lookup(1, on: second), .unknown)

        XCTAssertFalse(pool.release(0, on: second, owner: 0, now: .zero), "owner 0 holds identifier 0 on the first socket only")
        XCTAssertTrue(pool.release(0, on: second, owner: 256, now: .zero))
        XCTAssertEqual(pool.lookup(0, on: second), .late)
        XCTAssertEqual(pool.lookup(0, on: first), .inFlight(0), "untouched")
    }

    func testAFreedIdentifierOnAnOlderSocketIsTakenFirst() throws {
        var pool = Pool()
        for owner in 0..<300 { _ = allocate(&pool, owner) }
        let open = try sockets(pool, count: 2)
        let first = open[0]
        pool.release(77, on: first, owner: 77, now: .zero)
        XCTAssertEqual(pool.allocate(for: 1000), .allocated(socket: first, identifier: 77))
        XCTAssertEqual(pool.inFlightCount(on: first), 256)
        XCTAssertEqual(pool.inFlightCount(on: open[1]), 44)
    }

    func testAtTheCapTheNextRequestIsRefusedUntilOneIsAnswered() {
        var pool = Pool()
        XCTAssertEqual(pool.capacity, 4096)
        let held = (0..<4096).compactMap { allocate(&pool, $0) }
        XCTAssertEqual(held.count, 4096)
        guard held.count == 4096 else { return }
        XCTAssertEqual(pool.openSockets.count, 16)
        XCTAssertEqual(Set(held.map { "\($0.socket.number)/\($0.identifier)" }).count, 4096)

        XCTAssertEqual(pool.allocate(for: 4096), .exhausted)
        XCTAssertNil(pool.add(now: .zero), "no 17th socket")
        XCTAssertEqual(pool.inFlightCount, 4096)

        pool.release(held[3000].identifier, on: held[3000].socket, owner: 3000, now: .zero)
        XCTAssertEqual(pool.allocate(for: 4096), .allocated(socket: held[3000].socket, identifier: held[3000].identifier))
    }

    func testTheCapIsTheCallers() {
        var pool = Pool(maximumSockets: 1)
        _ = pool.add(now: .zero)
        for owner in 0..<256 { _ = pool.allocate(for: owner) }
        XCTAssertEqual(pool.allocate(for: 256), .exhausted)
    }

    func testAnIdleSocketOtherThanTheOldestIsClosedAfterTheIdleTimeout() throws {
        var pool = Pool(idleTimeout: .seconds(60))
        for owner in 0..<600 { _ = allocate(&pool, owner) }
        let open = try sockets(pool, count: 3)
        // Everything answered at 10 s, except one request on the third socket.
        for owner in 0..<599 {
            let socket = open[owner / 256]
            XCTAssertTrue(pool.release(UInt8(owner % 256), on: socket, owner: owner, now: .seconds(10)))
        }
        XCTAssertEqual(pool.closeIdle(now: .seconds(69)), [])
        XCTAssertEqual(pool.closeIdle(now: .seconds(70)), [open[1]],
                       "the oldest stays open; the third has a request in flight")
        XCTAssertEqual(pool.openSockets, [open[0], open[2]])
        XCTAssertEqual(pool.lookup(0, on: open[1]), .unknown, "a reply to a closed socket matches nothing")
        XCTAssertEqual(pool.lookup(UInt8(599 % 256), on: open[2]), .inFlight(599))

        pool.release(UInt8(599 % 256), on: open[2], owner: 599, now: .seconds(80))
        XCTAssertEqual(pool.closeIdle(now: .seconds(139)), [])
        XCTAssertEqual(pool.closeIdle(now: .seconds(140)), [open[2]])
        XCTAssertEqual(pool.openSockets, [open[0]])
    }

    func testASocketInUseAgainIsNotIdle() throws {
        var pool = Pool(idleTimeout: .seconds(60))
        for owner in 0..<257 { _ = allocate(&pool, owner) }
        let open = try sockets(pool, count: 2)
        let second = open[1]
        pool.release(0, on: second, owner: 256, now: .seconds(1))
        // The first socket is full again later, so the next request goes to the second.
        pool.release(5, on: open[0], owner: 5, now: .seconds(30))
        XCTAssertEqual(pool.allocate(for: 1000), .allocated(socket: open[0], identifier: 5))
        XCTAssertEqual(pool.allocate(for: 1001), .allocated(socket: second, identifier: 1))
        XCTAssertEqual(pool.closeIdle(now: .seconds(61)), [], "busy since 30 s")
        pool.release(1, on: second, owner: 1001, now: .seconds(40))
        XCTAssertEqual(pool.closeIdle(now: .seconds(99)), [])
        XCTAssertEqual(pool.closeIdle(now: .seconds(100)), [second])
    }

    func testASocketOpenedAfterAClosedOneGetsANewNumber() throws {
        var pool = Pool(idleTimeout: .seconds(1))
        for owner in 0..<257 { _ = allocate(&pool, owner) }
        let closed = try sockets(pool, count: 2)[1]
        pool.release(0, on: closed, owner: 256, now: .zero)
        XCTAssertEqual(pool.closeIdle(now: .seconds(1)), [closed])
        let reopened = try XCTUnwrap(allocate(&pool, 2000, now: .seconds(2)))
        XCTAssertNotEqual(reopened.socket, closed)
        XCTAssertEqual(pool.lookup(0, on: closed), .unknown)
    }
}
