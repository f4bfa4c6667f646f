import XCTest
@testable import PosternProtocols

/// AUTH PLAIN and LOGIN (RFC 4954), and what follows a login's outcome.
final class SMTPPreAuthLoginTests: XCTestCase {
    private let alice = LoginCredentials(username: "alice", password: "s3cret")

    private func b64(_ text: String) -> String {
        StrictBase64.encodeToString(text.utf8)
    }

    /// A machine that has seen EHLO.
    private func greeted(_ limits: SMTPLimits = .init()) -> SMTPPreAuthMachine {
        var machine = SMTPPreAuthMachine(limits: limits)
        _ = machine.receive("EHLO client.example\r\n")
        return machine
    }

    // MARK: PLAIN

    func testPlainWithInitialResponse() {
        var machine = greeted()
        let actions = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(alice, tag: "")])
    }

    func testPlainWithoutInitialResponse() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("auth plain\r\n"), [.usernamePresented, .send(bytes("334 \r\n"))])
        XCTAssertEqual(machine.receive("\(b64("alice\0alice\0s3cret"))\r\n"), [.authenticate(alice, tag: "")])
    }

    func testPlainEmptyInitialResponseIsInvalid() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH PLAIN =\r\n").sentText, "501 5.5.2 Invalid authentication response\r\n")
    }

    func testPlainWithAnotherAuthorizationIdentityIsRefused() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("bob\0alice\0s3cret"))\r\n").sentText,
                       "535 5.7.8 Authorization identity not permitted\r\n")
    }

    func testPlainMalformedMessages() {
        var machine = greeted()
        for message in ["alice\0s3cret", "\0\0s3cret", "\0alice\0", "\0al\u{7}ice\0pw"] {
            XCTAssertEqual(machine.receive("AUTH PLAIN \(b64(message))\r\n").sentText,
                           "501 5.5.2 Invalid authentication response\r\n", message.debugDescription)
        }
    }

    // MARK: LOGIN

    func testLoginDialogue() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH LOGIN\r\n"), [.usernamePresented, .send(bytes("334 VXNlcm5hbWU6\r\n"))])
        XCTAssertEqual(machine.receive("\(b64("alice"))\r\n"), [.send(bytes("334 UGFzc3dvcmQ6\r\n"))])
        XCTAssertEqual(machine.receive("\(b64("s3cret"))\r\n"), [.authenticate(alice, tag: "")])
    }

    func testLoginWithInitialResponse() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH LOGIN \(b64("alice"))\r\n"),
                       [.usernamePresented, .send(bytes("334 UGFzc3dvcmQ6\r\n"))])
        XCTAssertEqual(machine.receive("\(b64("s3cret"))\r\n").authentications.first?.0, alice)
    }

    func testLoginEmptyPasswordWithEquals() {
        // "=" means empty only as an initial response; as a later response an empty line is empty.
        var machine = greeted()
        _ = machine.receive("AUTH LOGIN \(b64("alice"))\r\n")
        XCTAssertEqual(machine.receive("\r\n").authentications.first?.0, LoginCredentials(username: "alice", password: ""))
    }

    func testLoginEmptyUsernameIsInvalid() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH LOGIN =\r\n").sentText, "501 5.5.2 Invalid authentication response\r\n")
    }

    // MARK: Errors within AUTH

    func testCancel() {
        var machine = greeted()
        _ = machine.receive("AUTH LOGIN\r\n")
        XCTAssertEqual(machine.receive("*\r\n"), [.send(bytes("501 5.0.0 Authentication cancelled\r\n"))])
        _ = machine.receive("AUTH LOGIN\r\n\(b64("alice"))\r\n")
        XCTAssertEqual(machine.receive("*\r\n").sentText, "501 5.0.0 Authentication cancelled\r\n")
        // Back to commands, and the username was presented once only.
        XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n"), [.authenticate(alice, tag: "")])
    }

    func testBadBase64() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH PLAIN AGFsaWNlAHMzY3JldA\r\n").sentText,
                       "501 5.5.2 Cannot decode response\r\n")
        _ = machine.receive("AUTH PLAIN\r\n")
        XCTAssertEqual(machine.receive("not base64!\r\n").sentText, "501 5.5.2 Cannot decode response\r\n")
        // The exchange is over: the next line is a command again.
        XCTAssertEqual(machine.receive("NOOP\r\n").sentText, "250 2.0.0 OK\r\n")
    }

    func testCommandsInsideAnExchangeAreResponses() {
        var machine = greeted()
        _ = machine.receive("AUTH LOGIN\r\n")
        XCTAssertEqual(machine.receive("QUIT now\r\n").sentText, "501 5.5.2 Cannot decode response\r\n")
    }

    func testUnknownMechanism() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH CRAM-MD5\r\n"), [.send(bytes("504 5.5.4 Unrecognized authentication type\r\n"))])
        // Not a presented username: the mechanism was never started.
        XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n").first, .usernamePresented)
    }

    func testAuthSyntax() {
        var machine = greeted()
        XCTAssertEqual(machine.receive("AUTH\r\n").sentText, "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n")
        XCTAssertEqual(machine.receive("AUTH PLAIN a b\r\n").sentText,
                       "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n")
    }

    func testAuthNeedsEHLO() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n"),
                       [.send(bytes("503 5.5.1 EHLO first\r\n"))])
        _ = machine.receive("HELO c\r\n")
        XCTAssertEqual(machine.receive("AUTH LOGIN\r\n").sentText, "503 5.5.1 EHLO first\r\n")
        _ = machine.receive("EHLO c\r\n")
        XCTAssertEqual(machine.receive("AUTH LOGIN\r\n").sentText, "334 VXNlcm5hbWU6\r\n")
    }

    // MARK: Outcomes

    func testSuccessSendsNothingAndEndsTheDialogue() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.receive("NOOP\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.failure), [])
    }

    func testLoginFinishedWithoutALoginDoesNothing() {
        var machine = greeted()
        XCTAssertEqual(machine.loginFinished(.failure), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.receive("NOOP\r\n").sentText, "250 2.0.0 OK\r\n")
    }

    func testFailureAllowsAnotherAttempt() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0wrong"))\r\n")
        XCTAssertEqual(machine.loginFinished(.failure), [.send(bytes("535 5.7.8 Authentication credentials invalid\r\n"))])
        XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n"), [.authenticate(alice, tag: "")])
    }

    func testTemporaryFailureIsNotCounted() {
        var machine = greeted(SMTPLimits(maxFailedAttempts: 2))
        for _ in 0..<5 {
            _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
            XCTAssertEqual(machine.loginFinished(.temporaryFailure),
                           [.send(bytes("454 4.7.0 Temporary authentication failure\r\n"))])
        }
    }

    func testTooManyFailures() {
        var machine = greeted()
        for attempt in 1...3 {
            XCTAssertEqual(machine.receive("AUTH PLAIN \(b64("\0alice\0wrong"))\r\n").authentications.count, 1)
            let actions = machine.loginFinished(.failure)
            if attempt < 3 {
                XCTAssertEqual(actions.sentText, "535 5.7.8 Authentication credentials invalid\r\n")
            } else {
                XCTAssertEqual(actions, [.send(bytes("535 5.7.8 Authentication credentials invalid\r\n"
                                                     + "421 4.7.0 Too many failed attempts\r\n")), .close])
            }
        }
        XCTAssertEqual(machine.receive("NOOP\r\n"), [])
    }

    func testMailHostRefusalIsPassedOn() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "535 5.7.8 Account locked")),
                       [.send(bytes("535 5.7.8 Account locked\r\n"))])
    }

    func testMultiLineMailHostRefusalIsRebuilt() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        // Continuation marks come from postern, whatever the reply carried.
        let reply = "534-5.7.9 Please log in\r\n534 5.7.9 via the web"
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: reply)).sentText, reply + "\r\n")
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "535 one\n535-two\r\n535")).sentText,
                       "535-one\r\n535-two\r\n535 \r\n")
    }

    func testMailHostRefusalThatIsNotARefusalGetsTheGenericReply() {
        for reply in ["", "235 2.7.0 Authentication successful", "OK", "53 short", "535x5.7.8", "535 a\r\n454 b",
                      "535 a\r\n250 injected", "-ERR [IN-USE] locked", String(repeating: "535-x\r\n", count: 11)] {
            var machine = greeted()
            _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
            XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: reply)).sentText,
                           "535 5.7.8 Authentication credentials invalid\r\n", reply.debugDescription)
        }
    }

    func testMailHostRefusalControlCharactersAreNeutralised() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "535 a\u{0}b\u{1B}c\rd")).sentText,
                       "535 a b c d\r\n")
    }

    func testTransientMailHostRefusalIsNotCounted() {
        var machine = greeted(SMTPLimits(maxFailedAttempts: 1))
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "454 4.7.0 Try again later")),
                       [.send(bytes("454 4.7.0 Try again later\r\n"))])
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "535 5.7.8 No")),
                       [.send(bytes("535 5.7.8 No\r\n421 4.7.0 Too many failed attempts\r\n")), .close])
    }

    func testMalformedMailHostRefusalIsCounted() {
        var machine = greeted(SMTPLimits(maxFailedAttempts: 1))
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n")
        XCTAssertTrue(machine.loginFinished(.refusedByMailHost(reply: "garbage")).closes)
    }

    // MARK: Pipelining

    func testPipelinedEHLOAuthAndMailLeaveTheMailForTheMailHost() {
        var machine = SMTPPreAuthMachine()
        let actions = machine.receive("EHLO c\r\nAUTH PLAIN \(b64("\0alice\0s3cret"))\r\nMAIL FROM:<alice@example.org>\r\n")
        XCTAssertEqual(actions, [.send(bytes("250-postern\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
                                             + "250 AUTH PLAIN LOGIN\r\n")),
                                 .usernamePresented, .authenticate(alice, tag: "")])
        XCTAssertEqual(machine.receive("RCPT TO:<bob@example.org>\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"))
    }

    func testHeldCommandsAreAnsweredAfterAFailure() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0wrong"))\r\nMAIL FROM:<a@example.org>\r\nNO")
        XCTAssertEqual(machine.loginFinished(.failure).sentText,
                       "535 5.7.8 Authentication credentials invalid\r\n530 5.7.0 Authentication required\r\n")
        XCTAssertEqual(machine.receive("OP\r\n").sentText, "250 2.0.0 OK\r\n")
    }

    func testHeldAuthIsStartedAfterAFailure() {
        var machine = greeted()
        _ = machine.receive("AUTH PLAIN \(b64("\0alice\0wrong"))\r\nAUTH PLAIN \(b64("\0alice\0s3cret"))\r\nQUIT\r\n")
        XCTAssertEqual(machine.loginFinished(.failure),
                       [.send(bytes("535 5.7.8 Authentication credentials invalid\r\n")), .authenticate(alice, tag: "")])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("QUIT\r\n"))
    }
}
