import XCTest
@testable import PosternCore
@testable import PosternRADIUS

final class ServerGroupStateTests: XCTestCase {
    func testPlanTakesTheFirstServerInOrder() {
        let group = GroupFixture.group()
        XCTAssertEqual(group.servers.map(\.name), ["a:1812", "b:1812", "c:1812"])
        XCTAssertEqual(group.servers.map(\.index), [0, 1, 2])
        let attempt = group.plan(now: .seconds(100))
        XCTAssertEqual(attempt?.server.name, "a:1812")
        XCTAssertEqual(attempt?.number, 1)
        XCTAssertEqual(attempt?.deadline, .seconds(105))
        XCTAssertEqual(attempt?.isRetransmission, false)
    }

    func testHeldDownServerIsSkippedUntilItsDeadTimeEnds() {
        var group = GroupFixture.group()
        let a = group.servers[0]
        _ = group.markDead(a, now: .seconds(10))
        XCTAssertEqual(group.deadUntil(a), .seconds(70))
        XCTAssertEqual(group.plan(now: .seconds(10))?.server.name, "b:1812")
        XCTAssertEqual(group.plan(now: .milliseconds(69_999))?.server.name, "b:1812")
        XCTAssertFalse(group.isLive(a, now: .milliseconds(69_999)))
        // Eligible again, still marked until it answers.
        XCTAssertEqual(group.plan(now: .seconds(70))?.server.name, "a:1812")
        XCTAssertTrue(group.isLive(a, now: .seconds(70)))
        XCTAssertEqual(group.deadUntil(a), .seconds(70))
    }

    func testNoPlanWhenEveryServerIsHeldDownOrTheGroupIsEmpty() {
        var group = GroupFixture.group()
        for server in group.servers { _ = group.markDead(server, now: .seconds(1)) }
        XCTAssertNil(group.plan(now: .seconds(30)))
        XCTAssertEqual(group.plan(now: .seconds(61))?.server.name, "a:1812")
        XCTAssertNil(GroupFixture.group(servers: []).plan(now: .zero))
    }

    func testDeathIsReportedOncePerHoldDownAndRecoveryOnlyAfterDeath() {
        var group = GroupFixture.group()
        let a = group.servers[0]
        XCTAssertEqual(group.markAlive(a), [])
        XCTAssertEqual(group.markDead(a, now: .seconds(0)),
                       [.serverDead(group: "CORP-RADIUS", server: a, deadTime: .seconds(60))])
        XCTAssertEqual(group.markDead(a, now: .seconds(59)), [], "already held down")
        XCTAssertEqual(group.deadUntil(a), .seconds(60), "a second report does not extend the hold-down")
        XCTAssertEqual(group.markDead(a, now: .seconds(60)).map(\.name), ["server-dead"])
        XCTAssertEqual(group.deadUntil(a), .seconds(120))
        XCTAssertEqual(group.markAlive(a), [.serverAlive(group: "CORP-RADIUS", server: a)])
        XCTAssertNil(group.deadUntil(a))
        XCTAssertEqual(group.markAlive(a), [])
    }

    // MARK: Dead after several unanswered requests

