import XCTest
@testable import PosternProtocols

/// The commands that do not log in: greeting, CAPABILITY, NOOP, LOGOUT, ID, refused ones.
final class IMAPPreAuthCommandsTests: XCTestCase {
    private let capabilities = "IMAP4rev1 ID SASL-IR LITERAL+ AUTH=PLAIN AUTH=LOGIN"

    func testGreetingCarriesCapabilities() {
        XCTAssertEqual(IMAPPreAuthMachine.capabilities, capabilities)
        let machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.greeting(), bytes("* OK [CAPABILITY \(capabilities)] postern ready\r\n"))
    }

    func testGreetingTextCannotInjectALine() {
        let machine = IMAPPreAuthMachine(greetingText: "hello\r\n* BYE")
        XCTAssertEqual(machine.greeting(), bytes("* OK [CAPABILITY \(capabilities)] hello  * BYE\r\n"))
    }

    func testCapability() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 CAPABILITY\r\n")
        XCTAssertEqual(actions, [.send(bytes("* CAPABILITY \(capabilities)\r\na1 OK CAPABILITY completed\r\n"))])
    }

    func testCommandsAreCaseInsensitive() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 capability\r\n").sentText,
                       "* CAPABILITY \(capabilities)\r\na1 OK CAPABILITY completed\r\n")
        XCTAssertEqual(machine.receive("a2 NoOp\r\n").sentText, "a2 OK NOOP completed\r\n")
    }

    func testNoopAcceptsBareLF() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("x NOOP\n").sentText, "x OK NOOP completed\r\n")
    }

    func testLogoutClosesAfterReplies() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 LOGOUT\r\na2 NOOP\r\n")
        XCTAssertEqual(actions, [.send(bytes("* BYE Logging out\r\na1 OK LOGOUT completed\r\n")), .close])
        XCTAssertEqual(machine.receive("a3 NOOP\r\n"), [])
    }

    func testIDWithNilAndWithList() {
        var machine = IMAPPreAuthMachine()
        let reply = "* ID (\"name\" \"postern\")\r\n"
        XCTAssertEqual(machine.receive("a1 ID NIL\r\n").sentText, reply + "a1 OK ID completed\r\n")
        XCTAssertEqual(machine.receive("a2 ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n").sentText,
                       reply + "a2 OK ID completed\r\n")
        XCTAssertEqual(machine.receive("a3 ID ()\r\n").sentText, reply + "a3 OK ID completed\r\n")
        XCTAssertEqual(machine.receive("a4 ID (\"os\" {5+}\r\nLinux)\r\n").sentText, reply + "a4 OK ID completed\r\n")
    }

    func testIDSyntaxErrors() {
        var machine = IMAPPreAuthMachine()
        for (command, reason) in [("a1 ID", "Missing arguments"), ("a1 ID FOO", "Syntax error: invalid list"),
                                  ("a1 ID (\"name\")", "Syntax error: expected a space"),
                                  ("a1 ID (\"name\" \"x\"", "Missing arguments"),
                                  ("a1 ID NIL extra", "Unexpected arguments")] {
            XCTAssertEqual(machine.receive(command + "\r\n").sentText, "a1 BAD \(reason)\r\n", command)
        }
    }

    func testCommandsTakingNoArgumentsRefuseThem() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 NOOP x\r\n").sentText, "a1 BAD Unexpected arguments\r\n")
        XCTAssertEqual(machine.receive("a2 CAPABILITY x\r\n").sentText, "a2 BAD Unexpected arguments\r\n")
    }

    func testOtherCommandsAreRefusedBeforeAuthentication() {
        var machine = IMAPPreAuthMachine()
        for command in ["SELECT INBOX", "STARTTLS", "FETCH 1 BODY[]", "XYZZY", "LIST \"\" *"] {
            let actions = machine.receive("t7 \(command)\r\n")
            XCTAssertEqual(actions, [.send(bytes("t7 BAD Command unknown or not allowed before authentication\r\n"))],
                           command)
        }
    }

    func testUntaggedBadWhenNoTagIsUsable() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("\r\n").sentText, "* BAD Empty command line\r\n")
        XCTAssertEqual(machine.receive("+a NOOP\r\n").sentText, "* BAD Invalid tag\r\n")
        XCTAssertEqual(machine.receive("a\"b NOOP\r\n").sentText, "* BAD Invalid tag\r\n")
        XCTAssertEqual(machine.receive(" NOOP\r\n").sentText, "* BAD Invalid tag\r\n")
        XCTAssertEqual(machine.receive("a*1 NOOP\r\n").sentText, "* BAD Invalid tag\r\n")
    }

    func testTagGrammar() {
        var machine = IMAPPreAuthMachine()
        // "]" is an ASTRING-CHAR, so allowed in a tag; "+" is not.
        XCTAssertEqual(machine.receive("a]1 NOOP\r\n").sentText, "a]1 OK NOOP completed\r\n")
        XCTAssertEqual(machine.receive("A.001 NOOP\r\n").sentText, "A.001 OK NOOP completed\r\n")
        XCTAssertEqual(machine.receive("a+ NOOP\r\n").sentText, "* BAD Invalid tag\r\n")
        XCTAssertEqual(machine.receive("a1\r\n").sentText, "a1 BAD Missing command\r\n")
        XCTAssertEqual(machine.receive("a1 \r\n").sentText, "a1 BAD Missing command\r\n")
    }

    func testNulByteIsRefused() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 NO\u{0}OP\r\n").sentText, "a1 BAD NUL byte in command\r\n")
        XCTAssertEqual(machine.receive("a2 LOGIN alice {3+}\r\nx\u{0}y\r\n").sentText,
                       "a2 BAD NUL byte in command\r\n")
        XCTAssertEqual(machine.receive("\u{0}\r\n").sentText, "* BAD Invalid tag\r\n")
        // Still in step afterwards.
        XCTAssertEqual(machine.receive("a3 NOOP\r\n").sentText, "a3 OK NOOP completed\r\n")
    }

    func testTooManyInvalidCommandsCloses() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxInvalidCommands: 3))
        XCTAssertFalse(machine.receive("a1 FOO\r\na2 BAR\r\n").closes)
        let actions = machine.receive("a3 BAZ\r\na4 NOOP\r\n")
        XCTAssertEqual(actions.sentText, "a3 BAD Command unknown or not allowed before authentication\r\n"
            + "* BYE Too many invalid commands\r\n")
        XCTAssertEqual(actions.last, .close)
    }

    func testPipelinedCommandsInOneChunk() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 NOOP\r\na2 CAPABILITY\r\na3 ID NIL\r\na4 SELECT INBOX\r\na5 LOGOUT\r\n")
        XCTAssertEqual(actions, [.send(bytes("a1 OK NOOP completed\r\n"
            + "* CAPABILITY \(capabilities)\r\na2 OK CAPABILITY completed\r\n"
            + "* ID (\"name\" \"postern\")\r\na3 OK ID completed\r\n"
            + "a4 BAD Command unknown or not allowed before authentication\r\n"
            + "* BYE Logging out\r\na5 OK LOGOUT completed\r\n")), .close])
    }
}
