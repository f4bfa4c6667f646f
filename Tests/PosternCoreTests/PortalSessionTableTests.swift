import PosternCore
import XCTest

final class PortalSessionTableTests: XCTestCase {
    private func entry(_ id: String, user: String = "alice", address: String = "192.0.2.1", since: Double = 0,
                       idle: Double = 600, max: Double = 3600) -> PortalSessionTable.Entry {
        PortalSessionTable.Entry(id: id, cookieHash: "hash-\(id)", vpnUser: user, clientAddress: address,
                                 groupPolicy: "DfltGrpPolicy", since: since, idleTimeout: idle, maxTime: max)
    }

    private let fold: (String) -> String = { $0.lowercased() }

    func testASessionIsFoundByItsCookieFromItsAddressOnly() {
        var table = PortalSessionTable()
        XCTAssertTrue(table.add(entry("1")))
        XCTAssertEqual(table.use(cookieHash: "hash-1", from: "192.0.2.1", now: 10)?.id, "1")
        XCTAssertNil(table.use(cookieHash: "hash-1", from: "192.0.2.2", now: 10), "a cookie from elsewhere")
        XCTAssertNil(table.use(cookieHash: "hash-2", from: "192.0.2.1", now: 10))
        XCTAssertFalse(table.add(entry("1")), "the same cookie twice")
    }

    func testUseKeepsASessionAliveUntilItsMaximumTime() {
        var table = PortalSessionTable()
        _ = table.add(entry("1", idle: 600, max: 1000))
        XCTAssertNotNil(table.use(cookieHash: "hash-1", from: "192.0.2.1", now: 500))
        XCTAssertNotNil(table.use(cookieHash: "hash-1", from: "192.0.2.1", now: 999), "used at 500: idle until 1100")
        XCTAssertNil(table.use(cookieHash: "hash-1", from: "192.0.2.1", now: 1000), "the maximum time has come")
        XCTAssertEqual(table.expire(now: 1000).map { $0.1 }, [.maxTime])
        XCTAssertEqual(table.count, 0)
    }

    func testAnIdleSessionExpires() {
        var table = PortalSessionTable()
        _ = table.add(entry("1", idle: 60, max: 0))
        _ = table.add(entry("2", since: 100, idle: 60, max: 0))
        let ended = table.expire(now: 61)
        XCTAssertEqual(ended.map { $0.0.id }, ["1"])
        XCTAssertEqual(ended.map { $0.1 }, [.idleTimeout])
        XCTAssertEqual(table.all.map(\.id), ["2"])
    }

    func testLiveSessionsOfAUserFromAnAddressForPiggyback() {
        var table = PortalSessionTable()
        _ = table.add(entry("1", user: "Alice"))
        _ = table.add(entry("2", user: "bob", since: 5))
        _ = table.add(entry("3", user: "alice", address: "192.0.2.9"))
        XCTAssertEqual(table.live(from: "192.0.2.1", canonicalUser: "alice", now: 10, canonical: fold).map(\.id), ["1"])
        XCTAssertEqual(table.live(from: "192.0.2.1", now: 10, canonical: fold).map(\.id), ["1", "2"])
        XCTAssertEqual(table.live(from: "192.0.2.9", canonicalUser: "bob", now: 10, canonical: fold).map(\.id), [])
        XCTAssertEqual(table.live(from: "192.0.2.1", canonicalUser: "alice", now: 700, canonical: fold).map(\.id), [],
                       "idle past its timeout, though not yet swept")
    }

    func testLogoutAndKill() {
        var table = PortalSessionTable()
        _ = table.add(entry("1"))
        _ = table.add(entry("2"))
        XCTAssertEqual(table.remove(cookieHash: "hash-1")?.id, "1")
        XCTAssertEqual(table.remove(id: "2")?.id, "2")
        XCTAssertNil(table.remove(id: "2"))
        XCTAssertEqual(table.count, 0)
    }

    func testTheTableIsBounded() {
        var table = PortalSessionTable(capacity: 2)
        XCTAssertTrue(table.add(entry("1")))
        XCTAssertTrue(table.add(entry("2")))
        XCTAssertFalse(table.add(entry("3")))
    }
}
