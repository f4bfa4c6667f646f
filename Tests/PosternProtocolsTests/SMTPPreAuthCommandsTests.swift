import XCTest
@testable import PosternProtocols

/// The SMTP commands before authentication other than AUTH, and the hand-over without AUTH.
final class SMTPPreAuthCommandsTests: XCTestCase {
    private let defaultEHLO = "250-postern\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
        + "250 AUTH PLAIN LOGIN\r\n"

    // MARK: Greeting, EHLO, HELO

    func testGreeting() {
        XCTAssertEqual(SMTPPreAuthMachine().greeting(), bytes("220 postern ESMTP postern\r\n"))
        XCTAssertEqual(SMTPPreAuthMachine(hostname: "mx.example.org").greeting(),
                       bytes("220 mx.example.org ESMTP postern\r\n"))
    }

    func testUnusableHostnameFallsBackToPostern() {
        for hostname in ["", "evil\r\n250 injected", "two words"] {
            XCTAssertEqual(SMTPPreAuthMachine(hostname: hostname).greeting(), bytes("220 postern ESMTP postern\r\n"),
                           hostname)
        }
    }

    func testEHLOListsExtensionsThenAUTH() {
        var machine = SMTPPreAuthMachine()
        XCTAssertNil(machine.clientName)
        XCTAssertEqual(machine.receive("EHLO client.example.org\r\n"), [.send(bytes(defaultEHLO))])
        XCTAssertEqual(machine.clientName, "client.example.org")
    }

    func testEHLOWithConfiguredExtensions() {
        var machine = SMTPPreAuthMachine(hostname: "mx.example.org",
                                         extensions: ["PIPELINING", "SIZE 52428800", "", "STARTTLS", "auth=LOGIN",
                                                      "AUTH CRAM-MD5"])
        XCTAssertEqual(machine.receive("ehlo c\r\n").sentText,
                       "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250 AUTH PLAIN LOGIN\r\n")
    }

    func testEHLOWithoutExtensions() {
        var machine = SMTPPreAuthMachine(extensions: [])
        XCTAssertEqual(machine.receive("EHLO c\r\n").sentText, "250-postern\r\n250 AUTH PLAIN LOGIN\r\n")
    }

    func testEHLOArgumentIsCheckedLoosely() {
        var machine = SMTPPreAuthMachine()
        for name in ["[192.0.2.1]", "[IPv6:2001:db8::1]", "WORKSTATION_7", "localhost"] {
            XCTAssertEqual(machine.receive("EHLO \(name)\r\n").sentText, defaultEHLO, name)
            XCTAssertEqual(machine.clientName, name)
        }
        XCTAssertEqual(machine.receive("EHLO   spaced.example  \r\n").sentText, defaultEHLO)
        XCTAssertEqual(machine.clientName, "spaced.example")
    }

    func testEHLOSyntaxErrors() {
        var machine = SMTPPreAuthMachine()
        let tooLong = String(repeating: "a", count: 256)
        for line in ["EHLO", "EHLO ", "EHLO two words", "EHLO [192.0.2.1", "EHLO []", "EHLO tab\there",
                     "EHLO jörg.example", "EHLO \(tooLong)"] {
            XCTAssertEqual(machine.receive(line + "\r\n").sentText, "501 5.5.4 Syntax: EHLO hostname\r\n", line)
        }
        XCTAssertNil(machine.clientName)
        XCTAssertEqual(machine.receive("EHLO " + String(tooLong.dropFirst()) + "\r\n").sentText, defaultEHLO)
    }

    func testHELO() {
        var machine = SMTPPreAuthMachine(hostname: "mx.example.org")
        XCTAssertEqual(machine.receive("HELO old.example\r\n"), [.send(bytes("250 mx.example.org\r\n"))])
        XCTAssertEqual(machine.clientName, "old.example")
        XCTAssertEqual(machine.receive("HELO\r\n").sentText, "501 5.5.4 Syntax: HELO hostname\r\n")
        XCTAssertEqual(machine.clientName, "old.example")
    }

    func testRepeatedGreetingReplacesTheClientName() {
        var machine = SMTPPreAuthMachine()
        _ = machine.receive("EHLO first\r\nHELO second\r\n")
        XCTAssertEqual(machine.clientName, "second")
    }

    // MARK: NOOP, RSET, QUIT, and what is refused

