import XCTest
@testable import PosternRADIUS

final class RADIUSIdentifierPoolTests: XCTestCase {
    func testHandsOut256DistinctIdentifiersThenNone() {
        var pool = RADIUSIdentifierPool<Int>()
        let identifiers = (0..<256).compactMap { pool.allocate(for: $0) }
        XCTAssertEqual(identifiers.count, 256)
        XCTAssertEqual(Set(identifiers).count, 256)
        XCTAssertEqual(pool.inFlightCount, 256)
        XCTAssertNil(pool.allocate(for: 256), "the 257th fails; the caller fails the login as temporary")
        XCTAssertEqual(pool.inFlightCount, 256)
    }

    func testAReleaseMakesRoomForTheNext() {
        var pool = RADIUSIdentifierPool<Int>()
        for owner in 0..<256 { _ = pool.allocate(for: owner) }
        XCTAssertTrue(pool.release(77, owner: 77))
        XCTAssertEqual(pool.allocate(for: 1000), 77)
        XCTAssertEqual(pool.lookup(77), .inFlight(1000))
        XCTAssertNil(pool.allocate(for: 1001))
    }

    func testAnIdentifierInFlightIsNeverHandedOutAgain() {
        var pool = RADIUSIdentifierPool<Int>()
        let held = pool.allocate(for: -1)
        for owner in 0..<1000 {
            let identifier = pool.allocate(for: owner)
            XCTAssertNotNil(identifier)
            XCTAssertNotEqual(identifier, held)
            pool.release(identifier!, owner: owner)
        }
        XCTAssertEqual(pool.lookup(held!), .inFlight(-1))
        XCTAssertEqual(pool.inFlightCount, 1)
    }

    func testAReleasedIdentifierIsHandedOutLast() {
        var pool = RADIUSIdentifierPool<String>()
        XCTAssertEqual(pool.allocate(for: "t1"), 0)
        pool.release(0, owner: "t1")
        XCTAssertEqual(pool.allocate(for: "t2"), 1)
        for owner in 2..<256 { _ = pool.allocate(for: "t\(owner)") }
        XCTAssertEqual(pool.allocate(for: "wrap"), 0, "only after every other one")
    }

    func testLookupTellsInFlightFromLateAndUnknown() {
        var pool = RADIUSIdentifierPool<String>()
        XCTAssertEqual(pool.lookup(0), .unknown)
        let identifier = pool.allocate(for: "login-1")!
        XCTAssertEqual(pool.lookup(identifier), .inFlight("login-1"))
        XCTAssertEqual(pool.lookup(identifier &+ 1), .unknown)
        pool.release(identifier, owner: "login-1")
        XCTAssertEqual(pool.lookup(identifier), .late, "a reply after the release is dropped")
    }

    func testOnlyTheHolderReleases() {
        var pool = RADIUSIdentifierPool<String>()
        let identifier = pool.allocate(for: "login-1")!
        XCTAssertFalse(pool.release(identifier, owner: "login-2"))
        XCTAssertEqual(pool.lookup(identifier), .inFlight("login-1"))
        XCTAssertFalse(pool.release(identifier &+ 5, owner: "login-1"), "never handed out")
        XCTAssertTrue(pool.release(identifier, owner: "login-1"))
        XCTAssertFalse(pool.release(identifier, owner: "login-1"), "a second release")
        XCTAssertEqual(pool.inFlightCount, 0)
    }
}
