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
        let onA = authd.sends[0].identifier
        for deadline in [5, 10, 15] { authd.timerFires(login, now: .seconds(Int64(deadline))) }
        let onB = authd.sends[3].identifier

        XCTAssertEqual(authd.datagram(from: 0, identifier: onA), .late, "a answers after the login moved on")
        XCTAssertNil(authd.outcomes[login])
        XCTAssertEqual(authd.datagram(from: 1, identifier: onB &+ 9), .unknown)
        XCTAssertNil(authd.outcomes[login])

        XCTAssertEqual(authd.datagram(from: 1, identifier: onB), .inFlight(login))
        XCTAssertEqual(authd.outcomes[login], .done(authd.group.servers[1]))
        XCTAssertEqual(authd.pools[1].inFlightCount, 0)
        XCTAssertEqual(authd.datagram(from: 1, identifier: onB), .late, "the duplicate")
        XCTAssertEqual(authd.outcomes[login], .done(authd.group.servers[1]))
        XCTAssertEqual(authd.log.count, 1, "neither revives a")
        // A timer that fires after the answer changes nothing.
        authd.timerFires(login, now: .seconds(20))
        XCTAssertEqual(authd.sends.count, 4)
    }

    func testThe257thLoginInFlightOnOneServerFailsAsTemporary() {
        var authd = SimulatedAuthd(group: GroupFixture.group())
        let logins = (0..<256).map { _ in authd.login(now: .zero) }
        XCTAssertEqual(Set(authd.sends.map(\.identifier)).count, 256)
        let extra = authd.login(now: .zero)
        XCTAssertEqual(authd.outcomes[extra], .exhausted(.identifiersExhausted(server: authd.group.servers[0])))
        XCTAssertEqual(authd.sends.count, 256, "nothing sent for it")
        XCTAssertNil(authd.group.deadUntil(authd.group.servers[0]), "a busy server is not a dead one")

        // One answer frees a place for the next login.
        authd.datagram(from: 0, identifier: authd.sends[10].identifier)
        XCTAssertEqual(authd.outcomes[logins[10]], .done(authd.group.servers[0]))
        let after = authd.login(now: .seconds(1))
        XCTAssertNil(authd.outcomes[after])
        XCTAssertEqual(authd.sends.last?.identifier, authd.sends[10].identifier)
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
