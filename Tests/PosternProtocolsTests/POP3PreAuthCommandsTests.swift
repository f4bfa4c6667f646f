import XCTest
@testable import PosternProtocols

/// The POP3 greeting and every command before login other than the logins themselves.
final class POP3PreAuthCommandsTests: XCTestCase {
    static let capaReply = "+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nIMPLEMENTATION postern\r\n.\r\n"

    func testGreeting() {
        XCTAssertEqual(POP3PreAuthMachine().greeting(), bytes("+OK postern ready\r\n"))
        XCTAssertEqual(POP3PreAuthMachine(greetingText: "mail.example.org POP3").greeting(),
                       bytes("+OK mail.example.org POP3\r\n"))
        // A configured text can neither add a line nor be empty.
        XCTAssertEqual(POP3PreAuthMachine(greetingText: "hi\r\n-ERR x").greeting(), bytes("+OK hi  -ERR x\r\n"))
        XCTAssertEqual(POP3PreAuthMachine(greetingText: "").greeting(), bytes("+OK postern ready\r\n"))
    }

    func testCapaListsOnlyWhatWorksBeforeLogin() {
        var machine = POP3PreAuthMachine()
        let actions = machine.receive("CAPA\r\n")
        XCTAssertEqual(actions, [.send(bytes(Self.capaReply))])
        for absent in ["TOP", "UIDL", "PIPELINING", "STLS", "APOP", "EXPIRE"] {
            XCTAssertFalse(actions.sentText.contains(absent), absent)
        }
    }

