import XCTest
import PosternCore
@testable import PosternRADIUS

final class RADIUSTransactionTests: XCTestCase {
    private var group = GroupFixture.group()
    private var a: AAAServer { group.servers[0] }
    private var b: AAAServer { group.servers[1] }
    private var c: AAAServer { group.servers[2] }

    private func send(_ server: AAAServer, _ number: Int, deadline: Duration) -> RADIUSTransaction.Action {
        .send(ServerAttempt(server: server, number: number, deadline: deadline))
    }

    /// Times out the transaction at each deadline until it leaves `server`; returns the steps.
    private func exhaust(_ transaction: inout RADIUSTransaction, from start: Duration) -> [RADIUSTransaction.Step] {
        var steps: [RADIUSTransaction.Step] = []
        var now = start
        while case let .waiting(attempt) = transaction.state {
            now = attempt.deadline
            steps.append(transaction.timeout(now: now, group: &group))
            if case let .send(next) = steps.last?.action, next.number == 1 { break }
        }
        return steps
    }

    func testAnsweredOnTheFirstSend() {
        var transaction = RADIUSTransaction()
        XCTAssertEqual(transaction.start(now: .seconds(1), group: &group).action, send(a, 1, deadline: .seconds(6)))
        let step = transaction.reply(from: a, group: &group)
        XCTAssertEqual(step.action, .done(a))
        XCTAssertEqual(step.events, [])
        XCTAssertEqual(transaction.state, .done(a))
    }

