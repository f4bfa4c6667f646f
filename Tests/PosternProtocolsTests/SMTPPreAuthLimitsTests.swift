import XCTest
@testable import PosternProtocols

/// Line and error limits, and feeding patterns (one chunk, byte at a time).
final class SMTPPreAuthLimitsTests: XCTestCase {
    private func b64(_ text: String) -> String {
        StrictBase64.encodeToString(text.utf8)
    }

    func testDefaultLimits() {
        let limits = SMTPLimits()
        XCTAssertEqual(limits.maxLineLength, 8192)
        XCTAssertEqual(limits.maxFailedAttempts, 3)
        XCTAssertEqual(limits.maxInvalidCommands, 10)
    }

    func testLineAtTheLimitIsAccepted() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxLineLength: 64))
        let line = "NOOP " + String(repeating: "x", count: 59)
        XCTAssertEqual(line.utf8.count, 64)
        XCTAssertEqual(machine.receive(line + "\r\n").sentText, "250 2.0.0 OK\r\n")
        XCTAssertEqual(machine.receive(line + "\n").sentText, "250 2.0.0 OK\r\n")
    }

    func testOverlongLineClosesWithoutWaitingForItsEnd() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxLineLength: 64))
        XCTAssertEqual(machine.receive("NOOP " + String(repeating: "x", count: 60)), [])
        XCTAssertEqual(machine.receive("x"), [.send(bytes("500 5.5.6 Line too long\r\n")), .close])
        XCTAssertEqual(machine.receive("\r\nNOOP\r\n"), [])
    }

    func testOverlongLineDetectedAtLineEnd() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxLineLength: 64))
        // 65 bytes then a bare LF: the 65th byte could have been a CR, so it is judged at the LF.
        XCTAssertEqual(machine.receive(String(repeating: "x", count: 65) + "\n"),
                       [.send(bytes("500 5.5.6 Line too long\r\n")), .close])
    }

    func testDefaultLimitRefusesAnOverlongLine() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("NOOP " + String(repeating: "x", count: 9000) + "\r\n"),
                       [.send(bytes("500 5.5.6 Line too long\r\n")), .close])
    }

    func testOverlongSASLResponseCloses() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxLineLength: 64))
        _ = machine.receive("EHLO c\r\nAUTH PLAIN\r\n")
        XCTAssertEqual(machine.receive(String(repeating: "A", count: 68) + "\r\n"),
                       [.send(bytes("500 5.5.6 Line too long\r\n")), .close])
    }

    func testTooManyInvalidCommands() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxInvalidCommands: 4))
        let actions = machine.receive("XYZZY\r\nMAIL FROM:<>\r\nSTARTTLS\r\nNOOP\r\nEHLO\r\nNOOP\r\n")
        XCTAssertEqual(actions, [
            .send(bytes("500 5.5.2 Command not recognized\r\n530 5.7.0 Authentication required\r\n"
                        + "503 5.5.1 TLS already active\r\n250 2.0.0 OK\r\n501 5.5.4 Syntax: EHLO hostname\r\n"
                        + "421 4.7.0 Too many errors\r\n")),
            .close,
        ])
        XCTAssertEqual(machine.receive("NOOP\r\n"), [])
    }

    func testAuthenticationErrorsCountAsInvalidCommands() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxInvalidCommands: 3))
        _ = machine.receive("EHLO c\r\n")
        let actions = machine.receive("AUTH CRAM-MD5\r\nAUTH PLAIN !!!!\r\nAUTH PLAIN \(b64("x"))\r\n")
        XCTAssertEqual(actions.sentText, "504 5.5.4 Unrecognized authentication type\r\n501 5.5.2 Cannot decode response\r\n"
                       + "501 5.5.2 Invalid authentication response\r\n421 4.7.0 Too many errors\r\n")
        XCTAssertTrue(actions.closes)
    }

    func testCancellingIsNotAnError() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxInvalidCommands: 1))
        _ = machine.receive("EHLO c\r\n")
        for _ in 0..<3 {
            XCTAssertFalse(machine.receive("AUTH LOGIN\r\n*\r\n").closes)
        }
    }

    func testPendingInputWhileAuthenticatingIsBounded() {
        var machine = SMTPPreAuthMachine(limits: SMTPLimits(maxLineLength: 64))
        _ = machine.receive("EHLO c\r\nAUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.receive(String(repeating: "x", count: 256)), [])
        XCTAssertEqual(machine.receive("x"), [.send(bytes("421 4.7.0 Too much input while authenticating\r\n")), .close])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), [])
    }

    func testByteAtATimeMatchesOneChunk() {
        let script = "EHLO client.example\r\nNOOP\r\nMAIL FROM:<a@example.org>\r\nAUTH LOGIN\r\n\(b64("alice"))\r\n"
            + "\(b64("s3cret"))\r\nMAIL FROM:<a@example.org>\r\n"
        var whole = SMTPPreAuthMachine()
        var slow = SMTPPreAuthMachine()
        let wholeActions = whole.receive(script)
        let slowActions = slow.receiveByteAtATime(script)
        XCTAssertEqual(slowActions.normalized, wholeActions.normalized)
        XCTAssertEqual(wholeActions.authentications.first?.0, LoginCredentials(username: "alice", password: "s3cret"))
        XCTAssertEqual(whole.loginFinished(.success), slow.loginFinished(.success))
        XCTAssertEqual(whole.takeLeftover(), bytes("MAIL FROM:<a@example.org>\r\n"))
        XCTAssertEqual(slow.takeLeftover(), bytes("MAIL FROM:<a@example.org>\r\n"))
        XCTAssertEqual(slow.clientName, "client.example")
    }

    func testByteAtATimeWithCRLFSplit() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receiveByteAtATime("EHLO c\r\nAUTH PLAIN\r\n").sentText,
                       "250-postern\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN\r\n"
                       + "334 \r\n")
        XCTAssertEqual(machine.receiveByteAtATime("\(b64("\0alice\0s3cret"))\r\n").authentications.count, 1)
    }
}
