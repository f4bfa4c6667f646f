import XCTest
@testable import PosternRADIUS

/// Transactions and identifier pools together, as authd drives them (`SimulatedAuthd`).
final class RADIUSGroupExchangeTests: XCTestCase {
    func testRetransmissionsKeepTheIdentifierAndFailoverTakesANewOne() {
        var authd = SimulatedAuthd(group: GroupFixture.group())
        let login = authd.login(now: .zero)
        for deadline in [5, 10, 15] { authd.timerFires(login, now: .seconds(Int64(deadline))) }
        XCTAssertEqual(authd.sends.map(\.server), ["a:1812", "a:1812", "a:1812", "b:1812"])
        XCTAssertEqual(authd.sends.map(\.number), [1, 2, 3, 1])
        XCTAssertEqual(Set(authd.sends.prefix(3).map(\.identifier)).count, 1)
        XCTAssertEqual(authd.pools[0].inFlightCount, 0, "a's identifier freed when the login left a")
        XCTAssertEqual(authd.pools[1].inFlightCount, 1)
        XCTAssertEqual(authd.log, ["server-dead group=CORP-RADIUS name=a:1812 dead-time=60s"])
    }

    func testLateAndDuplicateRepliesAreDropped() {
        var authd = SimulatedAuthd(group: GroupFixture.group())
        let login = authd.login(now: .zero)
        let onA = authd.sends[0]
        for deadline in [5, 10, 15] { authd.timerFires(login, now: .seconds(Int64(deadline))) }
        let onB = authd.sends[3]

        XCTAssertEqual(authd.answer(onA), .late, "a answers after the login moved on")
        XCTAssertNil(authd.outcomes[login])
        XCTAssertEqual(authd.datagram(from: 1, socket: onB.socket, identifier: onB.identifier &+ 9), .unknown)
        XCTAssertNil(authd.outcomes[login])

        XCTAssertEqual(authd.answer(onB), .inFlight(login))
        XCTAssertEqual(authd.outcomes[login], .done(authd.group.servers[1]))
        XCTAssertEqual(authd.pools[1].inFlightCount, 0)
        XCTAssertEqual(authd.answer(onB), .late, "the duplicate")
        XCTAssertEqual(authd.outcomes[login], .done(authd.group.servers[1]))
        XCTAssertEqual(authd.log.count, 1, "neither revives a")
        // A timer that fires after the answer changes nothing.
        authd.timerFires(login, now: .seconds(20))
        XCTAssertEqual(authd.sends.count, 4)
    }

    func testThe257thLoginInFlightOnOneServerGoesOutOnASecondSocket() throws {
        var authd = SimulatedAuthd(group: GroupFixture.group())
        let logins = (0..<257).map { _ in authd.login(now: .zero) }
        XCTAssertEqual(authd.sends.count, 257)
        XCTAssertTrue(logins.allSatisfy { authd.outcomes[$0] == nil }, "none refused")
        let sockets = authd.pools[0].openSockets
        XCTAssertEqual(sockets.count, 2)
        guard sockets.count == 2 else { return }
        XCTAssertEqual(authd.sends.filter { $0.socket == sockets[1] }.map(\.transaction), [logins[256]])
        XCTAssertEqual(Set(authd.sends.map(\.server)), ["a:1812"], "a busy server is not a reason to ask the next")

        // The same identifier is in flight on both sockets: each reply finds its own login.
        let onSecond = authd.sends[256]
        let onFirst = try XCTUnwrap(authd.sends.first { $0.socket == sockets[0] && $0.identifier == onSecond.identifier })
        XCTAssertEqual(authd.answer(onSecond), .inFlight(logins[256]))
        XCTAssertEqual(authd.outcomes[logins[256]], .done(authd.group.servers[0]))
        XCTAssertNil(authd.outcomes[onFirst.transaction])
        XCTAssertEqual(authd.answer(onFirst), .inFlight(onFirst.transaction))
        XCTAssertEqual(authd.outcomes[onFirst.transaction], .done(authd.group.servers[0]))
    }

    func testThe4097thLoginInFlightOnOneServerFailsAsTemporary() {
        var authd = SimulatedAuthd(group: GroupFixture.group())
        let logins = (0..<4096).map { _ in authd.login(now: .zero) }
        XCTAssertEqual(authd.pools[0].openSockets.count, 16)
        XCTAssertEqual(authd.outcomes.count, 0, "none refused")
        guard authd.sends.count == 4096 else { return XCTFail("\(authd.sends.count) sent") }
        XCTAssertEqual(Set(authd.sends.map { "\($0.socket.number)/\($0.identifier)" }).count, 4096)
        let extra = authd.login(now: .zero)
        XCTAssertEqual(authd.outcomes[extra], .exhausted(.identifiersExhausted(server: authd.group.servers[0])))
        XCTAssertEqual(authd.sends.count, 4096, "nothing sent for it")
        XCTAssertNil(authd.group.deadUntil(authd.group.servers[0]), "a busy server is not a dead one")

        // One answer frees a place for the next login.
        authd.answer(authd.sends[3000])
        XCTAssertEqual(authd.outcomes[logins[3000]], .done(authd.group.servers[0]))
        let after = authd.login(now: .seconds(1))
        XCTAssertNil(authd.outcomes[after])
        XCTAssertEqual(authd.sends.last?.socket, authd.sends[3000].socket)
        XCTAssertEqual(authd.sends.last?.identifier, authd.sends[3000].identifier)
    }

    func testEveryServerSilentEndsAsTemporaryWithEachDeathLogged() {
        var authd = SimulatedAuthd(group: GroupFixture.group(retries: 1))
        let login = authd.login(now: .zero)
        var now: Duration = .zero
        while authd.outcomes[login] == nil {
            now += .seconds(5)
            authd.timerFires(login, now: now)
        }
        XCTAssertEqual(authd.outcomes[login], .exhausted(.noServerAnswered))
        XCTAssertEqual(authd.sends.count, 6)
        XCTAssertEqual(authd.log.map { $0.split(separator: " ")[2] }, ["name=a:1812", "name=b:1812", "name=c:1812"])
        XCTAssertEqual(authd.pools.map(\.inFlightCount), [0, 0, 0])
        let next = authd.login(now: now)
        XCTAssertEqual(authd.outcomes[next], .exhausted(.noLiveServer))
    }
}
