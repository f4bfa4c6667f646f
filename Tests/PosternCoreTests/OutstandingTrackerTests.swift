import PosternCore
import XCTest

final class OutstandingTrackerTests: XCTestCase {
    func testTheOldestUnauthenticatedSessionGoesFirst() {
        var tracker = OutstandingTracker<Int>(limit: 3)
        XCTAssertEqual(tracker.admit(1), [])
        XCTAssertEqual(tracker.admit(2), [])
        XCTAssertEqual(tracker.admit(3), [])
        tracker.update(1, to: .authenticating)
        // 1 is older but authenticating: the oldest unauthenticated one, 2, goes.
        XCTAssertEqual(tracker.admit(4), [2])
        XCTAssertEqual(tracker.admit(5), [3])
    }

    func testAuthenticatingSessionsGoWhenNoUnauthenticatedOneIsLeft() {
        var tracker = OutstandingTracker<Int>(limit: 2)
        _ = tracker.admit(1)
        _ = tracker.admit(2)
        tracker.update(1, to: .authenticating)
        tracker.update(2, to: .authenticating)
        XCTAssertEqual(tracker.admit(3), [1])
        // 3 is younger than 2, but unauthenticated sessions go before authenticating ones.
        XCTAssertEqual(tracker.admit(4), [3])
    }

    func testAuthenticatedSessionsNeitherCountNorGo() {
        var tracker = OutstandingTracker<Int>(limit: 2)
        _ = tracker.admit(1)
        tracker.update(1, to: .authenticated)
        XCTAssertEqual(tracker.count, 0)
        XCTAssertEqual(tracker.admit(2), [])
        XCTAssertEqual(tracker.admit(3), [])
        XCTAssertEqual(tracker.admit(4), [2])
    }

    func testClosedSessionsFreeTheirPlace() {
        var tracker = OutstandingTracker<Int>(limit: 1)
        _ = tracker.admit(1)
        tracker.remove(1)
        XCTAssertEqual(tracker.admit(2), [])
    }

    func testZeroMeansNoLimit() {
        var tracker = OutstandingTracker<Int>(limit: 0)
        for i in 0..<1000 { XCTAssertEqual(tracker.admit(i), []) }
        XCTAssertEqual(tracker.count, 1000)
    }

    func testALowerLimitAfterReloadEvictsOnlyOnAdmission() {
        var tracker = OutstandingTracker<Int>(limit: 5)
        for i in 1...4 { _ = tracker.admit(i) }
        tracker = tracker.withLimit(2)
        XCTAssertEqual(tracker.count, 4)
        XCTAssertEqual(tracker.admit(5), [1, 2, 3])
    }
}