    func testResendsRetriesTimesThenFailsOverToTheNextServer() {
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &group)
        let steps = exhaust(&transaction, from: .zero)
        XCTAssertEqual(steps.map(\.action), [
            send(a, 2, deadline: .seconds(10)),
            send(a, 3, deadline: .seconds(15)),
            send(b, 1, deadline: .seconds(20)),
        ])
        XCTAssertEqual(steps.map(\.events), [[], [], [.serverDead(group: "CORP-RADIUS", server: a, deadTime: .seconds(60))]])
        XCTAssertEqual(transaction.reply(from: b, group: &group).action, .done(b))
    }

    func testWithoutRetriesEachServerGetsOneSend() {
        group = GroupFixture.group(retries: 0)
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &group)
        XCTAssertEqual(transaction.timeout(now: .seconds(5), group: &group).action, send(b, 1, deadline: .seconds(10)))
        XCTAssertEqual(transaction.timeout(now: .seconds(10), group: &group).action, send(c, 1, deadline: .seconds(15)))
        XCTAssertEqual(transaction.timeout(now: .seconds(15), group: &group).action, .exhausted(.noServerAnswered))
    }

    func testTheDeadServerIsSkippedOnTheNextLoginAndRetriedAfterDeadTime() {
        var first = RADIUSTransaction()
        _ = first.start(now: .zero, group: &group)
        _ = exhaust(&first, from: .zero)                                  // a dead at 15 s, until 75 s
        _ = first.reply(from: b, group: &group)

        var second = RADIUSTransaction()
        XCTAssertEqual(second.start(now: .seconds(74), group: &group).action, send(b, 1, deadline: .seconds(79)))

        var third = RADIUSTransaction()
        XCTAssertEqual(third.start(now: .seconds(75), group: &group).action, send(a, 1, deadline: .seconds(80)))
        let step = third.reply(from: a, group: &group)
        XCTAssertEqual(step.action, .done(a))
        XCTAssertEqual(step.events, [.serverAlive(group: "CORP-RADIUS", server: a)])
        XCTAssertNil(group.deadUntil(a))
    }

    func testAServerStillSilentAfterItsHoldDownIsMarkedDeadAgain() {
        var first = RADIUSTransaction()
        _ = first.start(now: .zero, group: &group)
        _ = exhaust(&first, from: .zero)
        var probe = RADIUSTransaction()
        _ = probe.start(now: .seconds(100), group: &group)
        let steps = exhaust(&probe, from: .seconds(100))
        XCTAssertEqual(steps.last?.action, send(b, 1, deadline: .seconds(120)))
        XCTAssertEqual(steps.flatMap(\.events), [.serverDead(group: "CORP-RADIUS", server: a, deadTime: .seconds(60))])
        XCTAssertEqual(group.deadUntil(a), .seconds(175))
    }

    func testWithTheDefaultThresholdASilentServerIsAskedByThreeLoginsBeforeItIsSkipped() {
        group = ServerGroupState(name: "CORP-RADIUS", serverNames: ["a:1812", "b:1812"], timeout: .seconds(5),
                                 retries: 1, deadTime: .seconds(60))
        var events: [ServerGroupEvent] = []
        var now = Duration.zero
        for login in 1...3 {
            var transaction = RADIUSTransaction()
            XCTAssertEqual(transaction.start(now: now, group: &group).action, send(a, 1, deadline: now + .seconds(5)),
                           "login \(login) asks a first")
            let steps = exhaust(&transaction, from: now)
            events += steps.flatMap(\.events)
            XCTAssertEqual(steps.last?.action, send(b, 1, deadline: now + .seconds(15)), "login \(login) passes on to b")
            XCTAssertEqual(transaction.reply(from: b, group: &group).action, .done(b))
            XCTAssertEqual(events.count, login == 3 ? 1 : 0, "login \(login)")
            now += .seconds(15)
        }
        XCTAssertEqual(events, [.serverDead(group: "CORP-RADIUS", server: a, deadTime: .seconds(60))])
        var fourth = RADIUSTransaction()
        XCTAssertEqual(fourth.start(now: now, group: &group).action, send(b, 1, deadline: now + .seconds(5)))
    }

    func testEveryServerSilentFailsAsTemporaryAndTheNextLoginAsksNoOne() {
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &group)
        var steps: [RADIUSTransaction.Step] = []
        while case let .waiting(attempt) = transaction.state {
            steps.append(transaction.timeout(now: attempt.deadline, group: &group))
        }
        XCTAssertEqual(steps.count, 9, "three sends to each of three servers")
        XCTAssertEqual(steps.last?.action, .exhausted(.noServerAnswered))
        XCTAssertEqual(steps.flatMap(\.events).map(\.fields.last?.1.text), ["60s", "60s", "60s"])
        XCTAssertEqual(steps.flatMap(\.events), [a, b, c].map {
            .serverDead(group: "CORP-RADIUS", server: $0, deadTime: .seconds(60))
        })
        XCTAssertEqual(transaction.state, .exhausted(.noServerAnswered))

        var next = RADIUSTransaction()
        let step = next.start(now: .seconds(50), group: &group)
        XCTAssertEqual(step.action, .exhausted(.noLiveServer))
        XCTAssertEqual(step.events, [])
        XCTAssertEqual(next.state, .exhausted(.noLiveServer))
    }

    func testEachServerIsAskedOnlyOnceATransactionEvenWithoutHoldDown() {
        group = GroupFixture.group(retries: 0, deadTime: .zero)
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &group)
        var servers: [String] = [a.name]
        var events: [ServerGroupEvent] = []
        while case let .waiting(attempt) = transaction.state, servers.count < 10 {
            let step = transaction.timeout(now: attempt.deadline, group: &group)
            events += step.events
            if case let .send(next) = step.action { servers.append(next.server.name) }
        }
        XCTAssertEqual(servers, ["a:1812", "b:1812", "c:1812"])
        XCTAssertEqual(transaction.state, .exhausted(.noServerAnswered))
        XCTAssertEqual(events.map(\.name), ["server-dead", "server-dead", "server-dead"], "logged even with dead-time 0")
        XCTAssertEqual(group.plan(now: .seconds(15))?.server, a, "and at once eligible again")
    }

    func testEarlyAndStaleTimersAreIgnored() {
        var transaction = RADIUSTransaction()
        XCTAssertEqual(transaction.timeout(now: .seconds(100), group: &group).action, .ignore, "before start")
        _ = transaction.start(now: .zero, group: &group)
        XCTAssertEqual(transaction.timeout(now: .milliseconds(4999), group: &group).action, .ignore)
        XCTAssertEqual(transaction.state, .waiting(ServerAttempt(server: a, number: 1, deadline: .seconds(5))))
        _ = transaction.reply(from: a, group: &group)
        XCTAssertEqual(transaction.timeout(now: .seconds(5), group: &group).action, .ignore)
        XCTAssertEqual(transaction.state, .done(a))
        XCTAssertNil(group.deadUntil(a))
    }

    func testStartingTwiceIsIgnored() {
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &group)
        XCTAssertEqual(transaction.start(now: .seconds(1), group: &group).action, .ignore)
        XCTAssertEqual(transaction.state, .waiting(ServerAttempt(server: a, number: 1, deadline: .seconds(5))))
    }

    func testRepliesFromAServerNotBeingAskedAndDuplicatesAreIgnored() {
        var transaction = RADIUSTransaction()
        _ = transaction.start(now: .zero, group: &group)
        _ = exhaust(&transaction, from: .zero)                            // now waiting on b
        XCTAssertEqual(transaction.reply(from: a, group: &group).action, .ignore, "late, from the server given up")
        XCTAssertNotNil(group.deadUntil(a), "an ignored reply revives nothing")
        XCTAssertEqual(transaction.reply(from: c, group: &group).action, .ignore)
        XCTAssertEqual(transaction.reply(from: b, group: &group).action, .done(b))
        let duplicate = transaction.reply(from: b, group: &group)
        XCTAssertEqual(duplicate.action, .ignore)
        XCTAssertEqual(duplicate.events, [])
        XCTAssertEqual(transaction.state, .done(b))
    }

    func testATransactionStopsResendingToAServerAnotherGaveUp() {
        var first = RADIUSTransaction()
        var second = RADIUSTransaction()
        _ = first.start(now: .zero, group: &group)
        _ = second.start(now: .seconds(1), group: &group)
        XCTAssertEqual(second.timeout(now: .seconds(6), group: &group).action, send(a, 2, deadline: .seconds(11)))
        _ = exhaust(&first, from: .zero)                                  // a dead at 15 s
        let step = second.timeout(now: .seconds(16), group: &group)
        XCTAssertEqual(step.action, send(b, 1, deadline: .seconds(21)), "no third send to a held-down server")
        XCTAssertEqual(step.events, [], "its death was already reported")
    }

    func testAReplyFromAHeldDownServerRevivesIt() {
        var first = RADIUSTransaction()
        var second = RADIUSTransaction()
        _ = first.start(now: .zero, group: &group)
        _ = second.start(now: .seconds(1), group: &group)
        _ = exhaust(&first, from: .zero)
        XCTAssertEqual(group.plan(now: .seconds(15))?.server, b)
        let step = second.reply(from: a, group: &group)
        XCTAssertEqual(step.action, .done(a))
        XCTAssertEqual(step.events, [.serverAlive(group: "CORP-RADIUS", server: a)])
        XCTAssertEqual(group.plan(now: .seconds(16))?.server, a)
    }
}
