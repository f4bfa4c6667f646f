import XCTest
@testable import PosternProtocols

/// What the POP3 dialogue refuses to hold or put up with.
final class POP3PreAuthLimitsTests: XCTestCase {
    func testDefaults() {
        let limits = POP3Limits()
        XCTAssertEqual(limits.maxLineLength, 8192)
        XCTAssertEqual(limits.maxFailedAttempts, 3)
        XCTAssertEqual(limits.maxInvalidCommands, 10)
    }

    func testLineAtTheLimitIsRead() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 10))
        // "USER abcde" is 10 bytes without its CRLF.
        XCTAssertEqual(machine.receive("USER abcde\r\n"), [.usernamePresented, .send(bytes("+OK\r\n"))])
    }

    func testLineOverTheLimitCloses() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 10))
        XCTAssertEqual(machine.receive("USER abcdef\r\nCAPA\r\n"), [.send(bytes("-ERR Line too long\r\n")), .close])
        XCTAssertEqual(machine.receive("CAPA\r\n"), [])
    }

    func testLineOverTheLimitClosesBeforeItsEnd() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 10))
        // Never buffered without bound: no line end needed to refuse it.
        XCTAssertEqual(machine.receiveByteAtATime(String(repeating: "A", count: 100)),
                       [.send(bytes("-ERR Line too long\r\n")), .close])
    }

    func testOverlongSASLResponseCloses() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 20))
        _ = machine.receive("AUTH PLAIN\r\n")
        XCTAssertEqual(machine.receive(String(repeating: "QUFB", count: 10) + "\r\n"),
                       [.send(bytes("-ERR Line too long\r\n")), .close])
    }

    func testDefaultLimitTakesLongInitialResponses() {
        var machine = POP3PreAuthMachine()
        let password = String(repeating: "x", count: FieldBounds.password)
        let response = StrictBase64.encodeToString(Array("\0alice\0\(password)".utf8))
        XCTAssertEqual(machine.receive("AUTH PLAIN \(response)\r\n").authentications.first?.0.password, password)
    }

    func testTooManyInvalidCommands() {
        var machine = POP3PreAuthMachine()
        for number in 1...9 {
            XCTAssertFalse(machine.receive("STAT\r\n").closes, "command \(number)")
        }
        XCTAssertEqual(machine.receive("STAT\r\nCAPA\r\n"),
                       [.send(bytes("-ERR Command unknown or not allowed before authentication\r\n"
                                    + "-ERR Too many invalid commands\r\n")), .close])
        XCTAssertEqual(machine.receive("CAPA\r\n"), [])
    }

    func testEveryKindOfRejectionCounts() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxInvalidCommands: 6))
        let rejected = ["RETR 1\r\n", "PASS x\r\n", "AUTH CRAM-MD5\r\n", "AUTH PLAIN !!!!\r\n", "CAPA x\r\n", "\r\n"]
        var actions: [PreAuthAction] = []
        for line in rejected { actions += machine.receive(line) }
        XCTAssertTrue(actions.closes)
        XCTAssertTrue(actions.sentText.hasSuffix("-ERR Too many invalid commands\r\n"), actions.sentText)
    }

    func testAcceptedCommandsDoNotCount() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxInvalidCommands: 2))
        XCTAssertFalse(machine.receive("STAT\r\n").closes)
        for _ in 0..<20 {
            XCTAssertFalse(machine.receive("CAPA\r\nAUTH\r\nUSER alice\r\nAUTH LOGIN\r\n*\r\n").closes)
        }
        XCTAssertTrue(machine.receive("STAT\r\n").closes)
    }

    func testInputWhileAuthenticatingIsBounded() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 16))
        _ = machine.receive("USER alice\r\nPASS pw\r\n")
        // Held up to four lines' worth, then refused.
        XCTAssertEqual(machine.receive(String(repeating: "x", count: 64)), [])
        XCTAssertEqual(machine.receive("y"), [.send(bytes("-ERR Too much input while authenticating\r\n")), .close])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), [])
    }
}
