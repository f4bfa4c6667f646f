import XCTest
@testable import PosternProtocols

/// LOGIN and AUTHENTICATE, and what follows a login's outcome.
final class IMAPPreAuthLoginTests: XCTestCase {
    private func credentials(_ username: String, _ password: String) -> LoginCredentials {
        LoginCredentials(username: username, password: password)
    }

    // MARK: LOGIN

    func testLoginWithAtoms() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 LOGIN alice s3cret\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(credentials("alice", "s3cret"), tag: "a1")])
    }

    func testLoginWithQuotedStrings() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 login \"alice:bob@mail\" \"pass word\"\r\n")
        XCTAssertEqual(actions.authentications.first?.0, credentials("alice:bob@mail", "pass word"))
    }

    func testLoginWithEscapedQuotedString() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive(#"a1 LOGIN "al\"ice" "p\\w\"d""# + "\r\n")
        XCTAssertEqual(actions.authentications.first?.0, credentials("al\"ice", #"p\w"d"#))
    }

    func testLoginWithEmptyQuotedPassword() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 LOGIN alice \"\"\r\n").authentications.first?.0, credentials("alice", ""))
    }

    func testLoginQuotedStringSyntaxErrors() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive(#"a1 LOGIN "al\ice" pw"# + "\r\n").sentText,
                       "a1 BAD Syntax error: invalid quoted string\r\n")
        XCTAssertEqual(machine.receive("a2 LOGIN \"alice pw\r\n").sentText,
                       "a2 BAD Syntax error: invalid quoted string\r\n")
        XCTAssertEqual(machine.receive("a3 LOGIN alice\r\n").sentText, "a3 BAD Missing arguments\r\n")
        XCTAssertEqual(machine.receive("a4 LOGIN alice pw extra\r\n").sentText, "a4 BAD Unexpected arguments\r\n")
        XCTAssertEqual(machine.receive("a5 LOGIN alice  pw\r\n").sentText,
                       "a5 BAD Syntax error: invalid characters\r\n")
        XCTAssertEqual(machine.receive("a6 LOGIN (alice) pw\r\n").sentText,
                       "a6 BAD Syntax error: invalid characters\r\n")
    }

    func testUnterminatedQuoteEndingInBraceIsNotALiteral() {
        var machine = IMAPPreAuthMachine()
        // Inside a quoted string "{5}" is text, so no continuation request is sent.
        XCTAssertEqual(machine.receive("a1 LOGIN \"alice {5}\r\n").sentText,
                       "a1 BAD Syntax error: invalid quoted string\r\n")
        XCTAssertEqual(machine.receive("a2 LOGIN \"a\\\"{5}\" {2}\r\n").sentText, "+ Ready for literal data\r\n")
        XCTAssertEqual(machine.receive("pw\r\n").authentications.first?.0, credentials("a\"{5}", "pw"))
    }

    func testLoginWithSynchronisingLiterals() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 LOGIN {5}\r\n"), [.send(bytes("+ Ready for literal data\r\n"))])
        XCTAssertEqual(machine.receive("alice {8}\r\n"), [.send(bytes("+ Ready for literal data\r\n"))])
        let actions = machine.receive("pa ss\r\n\"\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(credentials("alice", "pa ss\r\n\""), tag: "a1")])
    }

    func testLoginWithNonSynchronisingLiterals() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 LOGIN {5+}\r\nalice {6+}\r\ns3cret\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(credentials("alice", "s3cret"), tag: "a1")])
    }

    func testLoginWithEmptyAndUTF8Literals() {
        var machine = IMAPPreAuthMachine()
        let password = "pässwörd"
        let actions = machine.receive("a1 LOGIN jörg {\(password.utf8.count)+}\r\n\(password)\r\n")
        // "jörg" as an atom is not allowed (atoms are 7-bit).
        XCTAssertEqual(actions.sentText, "a1 BAD Syntax error: expected a space\r\n")
        let second = machine.receive("a2 LOGIN {5+}\r\njörg {\(password.utf8.count)+}\r\n\(password)\r\n")
        XCTAssertEqual(second.authentications.first?.0, credentials("jörg", password))
        _ = machine.loginFinished(.failure)
        XCTAssertEqual(machine.receive("a3 LOGIN alice {0}\r\n").sentText, "+ Ready for literal data\r\n")
        XCTAssertEqual(machine.receive("\r\n").authentications.first?.0, credentials("alice", ""))
    }

    func testLoginRefusesInvalidUTF8AndControlCharactersInUsername() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive(bytes("a1 LOGIN {2+}\r\n") + [0xC3, 0x28] + bytes(" pw\r\n")).sentText,
                       "a1 BAD Invalid UTF-8 in arguments\r\n")
        XCTAssertEqual(machine.receive("a2 LOGIN {11+}\r\nalice\r\nevil pw\r\n").sentText,
                       "a2 BAD Invalid username\r\n")
        XCTAssertEqual(machine.receive("a3 LOGIN \"\" pw\r\n").sentText, "a3 BAD Invalid username\r\n")
    }

    func testInvalidLiteralAnnouncementsAreSyntaxErrors() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 LOGIN {} pw\r\n").sentText, "a1 BAD Syntax error: invalid literal\r\n")
        XCTAssertEqual(machine.receive("a2 LOGIN {x}\r\n").sentText, "a2 BAD Syntax error: invalid literal\r\n")
        XCTAssertEqual(machine.receive("a3 LOGIN {+}\r\n").sentText, "a3 BAD Syntax error: invalid literal\r\n")
    }

    func testUsernamePresentedOnlyOnce() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 LOGIN alice x\r\n").first, .usernamePresented)
        _ = machine.loginFinished(.failure)
        let second = machine.receive("a2 LOGIN alice y\r\n")
        XCTAssertFalse(second.contains(.usernamePresented))
        XCTAssertEqual(second.authentications.first?.1, "a2")
    }

    func testNoUsernamePresentedForCommandsThatPresentNone() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 CAPABILITY\r\na2 LOGIN alice\r\na3 AUTHENTICATE CRAM-MD5\r\n")
        XCTAssertFalse(actions.contains(.usernamePresented))
    }

    // MARK: AUTHENTICATE PLAIN

    func testAuthenticatePlainWithInitialResponse() {
        var machine = IMAPPreAuthMachine()
        let response = StrictBase64.encodeToString(bytes("\u{0}alice\u{0}s3cret"))
        let actions = machine.receive("a1 AUTHENTICATE PLAIN \(response)\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(credentials("alice", "s3cret"), tag: "a1")])
    }

    func testAuthenticatePlainWithContinuation() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 authenticate plain\r\n"), [.usernamePresented, .send(bytes("+ \r\n"))])
        let response = StrictBase64.encodeToString(bytes("alice\u{0}alice\u{0}s3cret"))
        XCTAssertEqual(machine.receive("\(response)\r\n"), [.authenticate(credentials("alice", "s3cret"), tag: "a1")])
    }

    func testAuthenticatePlainEmptyInitialResponseIsInvalid() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 AUTHENTICATE PLAIN =\r\n").sentText, "a1 BAD Invalid SASL response\r\n")
    }

    func testAuthenticatePlainRefusesMalformedMessageAndForeignAuthzid() {
        var machine = IMAPPreAuthMachine()
        let noSeparator = StrictBase64.encodeToString(bytes("alice s3cret"))
        XCTAssertEqual(machine.receive("a1 AUTHENTICATE PLAIN \(noSeparator)\r\n").sentText,
                       "a1 BAD Invalid SASL response\r\n")
        let foreign = StrictBase64.encodeToString(bytes("admin\u{0}alice\u{0}s3cret"))
        XCTAssertEqual(machine.receive("a2 AUTHENTICATE PLAIN \(foreign)\r\n").sentText,
                       "a2 NO [AUTHORIZATIONFAILED] Authorization identity not permitted\r\n")
    }

    func testAuthenticateBadBase64() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 AUTHENTICATE PLAIN AGFsaWNl!\r\n").sentText, "a1 BAD Invalid base64\r\n")
        _ = machine.receive("a2 AUTHENTICATE PLAIN\r\n")
        XCTAssertEqual(machine.receive("AGFs aWNl\r\n").sentText, "a2 BAD Invalid base64\r\n")
        // Back to reading commands.
        XCTAssertEqual(machine.receive("a3 NOOP\r\n").sentText, "a3 OK NOOP completed\r\n")
    }

    func testAuthenticateCancel() {
        var machine = IMAPPreAuthMachine()
        _ = machine.receive("a1 AUTHENTICATE PLAIN\r\n")
        XCTAssertEqual(machine.receive("*\r\n"), [.send(bytes("a1 BAD Authentication cancelled\r\n"))])
        _ = machine.receive("a2 AUTHENTICATE LOGIN\r\n")
        _ = machine.receive("YWxpY2U=\r\n")
        XCTAssertEqual(machine.receive("*\r\n").sentText, "a2 BAD Authentication cancelled\r\n")
        XCTAssertEqual(machine.receive("a3 NOOP\r\n").sentText, "a3 OK NOOP completed\r\n")
    }

    func testContinuationLinesHaveNoLiterals() {
        var machine = IMAPPreAuthMachine()
        _ = machine.receive("a1 AUTHENTICATE PLAIN\r\n")
        // "{5}" in a SASL response is not a literal announcement: no "+ Ready", just bad base64.
        XCTAssertEqual(machine.receive("{5}\r\n").sentText, "a1 BAD Invalid base64\r\n")
    }

    func testUnknownMechanism() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 AUTHENTICATE CRAM-MD5\r\n"),
                       [.send(bytes("a1 NO [CANNOT] Unsupported mechanism\r\n"))])
        XCTAssertEqual(machine.receive("a2 AUTHENTICATE GSSAPI =\r\n").sentText,
                       "a2 NO [CANNOT] Unsupported mechanism\r\n")
        XCTAssertEqual(machine.receive("a3 AUTHENTICATE\r\n").sentText, "a3 BAD Missing arguments\r\n")
        XCTAssertEqual(machine.receive("a4 AUTHENTICATE PLAIN AA== x\r\n").sentText, "a4 BAD Unexpected arguments\r\n")
    }

    // MARK: AUTHENTICATE LOGIN

    func testAuthenticateLoginTwoSteps() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 AUTHENTICATE LOGIN\r\n"),
                       [.usernamePresented, .send(bytes("+ VXNlcm5hbWU6\r\n"))])
        XCTAssertEqual(machine.receive("YWxpY2U=\r\n"), [.send(bytes("+ UGFzc3dvcmQ6\r\n"))])
        XCTAssertEqual(machine.receive("czNjcmV0\r\n"), [.authenticate(credentials("alice", "s3cret"), tag: "a1")])
    }

    func testAuthenticateLoginWithInitialResponse() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 AUTHENTICATE LOGIN YWxpY2U=\r\n"),
                       [.usernamePresented, .send(bytes("+ UGFzc3dvcmQ6\r\n"))])
        XCTAssertEqual(machine.receive("czNjcmV0\r\n"), [.authenticate(credentials("alice", "s3cret"), tag: "a1")])
    }

    func testAuthenticateLoginEmptyPasswordLineAndEmptyUsername() {
        var machine = IMAPPreAuthMachine()
        _ = machine.receive("a1 AUTHENTICATE LOGIN YWxpY2U=\r\n")
        XCTAssertEqual(machine.receive("\r\n").authentications.first?.0, credentials("alice", ""))
        _ = machine.loginFinished(.failure)
        XCTAssertEqual(machine.receive("a2 AUTHENTICATE LOGIN =\r\n").sentText, "a2 BAD Invalid SASL response\r\n")
    }

    // MARK: Outcomes

    func testFailureRepliesAndAllowsRetry() {
        var machine = IMAPPreAuthMachine()
        _ = machine.receive("a1 LOGIN alice wrong\r\n")
        XCTAssertEqual(machine.loginFinished(.failure),
                       [.send(bytes("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"))])
        XCTAssertEqual(machine.receive("a2 LOGIN alice right\r\n").authentications.first?.0,
                       credentials("alice", "right"))
    }

    func testTemporaryFailure() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxFailedAttempts: 1))
        _ = machine.receive("a1 LOGIN alice pw\r\n")
        XCTAssertEqual(machine.loginFinished(.temporaryFailure),
                       [.send(bytes("a1 NO [UNAVAILABLE] Authentication service unavailable, try again later.\r\n"))])
        // A temporary failure is not the client's fault and does not count as a failed attempt.
        XCTAssertFalse(machine.receive("a2 LOGIN alice pw\r\n").closes)
        XCTAssertTrue(machine.loginFinished(.failure).closes)
    }

    func testFailureCountingClosesAfterMaxAttempts() {
        var machine = IMAPPreAuthMachine()
        for attempt in 1...2 {
            _ = machine.receive("a\(attempt) LOGIN alice wrong\r\n")
            XCTAssertFalse(machine.loginFinished(.failure).closes)
        }
        _ = machine.receive("a3 AUTHENTICATE PLAIN \(StrictBase64.encodeToString(bytes("\u{0}alice\u{0}x")))\r\n")
        let actions = machine.loginFinished(.failure)
        XCTAssertEqual(actions, [.send(bytes("a3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
            + "* BYE Too many failed attempts\r\n")), .close])
        XCTAssertEqual(machine.receive("a4 NOOP\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.failure), [])
    }

    func testInputDuringLoginIsHeldThenProcessedAfterFailure() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 LOGIN alice wrong\r\na2 NOOP\r\na3 CAPA")
        XCTAssertEqual(actions.authentications.count, 1)
        XCTAssertEqual(actions.sentText, "")
        XCTAssertEqual(machine.receive("BILITY\r\n"), [])
        let after = machine.loginFinished(.failure)
        XCTAssertEqual(after.sentText, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
            + "a2 OK NOOP completed\r\n* CAPABILITY \(IMAPPreAuthMachine.capabilities)\r\n"
            + "a3 OK CAPABILITY completed\r\n")
    }

    func testHeldInputThatLogsInAgainWaitsAgain() {
        var machine = IMAPPreAuthMachine()
        _ = machine.receive("a1 LOGIN alice wrong\r\na2 LOGIN alice right\r\na3 NOOP\r\n")
        let after = machine.loginFinished(.failure)
        XCTAssertEqual(after.authentications.first?.1, "a2")
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("a3 NOOP\r\n"))
    }

    func testLeftoverAfterSuccess() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 LOGIN {5+}\r\nalice {6+}\r\ns3cret\r\na2 SELECT INBOX\r\na3 FETCH {3}")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(credentials("alice", "s3cret"), tag: "a1")])
        XCTAssertEqual(machine.receive("\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("a2 SELECT INBOX\r\na3 FETCH {3}\r\n"))
        XCTAssertEqual(machine.takeLeftover(), [])
        // After success the relay speaks; the machine ignores input.
        XCTAssertEqual(machine.receive("a4 NOOP\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.failure), [])
    }

    func testNoLeftoverWhenNothingWasPipelined() {
        var machine = IMAPPreAuthMachine()
        _ = machine.receive("a1 LOGIN alice pw\r\n")
        _ = machine.loginFinished(.success)
        XCTAssertEqual(machine.takeLeftover(), [])
    }

    func testHeldInputIsBounded() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 100))
        _ = machine.receive("a1 LOGIN alice pw\r\n")
        XCTAssertEqual(machine.receive(String(repeating: "x", count: 400)), [])
        let actions = machine.receive("y")
        XCTAssertEqual(actions, [.send(bytes("* BYE Too much input while authenticating\r\n")), .close])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), [])
    }

    func testLoginFinishedWithoutPendingLoginDoesNothing() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.loginFinished(.failure), [])
        XCTAssertEqual(machine.receive("a1 NOOP\r\n").sentText, "a1 OK NOOP completed\r\n")
    }
}
