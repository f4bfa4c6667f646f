import XCTest
@testable import PosternProtocols

/// USER/PASS and AUTH, and what follows a login's outcome.
final class POP3PreAuthLoginTests: XCTestCase {
    private func credentials(_ username: String, _ password: String) -> LoginCredentials {
        LoginCredentials(username: username, password: password)
    }

    private func base64(_ text: String) -> String {
        StrictBase64.encodeToString(Array(text.utf8))
    }

    /// A machine waiting for the outcome of alice's login.
    private func awaitingLogin(limits: POP3Limits = .init()) -> POP3PreAuthMachine {
        var machine = POP3PreAuthMachine(limits: limits)
        XCTAssertEqual(machine.receive("USER alice\r\nPASS pw\r\n").authentications.count, 1)
        return machine
    }

    // MARK: USER and PASS

    func testUserPass() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("USER alice\r\n"), [.usernamePresented, .send(bytes("+OK\r\n"))])
        XCTAssertEqual(machine.receive("PASS s3cret\r\n"), [.authenticate(credentials("alice", "s3cret"), tag: "")])
    }

    func testPasswordIsTheRestOfTheLine() {
        var machine = POP3PreAuthMachine()
        _ = machine.receive("USER alice:bob@mail\r\n")
        XCTAssertEqual(machine.receive("PASS  vpn pass:mail pass \r\n").authentications.first?.0,
                       credentials("alice:bob@mail", " vpn pass:mail pass "))
    }

    func testEmptyPasswordAndUTF8() {
        var empty = POP3PreAuthMachine()
        _ = empty.receive("USER alice\r\n")
        XCTAssertEqual(empty.receive("PASS \r\n").authentications.first?.0, credentials("alice", ""))

        var utf8 = POP3PreAuthMachine()
        _ = utf8.receive("USER jörg\r\n")
        XCTAssertEqual(utf8.receive("PASS pässwörd\r\n").authentications.first?.0, credentials("jörg", "pässwörd"))

        var invalid = POP3PreAuthMachine()
        _ = invalid.receive("USER alice\r\n")
        XCTAssertEqual(invalid.receive(bytes("PASS ") + [0xC3, 0x28] + ASCII.crlf).sentText,
                       "-ERR Invalid UTF-8 in arguments\r\n")
    }

    // MARK: Outcomes

    func testSuccessSendsNothingAndHandsOverThePipelinedRest() {
        var machine = POP3PreAuthMachine()
        let actions = machine.receive("USER alice\r\nPASS pw\r\nSTAT\r\nLIST")
        XCTAssertEqual(actions, [.usernamePresented, .send(bytes("+OK\r\n")),
                                 .authenticate(credentials("alice", "pw"), tag: "")])
        XCTAssertEqual(machine.receive(" 1\r\nRETR 1\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("STAT\r\nLIST 1\r\nRETR 1\r\n"))
        XCTAssertEqual(machine.takeLeftover(), [])
        // The relay has the session now.
        XCTAssertEqual(machine.receive("QUIT\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.failure), [])
    }

    func testFailureIsGenericAndResetsUser() {
        var machine = awaitingLogin()
        XCTAssertEqual(machine.loginFinished(.failure), [.send(bytes("-ERR [AUTH] Authentication failed\r\n"))])
        XCTAssertEqual(machine.receive("PASS again\r\n").sentText, "-ERR No username given\r\n")
        XCTAssertEqual(machine.receive("USER alice\r\nPASS again\r\n"),
                       [.send(bytes("+OK\r\n")), .authenticate(credentials("alice", "again"), tag: "")],
                       "the username is presented once per connection")
    }

    func testTemporaryFailure() {
        var machine = awaitingLogin()
        XCTAssertEqual(machine.loginFinished(.temporaryFailure),
                       [.send(bytes("-ERR [SYS/TEMP] Authentication service unavailable, try again later\r\n"))])
    }

    func testTemporaryFailuresAreNotCounted() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxFailedAttempts: 2))
        for _ in 0..<5 {
            XCTAssertEqual(machine.receive("USER alice\r\nPASS pw\r\n").authentications.count, 1)
            XCTAssertFalse(machine.loginFinished(.temporaryFailure).closes)
        }
    }

    func testTooManyFailures() {
        var machine = POP3PreAuthMachine()
        for attempt in 1...3 {
            XCTAssertEqual(machine.receive("USER alice\r\nPASS wrong\(attempt)\r\n").authentications.count, 1)
            let actions = machine.loginFinished(.failure)
            if attempt < 3 {
                XCTAssertEqual(actions, [.send(bytes("-ERR [AUTH] Authentication failed\r\n"))])
            } else {
                XCTAssertEqual(actions, [.send(bytes("-ERR [AUTH] Authentication failed\r\n-ERR Too many failed attempts\r\n")),
                                         .close])
            }
        }
        XCTAssertEqual(machine.receive("USER alice\r\n"), [])
    }

    func testMailHostRefusalIsPassedOn() {
        var machine = awaitingLogin()
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "-ERR [IN-USE] Mailbox is locked")),
                       [.send(bytes("-ERR [IN-USE] Mailbox is locked\r\n"))])
        var other = awaitingLogin()
        XCTAssertEqual(other.loginFinished(.refusedByMailHost(reply: "-ERR [AUTH] Password expired")),
                       [.send(bytes("-ERR [AUTH] Password expired\r\n"))])
    }

    func testMailHostRefusalThatIsNotAnErrLineIsGeneric() {
        for reply in ["+OK fine", "NO [AUTHENTICATIONFAILED] x", "", "-ERRx", "535 5.7.8 no"] {
            var machine = awaitingLogin()
            XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: reply)),
                           [.send(bytes("-ERR [AUTH] Authentication failed\r\n"))], reply)
        }
    }

    func testMailHostRefusalCannotAddALine() {
        var machine = awaitingLogin()
        let actions = machine.loginFinished(.refusedByMailHost(reply: "-ERR locked\r\n+OK 0 messages"))
        XCTAssertEqual(actions, [.send(bytes("-ERR locked  +OK 0 messages\r\n"))])
    }

    func testMailHostRefusalsCountUnlessTemporary() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxFailedAttempts: 2))
        for reply in ["-ERR [IN-USE] Mailbox is locked", "-ERR [SYS/TEMP] Try later", "-ERR [LOGIN-DELAY] Wait"] {
            _ = machine.receive("USER alice\r\nPASS pw\r\n")
            XCTAssertFalse(machine.loginFinished(.refusedByMailHost(reply: reply)).closes, reply)
        }
        _ = machine.receive("USER alice\r\nPASS pw\r\n")
        XCTAssertFalse(machine.loginFinished(.refusedByMailHost(reply: "-ERR [AUTH] Invalid password")).closes)
        _ = machine.receive("USER alice\r\nPASS pw\r\n")
        XCTAssertEqual(machine.loginFinished(.refusedByMailHost(reply: "-ERR Invalid password")),
                       [.send(bytes("-ERR Invalid password\r\n-ERR Too many failed attempts\r\n")), .close])
    }

    func testHeldInputRunsAfterAFailure() {
        var machine = POP3PreAuthMachine()
        let first = machine.receive("USER alice\r\nPASS one\r\nUSER alice\r\nPASS two\r\n")
        XCTAssertEqual(first.authentications.map(\.0), [credentials("alice", "one")])
        let second = machine.loginFinished(.failure)
        XCTAssertEqual(second, [.send(bytes("-ERR [AUTH] Authentication failed\r\n+OK\r\n")),
                                .authenticate(credentials("alice", "two"), tag: "")])
    }

    func testLoginFinishedOutOfTurnDoesNothing() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.loginFinished(.failure), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.receive("USER alice\r\nPASS pw\r\n").authentications.count, 1)
    }

    // MARK: AUTH PLAIN

    func testAuthPlainWithInitialResponse() {
        var machine = POP3PreAuthMachine()
        let actions = machine.receive("AUTH PLAIN \(base64("\0alice\0s3cret"))\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .authenticate(credentials("alice", "s3cret"), tag: "")])
    }

    func testAuthPlainWithContinuation() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("auth plain\r\n"), [.usernamePresented, .send(bytes("+ \r\n"))])
        XCTAssertEqual(machine.receive("\(base64("alice\0alice\0pass word"))\r\n"),
                       [.authenticate(credentials("alice", "pass word"), tag: "")])
    }

    func testAuthPlainLongInitialResponse() {
        let password = String(repeating: "p", count: FieldBounds.password)
        var machine = POP3PreAuthMachine()
        let actions = machine.receive("AUTH PLAIN \(base64("\0alice:bob@mail\0\(password)"))\r\n")
        XCTAssertEqual(actions.authentications.first?.0, credentials("alice:bob@mail", password))
    }

    func testAuthPlainEmptyInitialResponseIsInvalid() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH PLAIN =\r\n"),
                       [.usernamePresented, .send(bytes("-ERR [AUTH] Invalid SASL response\r\n"))])
    }

    func testAuthPlainForSomeoneElseIsRefused() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH PLAIN \(base64("admin\0alice\0pw"))\r\n").sentText,
                       "-ERR [AUTH] Authorization identity not permitted\r\n")
    }

    func testAuthPlainMalformedMessages() {
        var machine = POP3PreAuthMachine()
        for message in ["alice\0pw", "\0\0pw", "\0al\u{1}ice\0pw"] {
            XCTAssertEqual(machine.receive("AUTH PLAIN \(base64(message))\r\n").sentText,
                           "-ERR [AUTH] Invalid SASL response\r\n", message.debugDescription)
        }
    }

    // MARK: AUTH LOGIN

    func testAuthLoginWithChallenges() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH LOGIN\r\n"), [.usernamePresented, .send(bytes("+ VXNlcm5hbWU6\r\n"))])
        XCTAssertEqual(machine.receive("\(base64("alice"))\r\n"), [.send(bytes("+ UGFzc3dvcmQ6\r\n"))])
        XCTAssertEqual(machine.receive("\(base64("s3cret"))\r\n"), [.authenticate(credentials("alice", "s3cret"), tag: "")])
    }

    func testAuthLoginWithInitialResponse() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH LOGIN \(base64("alice"))\r\n"),
                       [.usernamePresented, .send(bytes("+ UGFzc3dvcmQ6\r\n"))])
        // An empty password is an empty line.
        XCTAssertEqual(machine.receive("\r\n"), [.authenticate(credentials("alice", ""), tag: "")])
    }

    func testAuthLoginEmptyUsernameIsInvalid() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH LOGIN =\r\n").sentText, "-ERR [AUTH] Invalid SASL response\r\n")
    }

    // MARK: Cancel, bad base64, unknown mechanisms

    func testCancelEndsTheExchangeAndTheConnectionGoesOn() {
        var machine = POP3PreAuthMachine(limits: POP3Limits(maxInvalidCommands: 1))
        _ = machine.receive("AUTH LOGIN\r\n")
        XCTAssertEqual(machine.receive("*\r\n"), [.send(bytes("-ERR Authentication cancelled\r\n"))])
        _ = machine.receive("AUTH PLAIN\r\n")
        XCTAssertEqual(machine.receive("*\r\n"), [.send(bytes("-ERR Authentication cancelled\r\n"))],
                       "a cancel is not an invalid command")
        XCTAssertEqual(machine.receive("CAPA\r\n").sentText, POP3PreAuthCommandsTests.capaReply)
    }

    func testBadBase64AndTheConnectionGoesOn() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH PLAIN not*base64\r\n"),
                       [.usernamePresented, .send(bytes("-ERR [AUTH] Invalid base64\r\n"))])
        _ = machine.receive("AUTH LOGIN\r\n")
        // Strict: no missing padding, no whitespace.
        XCTAssertEqual(machine.receive("YWxpY2U\r\n").sentText, "-ERR [AUTH] Invalid base64\r\n")
        _ = machine.receive("AUTH PLAIN\r\n")
        XCTAssertEqual(machine.receive("AGFsaWNl AHB3\r\n").sentText, "-ERR [AUTH] Invalid base64\r\n")
        XCTAssertEqual(machine.receive("USER alice\r\nPASS pw\r\n").authentications.count, 1)
    }

    func testUnsupportedMechanism() {
        var machine = POP3PreAuthMachine()
        XCTAssertEqual(machine.receive("AUTH CRAM-MD5\r\n"), [.send(bytes("-ERR Unsupported mechanism\r\n"))])
        XCTAssertEqual(machine.receive("AUTH GSSAPI YWxpY2U=\r\n"), [.send(bytes("-ERR Unsupported mechanism\r\n"))])
        // Mechanism names fold as ASCII only.
        XCTAssertEqual(machine.receive("AUTH PLAİN\r\n"), [.send(bytes("-ERR Unsupported mechanism\r\n"))])
    }

    func testAuthForgetsAnEarlierUser() {
        var machine = POP3PreAuthMachine()
        _ = machine.receive("USER alice\r\nAUTH PLAIN\r\n*\r\n")
        XCTAssertEqual(machine.receive("PASS pw\r\n").sentText, "-ERR No username given\r\n")
    }

    func testSASLExchangeByteAtATime() {
        var machine = POP3PreAuthMachine()
        let actions = machine.receiveByteAtATime("AUTH LOGIN\r\n\(base64("alice"))\r\n\(base64("pw"))\r\nCAPA\r\n")
        XCTAssertEqual(actions.normalized, [.usernamePresented, .send(bytes("+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n")),
                                            .authenticate(credentials("alice", "pw"), tag: "")])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("CAPA\r\n"))
    }

    func testPipelinedAuthWithContinuationsInOneRead() {
        var machine = POP3PreAuthMachine()
        let actions = machine.receive("AUTH PLAIN\r\n\(base64("\0alice\0pw"))\r\nSTAT\r\n")
        XCTAssertEqual(actions, [.usernamePresented, .send(bytes("+ \r\n")),
                                 .authenticate(credentials("alice", "pw"), tag: "")])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("STAT\r\n"))
    }
}
