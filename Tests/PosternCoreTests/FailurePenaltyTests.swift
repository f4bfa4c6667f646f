import PosternCore
import XCTest

final class FailurePenaltyTests: XCTestCase {
    func testTheDelayGrowsWithFailuresFromOneAddress() {
        var penalty = FailurePenalty()
        var delays: [Double] = []
        for i in 0..<6 {
            delays.append(penalty.delay(address: "192.0.2.1", user: "u\(i)", now: 0))
            penalty.recordFailure(address: "192.0.2.1", user: "u\(i)", now: 0)
        }
        XCTAssertEqual(delays, [0, 0, 0.5, 1, 2, 4])
    }

    func testTheDelayGrowsWithFailuresForOneUserFromManyAddresses() {
        var penalty = FailurePenalty()
        for i in 0..<4 { penalty.recordFailure(address: "192.0.2.\(i)", user: "alice", now: 0) }
        XCTAssertEqual(penalty.delay(address: "192.0.2.99", user: "alice", now: 1), 2)
    }

    func testOthersAreNotHeldUp() {
        var penalty = FailurePenalty()
        for _ in 0..<5 { penalty.recordFailure(address: "192.0.2.1", user: "alice", now: 0) }
        XCTAssertEqual(penalty.delay(address: "192.0.2.2", user: "bob", now: 0), 0)
    }

    func testTheDelayIsCappedAndForgotten() {
        var penalty = FailurePenalty(window: 60, maximum: 15)
        for _ in 0..<40 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        XCTAssertEqual(penalty.delay(address: "a", user: "u", now: 1), 15)
        XCTAssertEqual(penalty.delay(address: "a", user: "u", now: 61), 0)
        penalty.forgetExpired(now: 61)
        XCTAssertEqual(penalty.recordCount, 0)
    }

    func testSuccessClearsTheRecord() {
        var penalty = FailurePenalty()
        for _ in 0..<5 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        penalty.recordSuccess(address: "a", user: "u", now: 0)
        XCTAssertEqual(penalty.delay(address: "a", user: "u", now: 0), 0)
    }

    func testSuccessClearsOnlyThatUsersFailuresFromThatAddress() {
        var penalty = FailurePenalty()
        // An address guesses at victim's password, then logs in to its own account.
        for _ in 0..<4 { penalty.recordFailure(address: "a", user: "victim", now: 0) }
        penalty.recordFailure(address: "a", user: "own", now: 0)
        penalty.recordSuccess(address: "a", user: "own", now: 0)
        XCTAssertEqual(penalty.delay(address: "a", user: "victim", now: 0), 2, "the guessing still counts")
        XCTAssertEqual(penalty.delay(address: "a", user: "another", now: 0), 2, "the address is still slowed")
        XCTAssertEqual(penalty.delay(address: "b", user: "own", now: 0), 0)
    }

    func testParallelRequestsTakeSlotsOneAfterAnother() {
        var penalty = FailurePenalty()
        for _ in 0..<2 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        // Four connections ask at once: each waits for the one before it, 0.5 s apart.
        let waits = (0..<4).map { _ in penalty.schedule(address: "a", user: "u", now: 10) }
        XCTAssertEqual(waits, [0.5, 1.0, 1.5, 2.0])
        // Another user from another address is not held up by them.
        XCTAssertEqual(penalty.schedule(address: "b", user: "v", now: 10), 0)
        // The same user from elsewhere queues behind them too.
        XCTAssertEqual(penalty.schedule(address: "c", user: "u", now: 10), 2.5)
    }

    func testMemoryStaysBounded() {
        var penalty = FailurePenalty(capacity: 100)
        for i in 0..<1000 { penalty.recordFailure(address: "10.0.\(i / 256).\(i % 256)", user: "u\(i)", now: Double(i)) }
        // The newest are remembered, the oldest forgotten.
        XCTAssertEqual(penalty.delay(address: "10.0.3.231", user: "x", now: 1000), 0)
        penalty.recordFailure(address: "10.0.3.231", user: "y", now: 1000)
        XCTAssertEqual(penalty.delay(address: "10.0.3.231", user: "z", now: 1000), 0.5)
    }

    func testRecordsPastTheWindowAreForgotten() {
        var penalty = FailurePenalty(window: 300)
        penalty.recordFailure(address: "a", user: "u", now: 0)
        penalty.recordFailure(address: "b", user: "v", now: 200)
        XCTAssertEqual(penalty.liveRecords(now: 250).addresses, 2)
        XCTAssertEqual(penalty.liveRecords(now: 350).addresses, 1, "a's failure is older than the window")
        penalty.forgetExpired(now: 350)
        XCTAssertEqual(penalty.liveRecords(now: 0).addresses, 1, "a is gone, not merely outside the window")
        XCTAssertEqual(penalty.liveRecords(now: 0).users, 1)
        penalty.forgetExpired(now: 600)
        XCTAssertEqual(penalty.liveRecords(now: 0).addresses, 0)
    }
}