    func testAServerIsDeadOnlyAfterThreeUnansweredRequestsInARow() {
        var group = ServerGroupState(name: "CORP-RADIUS", serverNames: ["a:1812", "b:1812"], timeout: .seconds(5),
                                     retries: 2, deadTime: .seconds(60))
        XCTAssertEqual(group.unansweredBeforeDead, 3)
        let a = group.servers[0]
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(1)), [])
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(2)), [])
        XCTAssertTrue(group.isLive(a, now: .seconds(2)))
        XCTAssertEqual(group.plan(now: .seconds(2))?.server, a, "still first in order")
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(3)),
                       [.serverDead(group: "CORP-RADIUS", server: a, deadTime: .seconds(60))])
        XCTAssertFalse(group.isLive(a, now: .seconds(3)))
        XCTAssertEqual(group.plan(now: .seconds(3))?.server.name, "b:1812")
    }

    func testOneAnswerStartsTheCountAgain() {
        var group = GroupFixture.group(unansweredBeforeDead: 3)
        let a = group.servers[0]
        _ = group.markUnanswered(a, now: .seconds(1))
        _ = group.markUnanswered(a, now: .seconds(2))
        XCTAssertEqual(group.unansweredCount(a), 2)
        XCTAssertEqual(group.markAlive(a), [], "not dead, so no server-alive")
        XCTAssertEqual(group.unansweredCount(a), 0)
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(3)), [])
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(4)), [])
        XCTAssertTrue(group.isLive(a, now: .seconds(4)))
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(5)).map(\.name), ["server-dead"])
    }

    func testAServerStillSilentAfterItsHoldDownIsDeadAgainAtItsNextUnansweredRequest() {
        var group = GroupFixture.group(unansweredBeforeDead: 3)
        let a = group.servers[0]
        for n in 1...3 { _ = group.markUnanswered(a, now: .seconds(Int64(n))) }
        XCTAssertEqual(group.deadUntil(a), .seconds(63))
        // Eligible again at 63 s; no answer since: the count stands, one more is a pattern.
        XCTAssertEqual(group.markUnanswered(a, now: .seconds(70)).map(\.name), ["server-dead"])
        XCTAssertEqual(group.deadUntil(a), .seconds(130))
    }

    func testUnansweredBeforeDeadIsAtLeastOne() {
        XCTAssertEqual(GroupFixture.group(unansweredBeforeDead: 0).unansweredBeforeDead, 1)
    }

    // MARK: Probes

    func testAHeldDownServerIsDueAProbeEveryTimeoutUntilItAnswers() {
        var group = GroupFixture.group(unansweredBeforeDead: 3)
        let a = group.servers[0]
        XCTAssertEqual(group.probesDue(now: .seconds(10)), [], "nobody is dead")
        XCTAssertNil(group.nextProbeDue)
        _ = group.markDead(a, now: .seconds(10))
        XCTAssertEqual(group.probesDue(now: .seconds(10)), [], "the first probe waits one timeout")
        XCTAssertEqual(group.nextProbeDue, .seconds(15))
        XCTAssertEqual(group.probesDue(now: .seconds(15)), [a])
        group.probeSent(a, now: .seconds(15))
        XCTAssertEqual(group.probesDue(now: .milliseconds(19_999)), [], "one probe waits at a time")
        XCTAssertEqual(group.nextProbeDue, .seconds(20))
        XCTAssertEqual(group.probesDue(now: .seconds(20)), [a])
        group.probeSent(a, now: .seconds(20))
        // The probe is answered: back at once, long before its dead-time ends at 70 s.
        XCTAssertEqual(group.markAlive(a), [.serverAlive(group: "CORP-RADIUS", server: a)])
        XCTAssertTrue(group.isLive(a, now: .seconds(21)))
        XCTAssertEqual(group.plan(now: .seconds(21))?.server, a)
        XCTAssertEqual(group.probesDue(now: .seconds(25)), [])
        XCTAssertNil(group.nextProbeDue)
    }

    func testProbesStopWhenTheHoldDownEnds() {
        var group = GroupFixture.group(timeout: .seconds(5), deadTime: .seconds(12))
        let a = group.servers[0], b = group.servers[1]
        _ = group.markDead(a, now: .zero)
        _ = group.markDead(b, now: .seconds(1))
        XCTAssertEqual(group.probesDue(now: .seconds(6)), [a, b])
        group.probeSent(a, now: .seconds(6))
        group.probeSent(b, now: .seconds(6))
        XCTAssertEqual(group.nextProbeDue, .seconds(11))
        group.probeSent(a, now: .seconds(11))
        group.probeSent(b, now: .seconds(11))
        // a's hold-down ends at 12 s, b's at 13 s: a probe due at 16 s would come too late for either.
        XCTAssertNil(group.nextProbeDue)
        XCTAssertEqual(group.probesDue(now: .seconds(16)), [])
    }

    func testEventsCarryTheirLogFields() {
        let server = AAAServer(index: 1, name: "10.0.0.5:1812")
        func line(_ event: ServerGroupEvent) -> String {
            ([event.name] + event.fields.map { "\($0.0)=\($0.1.text ?? "-")" }).joined(separator: " ")
        }
        XCTAssertEqual(line(.serverDead(group: "CORP", server: server, deadTime: .seconds(60))),
                       "server-dead group=CORP name=10.0.0.5:1812 dead-time=60s")
        XCTAssertEqual(line(.serverDead(group: "CORP", server: server, deadTime: .milliseconds(1500))),
                       "server-dead group=CORP name=10.0.0.5:1812 dead-time=1500ms")
        XCTAssertEqual(line(.serverAlive(group: "CORP", server: server)), "server-alive group=CORP name=10.0.0.5:1812")
        XCTAssertEqual(RADIUSTemporaryFailure.noLiveServer.description, "no-live-server")
        XCTAssertEqual(RADIUSTemporaryFailure.noServerAnswered.description, "no-server-answered")
        XCTAssertEqual(RADIUSTemporaryFailure.identifiersExhausted(server: server).description, "identifiers-exhausted")
    }

    func testNegativeRetriesMeanOneSendPerServer() {
        XCTAssertEqual(GroupFixture.group(retries: -3).sendsPerServer, 1)
        XCTAssertEqual(GroupFixture.group(retries: 2).sendsPerServer, 3)
    }

    func testTwoGroupsAreIndependentEvenOverTheSameServers() {
        var first = GroupFixture.group(name: "AUTH")
        var second = GroupFixture.group(name: "ACCT", retries: 0)
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &first)
        var events: [ServerGroupEvent] = []
        for n in 1...3 { events += transaction.timeout(now: .seconds(Int64(5 * n)), group: &first).events }
        XCTAssertEqual(events, [.serverDead(group: "AUTH", server: first.servers[0], deadTime: .seconds(60))])
        XCTAssertEqual(first.plan(now: .seconds(16))?.server.name, "b:1812")
        XCTAssertEqual(second.plan(now: .seconds(16))?.server.name, "a:1812")
        XCTAssertNil(second.deadUntil(second.servers[0]))

        // And the other way round: the second group's death leaves the first's state alone.
        var other = RADIUSTransaction()
        _ = other.start(now: .seconds(20), group: &second)
        XCTAssertEqual(other.timeout(now: .seconds(25), group: &second).events.map(\.name), ["server-dead"])
        XCTAssertEqual(first.deadUntil(first.servers[0]), .seconds(75))
        XCTAssertEqual(second.deadUntil(second.servers[0]), .seconds(85))
    }
}
