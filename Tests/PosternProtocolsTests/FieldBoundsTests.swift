import XCTest
@testable import PosternProtocols

/// SPEC §4: a field over its bound gets the protocol's error, no login is asked for, and the
/// session goes on (the next valid login is asked for as usual).
final class FieldBoundsTests: XCTestCase {
    private let long = String(repeating: "u", count: FieldBounds.username + 1)
    private let atTheBound = String(repeating: "u", count: FieldBounds.username)

    private func b64(_ text: String) -> String {
        StrictBase64.encodeToString(text.utf8)
    }

    func testIMAPCredentialsOverTheBoundAreRefusedAndTheNextLoginGoesAhead() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLiteralSize: 8192))
        let actions = machine.receive("a1 LOGIN {\(long.utf8.count)+}\r\n\(long) pw\r\n")
        XCTAssertTrue(actions.authentications.isEmpty)
        XCTAssertEqual(actions.sentText, "a1 NO [LIMIT] Username or password too long\r\n")
        let password = String(repeating: "p", count: FieldBounds.password + 1)
        XCTAssertEqual(machine.receive("a2 AUTHENTICATE PLAIN \(b64("\0alice\0\(password)"))\r\n").sentText,
                       "a2 NO [LIMIT] Username or password too long\r\n")
        let ok = machine.receive("a3 LOGIN {\(atTheBound.utf8.count)+}\r\n\(atTheBound) pw\r\n")
        XCTAssertEqual(ok.authentications.first?.0, LoginCredentials(username: atTheBound, password: "pw"))
    }

    func testIMAPTagOverTheBoundIsRefusedUntagged() {
        var machine = IMAPPreAuthMachine()
        let tag = String(repeating: "t", count: FieldBounds.imapTag + 1)
        let actions = machine.receive("\(tag) LOGIN alice pw\r\n")
        XCTAssertTrue(actions.authentications.isEmpty)
        XCTAssertEqual(actions.sentText, "* BAD Tag too long\r\n")
        let fits = String(repeating: "t", count: FieldBounds.imapTag)
        XCTAssertEqual(machine.receive("\(fits) LOGIN alice pw\r\n").authentications.first?.1, fits)
    }

    func testPOP3UserAndPassOverTheBoundAreRefused() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("USER \(long)\r\n").sentText, "-ERR Username or password too long\r\n")
        XCTAssertEqual(machine.receive("USER alice\r\n").sentText, "+OK\r\n")
        let password = String(repeating: "p", count: FieldBounds.password + 1)
        let refused = machine.receive("PASS \(password)\r\n")
        XCTAssertTrue(refused.authentications.isEmpty)
        XCTAssertEqual(refused.sentText, "-ERR Username or password too long\r\n")
        XCTAssertEqual(machine.receive("PASS pw\r\n").sentText, "-ERR No username given\r\n",
                       "after a refused PASS the client starts again with USER")
        XCTAssertEqual(machine.receive("USER alice\r\nPASS pw\r\n").authentications.first?.0,
                       LoginCredentials(username: "alice", password: "pw"))
    }

    func testSMTPHelloNameAndCredentialsOverTheBoundAreRefused() {
        var machine = SMTPPreAuthMachine()
        let name = String(repeating: "h", count: FieldBounds.ehloName + 1)
        XCTAssertEqual(machine.receive("EHLO \(name)\r\n").sentText, "501 5.5.4 Syntax: EHLO hostname\r\n")
        XCTAssertNil(machine.clientName)
        XCTAssertTrue(machine.receive("EHLO client.example.org\r\n").sentText.hasPrefix("250"))
        let refused = machine.receive("AUTH PLAIN \(b64("\0\(long)\0pw"))\r\n")
        XCTAssertTrue(refused.authentications.isEmpty)
        XCTAssertEqual(refused.sentText, "501 5.5.2 Username or password too long\r\n")
        XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("\0alice\0pw"))\r\n").authentications.first?.0,
                       LoginCredentials(username: "alice", password: "pw"))
    }

    /// RFC 2971 §3.3's largest ID, every octet escaped in quoted strings (the longest spelling).
    private func largestID(tag: String = "a1") -> String {
        let field = "\"" + String(repeating: "\\\"", count: 30) + "\""
        let value = "\"" + String(repeating: "\\\\", count: 1024) + "\""
        let pairs = (0..<30).map { _ in field + " " + value }.joined(separator: " ")
        return "\(tag) ID (\(pairs))\r\n"
    }

    func testTheLargestIDIsAnsweredAndTheSessionGoesOn() {
        var machine = IMAPPreAuthMachine()
        let command = largestID()
        XCTAssertGreaterThan(command.utf8.count, 60_000)
        XCTAssertEqual(machine.receive(command).sentText, "* ID (\"name\" \"postern\")\r\na1 OK ID completed\r\n")
        XCTAssertEqual(machine.receive("a2 LOGIN alice pw\r\n").authentications.first?.0,
                       LoginCredentials(username: "alice", password: "pw"))
    }

    func testTheLargestIDInLiteralsIsAnswered() {
        var machine = IMAPPreAuthMachine()
        let value = String(repeating: "v", count: 1024)
        var text = "a1 ID ("
        for index in 0..<30 {
            text += (index == 0 ? "" : " ") + "\"field\(index)\" {1024+}\r\n" + value
        }
        XCTAssertEqual(machine.receive(text + ")\r\n").sentText, "* ID (\"name\" \"postern\")\r\na1 OK ID completed\r\n")
    }

    func testOnlyIDMayGrowPastTheLineLimit() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 NOID " + String(repeating: "x", count: 20_000) + "\r\n")
        XCTAssertEqual(actions, [.send(bytes("* BAD Line too long\r\n")), .close])
        var second = IMAPPreAuthMachine()
        let over = second.receive("a1 ID (" + String(repeating: "x", count: FieldBounds.imapIDCommand) + "\r\n")
        XCTAssertEqual(over, [.send(bytes("* BAD Line too long\r\n")), .close])
        var third = IMAPPreAuthMachine()
        var literals = "a1 ID ("
        while literals.utf8.count <= FieldBounds.imapIDCommand { literals += "{1000+}\r\n" + String(repeating: "v", count: 1000) + " " }
        XCTAssertEqual(third.receive(literals).last, .close, "literals cannot take an ID past its bound")
    }
}
