import PosternCore
import XCTest

final class CredentialSplitterTests: XCTestCase {
    private let splitter = CredentialSplitter()
    private let allowed: Set<String> = ["mail2.example.org", "127.0.0.2"]
    private func split(_ user: String, _ password: String) -> SplitCredentials {
        splitter.split(username: user, password: password, isAllowedServer: { self.allowed.contains($0) })
    }

    func testOneNameAndOnePasswordServeBothSides() {
        XCTAssertEqual(split("alice", "pw"),
                       SplitCredentials(vpnUser: "alice", mailUser: "alice", server: nil, vpnPassword: "pw", mailPassword: "pw"))
    }

    func testVPNAndMailPartsSplitAtTheFirstNameSeparator() {
        XCTAssertEqual(split("vpnuser:mailuser", "vpnpw:mailpw"),
                       SplitCredentials(vpnUser: "vpnuser", mailUser: "mailuser", server: nil,
                                        vpnPassword: "vpnpw", mailPassword: "mailpw"))
    }

    func testAnAllowedServerIsTakenFromTheEnd() {
        XCTAssertEqual(split("vpnuser:mailuser@mail2.example.org", "pw"),
                       SplitCredentials(vpnUser: "vpnuser", mailUser: "mailuser", server: "mail2.example.org",
                                        vpnPassword: "pw", mailPassword: "pw"))
        let single = split("bob@127.0.0.2", "pw")
        XCTAssertEqual(single.server, "127.0.0.2")
        XCTAssertEqual(single.mailUser, "bob")
        XCTAssertEqual(single.vpnUser, "bob")
    }

    func testAServerThatIsNotAllowedStaysInTheMailUsername() {
        let split = split("alice@example.org", "pw")
        XCTAssertNil(split.server)
        XCTAssertEqual(split.mailUser, "alice@example.org")
        XCTAssertEqual(split.vpnUser, "alice@example.org")
        let steering = self.split("bob@127.0.0.9", "pw")
        XCTAssertNil(steering.server)
        XCTAssertEqual(steering.mailUser, "bob@127.0.0.9")
    }

    func testOnlyTheLastServerSeparatorCounts() {
        let split = split("vpn:alice@example.org@mail2.example.org", "pw")
        XCTAssertEqual(split.mailUser, "alice@example.org")
        XCTAssertEqual(split.server, "mail2.example.org")
    }

    func testThePasswordSplitsAtTheFirstNameSeparatorOnly() {
        let split = split("a:b", "one:two:three")
        XCTAssertEqual(split.vpnPassword, "one")
        XCTAssertEqual(split.mailPassword, "two:three")
    }

    func testEmptyPartsStayEmpty() {
        let split = split(":mail", ":")
        XCTAssertEqual(split.vpnUser, "")
        XCTAssertEqual(split.mailUser, "mail")
        XCTAssertEqual(split.vpnPassword, "")
        XCTAssertEqual(split.mailPassword, "")
        XCTAssertNil(self.split("bob@", "pw").server)
    }

    func testOtherSeparators() {
        let custom = CredentialSplitter(nameSeparator: "#", serverSeparator: "!")
        let split = custom.split(username: "v#m!mail2.example.org", password: "p#q", isAllowedServer: { $0 == "mail2.example.org" })
        XCTAssertEqual(split, SplitCredentials(vpnUser: "v", mailUser: "m", server: "mail2.example.org",
                                               vpnPassword: "p", mailPassword: "q"))
    }
}