    func testCommandsAreCaseInsensitive() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("capa\r\n").sentText, Self.capaReply)
        XCTAssertEqual(machine.receive("CaPa\r\n").sentText, Self.capaReply)
        XCTAssertEqual(machine.receive("user alice\r\n"), [.usernamePresented, .send(bytes("+OK\r\n"))])
        XCTAssertEqual(machine.receive("pAsS pw\r\n"),
                       [.authenticate(LoginCredentials(username: "alice", password: "pw"), tag: "")])
    }

    func testCapaTakesNoArguments() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("CAPA now\r\n").sentText, "-ERR Unexpected arguments\r\n")
    }

    func testUserPresentsTheUsernameOncePerConnection() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("USER alice\r\n"), [.usernamePresented, .send(bytes("+OK\r\n"))])
        XCTAssertEqual(machine.receive("USER bob\r\n"), [.send(bytes("+OK\r\n"))])
        // The last USER counts.
        XCTAssertEqual(machine.receive("PASS pw\r\n").authentications.first?.0.username, "bob")
    }

    func testUserArguments() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("USER\r\n").sentText, "-ERR Missing argument\r\n")
        XCTAssertEqual(machine.receive("USER \r\n").sentText, "-ERR Missing argument\r\n")
        XCTAssertEqual(machine.receive("USER al\u{7}ice\r\n").sentText, "-ERR Invalid username\r\n")
        XCTAssertEqual(machine.receive(Array("USER ".utf8) + [0xFF, 0xFE] + ASCII.crlf).sentText,
                       "-ERR Invalid UTF-8 in arguments\r\n")
        // None of these presented a username.
        XCTAssertEqual(machine.receive("USER alice:bob@mail.example.org\r\n"),
                       [.usernamePresented, .send(bytes("+OK\r\n"))])
    }

    func testPassWithoutUser() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("PASS secret\r\n"), [.send(bytes("-ERR No username given\r\n"))])
        XCTAssertEqual(machine.receive("PASS\r\n"), [.send(bytes("-ERR Missing argument\r\n"))])
    }

    func testAuthAloneListsMechanisms() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH\r\n"), [.send(bytes("+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n"))])
    }

    func testAuthSyntax() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH \r\n").sentText, "-ERR Syntax error in arguments\r\n")
        XCTAssertEqual(machine.receive("AUTH PLAIN a b\r\n").sentText, "-ERR Syntax error in arguments\r\n")
        XCTAssertEqual(machine.receive("AUTH PLAIN  AGE=\r\n").sentText, "-ERR Syntax error in arguments\r\n")
    }

    func testQuit() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("QUIT\r\nCAPA\r\n"), [.send(bytes("+OK Bye\r\n")), .close])
        XCTAssertEqual(machine.receive("CAPA\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
    }

    func testCommandsOfOtherStatesAreRefused() {
        for command in ["STAT", "LIST", "LIST 1", "RETR 1", "DELE 1", "TOP 1 10", "UIDL", "NOOP", "RSET",
                        "STLS", "APOP alice 0123456789abcdef0123456789abcdef", "XCLIENT ADDR=1.2.3.4", "HELO x"] {
            var machine = POP3PreAuthMachine()
            XCTAssertEqual(machine.receive(command + "\r\n"),
                           [.send(bytes("-ERR Command unknown or not allowed before authentication\r\n"))], command)
        }
    }

    func testEmptyLineAndNUL() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("\r\n").sentText, "-ERR Empty command line\r\n")
        XCTAssertEqual(machine.receive(bytes("USER al") + [0] + bytes("ice\r\n")).sentText,
                       "-ERR NUL byte in command\r\n")
        XCTAssertEqual(machine.receive(bytes("PASS a") + [0] + bytes("b\r\n")).sentText,
                       "-ERR NUL byte in command\r\n")
    }

    func testBareLFEndsALine() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("CAPA\n").sentText, Self.capaReply)
    }

    func testPipelinedCommandsAnswerInOrderInOneWrite() {
        var machine = POP3PreAuthMachine()
        let actions = machine.receive("CAPA\r\nAUTH\r\nNOOP\r\nUSER alice\r\n")
        XCTAssertEqual(actions, [
            .send(bytes(Self.capaReply + "+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n"
                + "-ERR Command unknown or not allowed before authentication\r\n")),
            .usernamePresented,
            .send(bytes("+OK\r\n")),
        ])
    }

    func testByteAtATimeGivesTheSameAnswers() {
        let script = "CAPA\r\nAUTH\r\nSTAT\r\nUSER alice\r\nPASS pass word\r\n"
        var whole = POP3PreAuthMachine()
        var slow = POP3PreAuthMachine()
        let expected = whole.receive(script)
        XCTAssertEqual(slow.receiveByteAtATime(script).normalized, expected)
        XCTAssertEqual(expected.authentications.first?.0, LoginCredentials(username: "alice", password: "pass word"))
    }

    func testSyntaxParsing() {
        XCTAssertEqual(try POP3PreAuthCommand.parse(bytes("AUTH login dXNlcg==")).get(),
                       .auth(mechanism: bytes("login"), initialResponse: bytes("dXNlcg==")))
        XCTAssertEqual(try POP3PreAuthCommand.parse(bytes("AUTH PLAIN")).get(),
                       .auth(mechanism: bytes("PLAIN"), initialResponse: nil))
        XCTAssertEqual(try POP3PreAuthCommand.parse(bytes("PASS ")).get(), .pass(""))
        XCTAssertEqual(try POP3PreAuthCommand.parse(bytes("PASS  two  spaces ")).get(), .pass(" two  spaces "))
        // Keywords fold as ASCII only: a dotless ı is not an i.
        XCTAssertEqual(try POP3PreAuthCommand.parse(bytes("quıt")).get(), .other)
        XCTAssertEqual(try POP3PreAuthCommand.parse(bytes("QUIT ")).get(), .quit, "an empty argument is still one")
    }
}

// MARK: - Test support for the POP3 dialogues

extension POP3PreAuthMachine {
    mutating func receive(_ text: String) -> [PreAuthAction] {
        receive(Array(text.utf8))
    }

    /// Feeds the bytes one at a time, as a slow client would.
    mutating func receiveByteAtATime(_ text: String) -> [PreAuthAction] {
        var actions: [PreAuthAction] = []
        for byte in text.utf8 { actions += receive(CollectionOfOne(byte)) }
        return actions
    }
}

extension POP3UpstreamLogin {
    mutating func receive(_ text: String) -> [UpstreamLoginAction] {
        receive(Array(text.utf8))
    }

    /// Feeds the bytes one at a time, as a slow mail host would.
    mutating func receiveByteAtATime(_ text: String) -> [UpstreamLoginAction] {
        var actions: [UpstreamLoginAction] = []
        for byte in text.utf8 { actions += receive(CollectionOfOne(byte)) }
        return actions
    }
}
