import PosternCore
import XCTest

final class FailurePenaltyTests: XCTestCase {
    /// The wait the next request from `address` for `user` would get, without taking its slot
    /// (-1: refused).
    private func wait(_ penalty: FailurePenalty, _ address: String, _ user: String = "x", now: Double) -> Double {
        var copy = penalty
        return seconds(copy.schedule(address: address, user: user, now: now))
    }

    private func seconds(_ slot: FailurePenalty.Slot) -> Double {
        if case .wait(let seconds) = slot { return seconds }
        return -1
    }

    func testTheDelayGrowsWithFailuresFromOneAddress() {
        var penalty = FailurePenalty()
        var delays: [Double] = []
        for i in 0..<6 {
            delays.append(wait(penalty, "192.0.2.1", now: 0))
            penalty.recordFailure(address: "192.0.2.1", user: "u\(i)", now: 0)
        }
        XCTAssertEqual(delays, [0, 0, 0.5, 1, 2, 4])
    }

    func testOneUsersFailuresFromElsewhereDoNotSlowItsLoginFromACleanAddress() {
        // Anyone can type a known user's name: failures from other addresses must not become a
        // way to slow that user's own logins down.
        var penalty = FailurePenalty()
        for i in 0..<40 { penalty.recordFailure(address: "192.0.2.\(i % 4)", user: "alice", now: 0) }
        XCTAssertEqual(wait(penalty, "192.0.2.99", "alice", now: 1), 0)
    }

    func testAddressesThatGuessedOneUserShareItsRate() {
        // Four addresses, one failure each for alice: none is slowed as an address, but a second
        // guess from any of them waits for the user's rate, and they queue behind each other.
        var penalty = FailurePenalty()
        for i in 0..<4 { penalty.recordFailure(address: "192.0.2.\(i)", user: "alice", now: 0) }
        XCTAssertEqual(wait(penalty, "192.0.2.0", "bob", now: 1), 0, "the address itself failed once")
        let waits = (0..<4).map { seconds(penalty.schedule(address: "192.0.2.\($0)", user: "alice", now: 1)) }
        XCTAssertEqual(waits, [2, 4, 6, 8])
    }

    func testOthersAreNotHeldUp() {
        var penalty = FailurePenalty()
        for _ in 0..<5 { penalty.recordFailure(address: "192.0.2.1", user: "alice", now: 0) }
        XCTAssertEqual(wait(penalty, "192.0.2.2", now: 0), 0)
    }

    func testTheDelayIsCappedAndForgotten() {
        var penalty = FailurePenalty(window: 60, maximum: 15)
        for _ in 0..<40 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        XCTAssertEqual(wait(penalty, "a", now: 1), 15)
        XCTAssertEqual(wait(penalty, "a", now: 61), 0)
        penalty.forgetExpired(now: 61)
        XCTAssertEqual(penalty.recordCount, 0)
    }

    func testSuccessClearsTheRecord() {
        var penalty = FailurePenalty()
        for _ in 0..<5 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        penalty.recordSuccess(address: "a", user: "u", now: 0)
        XCTAssertEqual(wait(penalty, "a", now: 0), 0)
    }

    func testSuccessClearsOnlyThatUsersFailuresFromThatAddress() {
        var penalty = FailurePenalty()
        // An address guesses at victim's password, then logs in to its own account.
        for _ in 0..<4 { penalty.recordFailure(address: "a", user: "victim", now: 0) }
        penalty.recordFailure(address: "a", user: "own", now: 0)
        penalty.recordSuccess(address: "a", user: "own", now: 0)
        XCTAssertEqual(wait(penalty, "a", "victim", now: 0), 2, "the guessing still counts")
        XCTAssertEqual(wait(penalty, "a", "another", now: 0), 2, "the address is still slowed")
        XCTAssertEqual(wait(penalty, "b", "own", now: 0), 0)
    }

    func testParallelRequestsTakeSlotsOneAfterAnother() {
        var penalty = FailurePenalty()
        for _ in 0..<2 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        // Four connections ask at once: each waits for the one before it, 0.5 s apart.
        let waits = (0..<4).map { _ in seconds(penalty.schedule(address: "a", user: "u", now: 10)) }
        XCTAssertEqual(waits, [0.5, 1.0, 1.5, 2.0])
        // Another address is not held up by them, not even for the same user.
        XCTAssertEqual(penalty.schedule(address: "b", user: "v", now: 10), .wait(0))
        XCTAssertEqual(penalty.schedule(address: "b", user: "u", now: 10), .wait(0))
    }

    func testRequestsWhoseTurnIsPastTheMaximumAreRefusedNotQueued() {
        var penalty = FailurePenalty(maximum: 15)
        for _ in 0..<10 { penalty.recordFailure(address: "a", user: "u", now: 0) }
        // Spacing 15 s: the first waits 15 s, the next would wait 30 s and is refused, as is
        // every one after while the first holds the slot: parallel connections gain nothing.
        let slots = (0..<4).map { _ in penalty.schedule(address: "a", user: "u", now: 1) }
        XCTAssertEqual(slots, [.wait(15), .refuse, .refuse, .refuse])
        XCTAssertEqual(penalty.schedule(address: "a", user: "u", now: 17), .wait(15), "its own turn, a spacing after now")
    }

    func testIPv6AddressesCountByTheirSlash64() {
        var penalty = FailurePenalty()
        penalty.recordFailure(address: "2001:db8:1:2::1", user: "a", now: 0)
        penalty.recordFailure(address: "2001:db8:1:2:ffff::9", user: "b", now: 0)
        XCTAssertEqual(wait(penalty, "2001:db8:1:2::77", now: 0), 0.5, "one /64")
        XCTAssertEqual(wait(penalty, "2001:db8:1:3::1", now: 0), 0, "the next /64 is another network")
        XCTAssertEqual(ClientAddressScope.of("2001:db8:1:2::1"), "2001:db8:1:2::/64")
        XCTAssertEqual(ClientAddressScope.of("::ffff:192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(ClientAddressScope.of("192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(ClientAddressScope.of("not an address"), "not an address")
    }

    func testMemoryStaysBounded() {
        var penalty = FailurePenalty(capacity: 100)
        for i in 0..<1000 { penalty.recordFailure(address: "10.0.\(i / 256).\(i % 256)", user: "u\(i)", now: Double(i)) }
        // The newest are remembered, the oldest forgotten.
        XCTAssertEqual(wait(penalty, "10.0.3.231", now: 1000), 0)
        penalty.recordFailure(address: "10.0.3.231", user: "y", now: 1000)
        XCTAssertEqual(wait(penalty, "10.0.3.231", now: 1000), 0.5)
        XCTAssertLessThanOrEqual(penalty.recordCount, 300, "100 each of addresses, users and pairs")
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
