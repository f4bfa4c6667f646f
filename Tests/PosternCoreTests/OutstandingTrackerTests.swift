import PosternCore
import XCTest

final class OutstandingTrackerTests: XCTestCase {
    func testTheOldestUnauthenticatedSessionGoesFirst() {
        var tracker = OutstandingTracker<Int>(limit: 3)
        XCTAssertEqual(tracker.admit(1, address: "a"), [])
        XCTAssertEqual(tracker.admit(2, address: "a"), [])
        XCTAssertEqual(tracker.admit(3, address: "a"), [])
        tracker.update(1, to: .authenticating)
        // 1 is older but authenticating: the oldest unauthenticated one, 2, goes.
        XCTAssertEqual(tracker.admit(4, address: "a"), [2])
        XCTAssertEqual(tracker.admit(5, address: "a"), [3])
    }

    func testAuthenticatingSessionsGoWhenNoUnauthenticatedOneIsLeft() {
        var tracker = OutstandingTracker<Int>(limit: 2)
        _ = tracker.admit(1, address: "a")
        _ = tracker.admit(2, address: "a")
        tracker.update(1, to: .authenticating)
        tracker.update(2, to: .authenticating)
        XCTAssertEqual(tracker.admit(3, address: "a"), [1])
        // 3 is younger than 2, but unauthenticated sessions go before authenticating ones.
        XCTAssertEqual(tracker.admit(4, address: "a"), [3])
    }

    func testAuthenticatedSessionsNeitherCountNorGo() {
        var tracker = OutstandingTracker<Int>(limit: 2)
        _ = tracker.admit(1, address: "a")
        tracker.update(1, to: .authenticated)
        XCTAssertEqual(tracker.count, 0)
        XCTAssertEqual(tracker.admit(2, address: "a"), [])
        XCTAssertEqual(tracker.admit(3, address: "a"), [])
        XCTAssertEqual(tracker.admit(4, address: "a"), [2])
    }

    func testClosedSessionsFreeTheirPlace() {
        var tracker = OutstandingTracker<Int>(limit: 1)
        _ = tracker.admit(1, address: "a")
        tracker.remove(1)
        XCTAssertEqual(tracker.admit(2, address: "a"), [])
    }

    func testZeroMeansNoLimit() {
        var tracker = OutstandingTracker<Int>(limit: 0)
        for i in 0..<1000 { XCTAssertEqual(tracker.admit(i, address: "a"), []) }
        XCTAssertEqual(tracker.count, 1000)
    }

    func testALowerLimitAfterReloadEvictsOnlyOnAdmission() {
        var tracker = OutstandingTracker<Int>(limit: 5)
        for i in 1...4 { _ = tracker.admit(i, address: "a") }
        tracker = tracker.withLimits(2, perAddress: 0)
        XCTAssertEqual(tracker.count, 4)
        XCTAssertEqual(tracker.admit(5, address: "a"), [1, 2, 3])
    }

    func testAnAddressAtItsCapLosesItsOwnOldestNeverAStrangers() {
        var tracker = OutstandingTracker<Int>(limit: 20, perAddress: 5)
        XCTAssertEqual(tracker.admit(-1, address: "stranger"), [])
        for i in 1...5 { XCTAssertEqual(tracker.admit(i, address: "flood"), []) }
        // A flood at any rate only ever replaces its own oldest.
        for i in 6...5000 { XCTAssertEqual(tracker.admit(i, address: "flood"), [i - 5]) }
        XCTAssertEqual(tracker.count(from: "flood"), 5)
        XCTAssertEqual(tracker.count(from: "stranger"), 1)
        XCTAssertEqual(tracker.count, 6)
    }

    func testAnAddressLosesItsUnauthenticatedBeforeItsAuthenticating() {
        var tracker = OutstandingTracker<Int>(limit: 0, perAddress: 2)
        _ = tracker.admit(1, address: "x")
        _ = tracker.admit(2, address: "x")
        tracker.update(1, to: .authenticating)
        XCTAssertEqual(tracker.admit(3, address: "x"), [2])
        tracker.update(3, to: .authenticating)
        XCTAssertEqual(tracker.admit(4, address: "x"), [1], "held failed logins go too, oldest first")
    }

    func testThePerAddressCapComesFirstThenTheWholeLimit() {
        var tracker = OutstandingTracker<Int>(limit: 3, perAddress: 2)
        _ = tracker.admit(1, address: "a")
        _ = tracker.admit(2, address: "b")
        _ = tracker.admit(3, address: "b")
        // c is under its cap; the whole is full: the oldest unauthenticated anywhere goes.
        XCTAssertEqual(tracker.admit(4, address: "c"), [1])
        XCTAssertEqual(tracker.admit(5, address: "b"), [2])
        XCTAssertEqual(tracker.count(from: "b"), 2)
    }

    func testClosedAndAuthenticatedSessionsLeaveTheirAddressCount() {
        var tracker = OutstandingTracker<Int>(limit: 0, perAddress: 1)
        _ = tracker.admit(1, address: "x")
        tracker.update(1, to: .authenticated)
        XCTAssertEqual(tracker.admit(2, address: "x"), [])
        tracker.remove(2)
        XCTAssertEqual(tracker.count(from: "x"), 0)
    }

    func testIPv6AddressesOfOneSlash64ShareTheirCap() {
        var tracker = OutstandingTracker<Int>(limit: 0, perAddress: 2)
        XCTAssertEqual(tracker.admit(1, address: "2001:db8::1"), [])
        XCTAssertEqual(tracker.admit(2, address: "2001:db8::2"), [])
        XCTAssertEqual(tracker.admit(3, address: "2001:db8::3"), [1], "the /64's own oldest goes")
        XCTAssertEqual(tracker.admit(4, address: "2001:db8:0:1::1"), [], "another /64 is another client")
        XCTAssertEqual(tracker.count(from: "2001:db8::ffff"), 2)
    }
}