    func testNoopAndRset() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("NOOP\r\n"), [.send(bytes("250 2.0.0 OK\r\n"))])
        XCTAssertEqual(machine.receive("noop some text\r\nRSET\r\n"),
                       [.send(bytes("250 2.0.0 OK\r\n250 2.0.0 OK\r\n"))])
    }

    func testQuitClosesAndIgnoresTheRest() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("QUIT\r\nNOOP\r\n"), [.send(bytes("221 2.0.0 Bye\r\n")), .close])
        XCTAssertEqual(machine.receive("NOOP\r\n"), [])
    }

    func testTransactionsNeedAuthentication() {
        var machine = SMTPPreAuthMachine()
        _ = machine.receive("EHLO c\r\n")
        for line in ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA", "BDAT 10 LAST",
                     "VRFY root", "EXPN staff", "mail from:<>"] {
            XCTAssertEqual(machine.receive(line + "\r\n").sentText, "530 5.7.0 Authentication required\r\n", line)
        }
    }

    func testTransactionBeforeEHLOAlsoNeedsAuthentication() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("MAIL FROM:<a@example.org>\r\n").sentText,
                       "530 5.7.0 Authentication required\r\n")
    }

    func testStartTLSIsRefused() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("STARTTLS\r\n").sentText, "503 5.5.1 TLS already active\r\n")
    }

    func testUnknownCommands() {
        var machine = SMTPPreAuthMachine()
        for line in ["HELP", "XYZZY", "", "EHLOX c", " EHLO c", "\u{1B}[A", "TURN"] {
            XCTAssertEqual(machine.receive(line + "\r\n").sentText, "500 5.5.2 Command not recognized\r\n", line)
        }
    }

    func testNulByteIsRefused() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive(bytes("EHLO a") + [0] + bytes("b\r\n")).sentText,
                       "500 5.5.2 NUL character not allowed\r\n")
        XCTAssertNil(machine.clientName)
    }

    func testBareLineFeedEndsALine() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("NOOP\nRSET\r\n").sentText, "250 2.0.0 OK\r\n250 2.0.0 OK\r\n")
    }

    func testPartialLinesWaitForTheirEnd() {
        var machine = SMTPPreAuthMachine()
        XCTAssertEqual(machine.receive("NO"), [])
        XCTAssertEqual(machine.receive("OP\r"), [])
        XCTAssertEqual(machine.receive("\n").sentText, "250 2.0.0 OK\r\n")
    }

    // MARK: Without AUTH (authenticationRequired false)

    func testEHLOHandsOverWithoutAUTH() {
        var machine = SMTPPreAuthMachine(authenticationRequired: false)
        let actions = machine.receive("EHLO client.example\r\n")
        XCTAssertEqual(actions, [
            .send(bytes("250-postern\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n")),
            .authenticate(LoginCredentials(username: "", password: ""), tag: ""),
        ])
        XCTAssertEqual(machine.clientName, "client.example")
        XCTAssertEqual(machine.loginFinished(.success), [])
    }

    func testHELOHandsOverToo() {
        var machine = SMTPPreAuthMachine(authenticationRequired: false)
        XCTAssertEqual(machine.receive("HELO c\r\n"), [
            .send(bytes("250 postern\r\n")), .authenticate(LoginCredentials(username: "", password: ""), tag: ""),
        ])
    }

    func testHandOverHoldsPipelinedCommandsForTheMailHost() {
        var machine = SMTPPreAuthMachine(authenticationRequired: false)
        let actions = machine.receive("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n")
        XCTAssertEqual(actions.authentications.count, 1)
        XCTAssertFalse(actions.sentText.contains("530"))
        XCTAssertEqual(machine.receive("DATA\r\n"), [])
        XCTAssertEqual(machine.loginFinished(.success), [])
        XCTAssertEqual(machine.takeLeftover(), bytes("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"))
        XCTAssertEqual(machine.takeLeftover(), [])
    }

    func testRefusedHandOverCloses() {
        var refused = SMTPPreAuthMachine(authenticationRequired: false)
        _ = refused.receive("EHLO c\r\nMAIL FROM:<a@example.org>\r\n")
        XCTAssertEqual(refused.loginFinished(.failure), [.send(bytes("421 4.7.0 Access denied\r\n")), .close])
        XCTAssertEqual(refused.takeLeftover(), [])

        var byMailHost = SMTPPreAuthMachine(authenticationRequired: false)
        _ = byMailHost.receive("EHLO c\r\n")
        XCTAssertEqual(byMailHost.loginFinished(.refusedByMailHost(reply: "554 5.7.1 No service")),
                       [.send(bytes("421 4.7.0 Access denied\r\n")), .close])

        var unavailable = SMTPPreAuthMachine(authenticationRequired: false)
        _ = unavailable.receive("EHLO c\r\n")
        XCTAssertEqual(unavailable.loginFinished(.temporaryFailure),
                       [.send(bytes("421 4.7.0 Service temporarily unavailable\r\n")), .close])
    }

    func testWithoutAUTHTransactionsWaitForEHLO() {
        var machine = SMTPPreAuthMachine(authenticationRequired: false)
        XCTAssertEqual(machine.receive("MAIL FROM:<a@example.org>\r\n").sentText, "503 5.5.1 EHLO or HELO first\r\n")
        XCTAssertEqual(machine.receive("AUTH PLAIN\r\n").sentText, "503 5.5.1 EHLO first\r\n")
        XCTAssertEqual(machine.receive("NOOP\r\n").sentText, "250 2.0.0 OK\r\n")
    }
}

// MARK: - Helpers for the SMTP tests

extension SMTPPreAuthMachine {
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

extension SMTPUpstreamLogin {
    mutating func receive(_ text: String) -> [UpstreamLoginAction] {
        receive(Array(text.utf8))
    }

    mutating func receiveByteAtATime(_ text: String) -> [UpstreamLoginAction] {
        var actions: [UpstreamLoginAction] = []
        for byte in text.utf8 { actions += receive(CollectionOfOne(byte)) }
        return actions
    }
}
