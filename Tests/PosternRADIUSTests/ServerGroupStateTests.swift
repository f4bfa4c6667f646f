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
