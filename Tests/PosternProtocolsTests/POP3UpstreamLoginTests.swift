import XCTest
@testable import PosternProtocols

final class POP3UpstreamLoginTests: XCTestCase {
    private let alice = LoginCredentials(username: "alice", password: "s3cret")
    /// base64 of "\0alice\0s3cret".
    private let alicePlain = "AGFsaWNlAHMzY3JldA=="
    private let client = ForwardedClient(address: "192.0.2.7", port: 54321, sessionID: "3f2a9c0d4e5b6a71")

    private func login(_ credentials: LoginCredentials? = nil, startTLS: Bool = false,
                       forward: ForwardedClient? = nil) -> POP3UpstreamLogin {
        POP3UpstreamLogin(credentials: credentials ?? alice, useStartTLS: startTLS, forward: forward)
    }

    /// Asserts that no action carries the password, in the clear or as our AUTH PLAIN's base64.
    private func assertNoSecret(_ actions: [UpstreamLoginAction], file: StaticString = #filePath, line: UInt = #line) {
        for action in actions {
            guard case .failed(let reason, _, let reply) = action else { continue }
            for text in [reason, reply ?? ""] {
                XCTAssertFalse(text.contains("s3cret"), text, file: file, line: line)
                XCTAssertFalse(text.contains(alicePlain), text, file: file, line: line)
            }
        }
    }

    // MARK: USER/PASS or AUTH PLAIN, chosen from CAPA

    func testUserPassWhenCAPAHasNoSASLPlain() {
        var upstream = login()
        XCTAssertEqual(upstream.receive("+OK Dovecot ready.\r\n"), [.send(bytes("CAPA\r\n"))])
        XCTAssertEqual(upstream.receive("+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nUSER\r\nSASL LOGIN\r\n.\r\n"),
                       [.send(bytes("USER alice\r\n"))])
        XCTAssertEqual(upstream.receive("+OK\r\n"), [.send(bytes("PASS s3cret\r\n"))])
        XCTAssertEqual(upstream.receive("+OK Logged in.\r\n"),
                       [.succeeded(taggedReplyText: "+OK Logged in.", untagged: [])])
        XCTAssertEqual(upstream.takeLeftover(), [])
    }

    func testAuthPlainWhenCAPAListsIt() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+OK Capability list follows\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n"),
                       [.send(bytes("AUTH PLAIN \(alicePlain)\r\n"))])
        XCTAssertEqual(upstream.receive("+OK Logged in.\r\n"),
                       [.succeeded(taggedReplyText: "+OK Logged in.", untagged: [])])
    }

    func testCapabilityNamesAreCaseInsensitive() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+ok\r\nsasl login plain\r\n.\r\n").sentText, "AUTH PLAIN \(alicePlain)\r\n")
    }

    func testCAPARefusedMeansUserOnly() {
        var upstream = login(forward: client)
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("-ERR unknown command\r\n"), [.send(bytes("USER alice\r\n"))])
        XCTAssertEqual(upstream.receive("+OK\r\n"), [.send(bytes("PASS s3cret\r\n"))])
        XCTAssertEqual(upstream.receive("+OK maildrop has 2 messages\r\n"),
                       [.succeeded(taggedReplyText: "+OK maildrop has 2 messages", untagged: [])])
        XCTAssertFalse(upstream.forwardingAccepted)
    }

    func testPasswordWithSpacesAndUTF8OverUserPass() {
        var upstream = login(LoginCredentials(username: "jörg", password: "pass wörd "))
        _ = upstream.receive("+OK ready\r\n+OK\r\nUSER\r\n.\r\n")
        XCTAssertEqual(upstream.receive("+OK\r\n").sentText, "PASS pass wörd \r\n")
    }

    func testLongCredentialsWaitForTheContinuation() {
        let long = LoginCredentials(username: "alice", password: String(repeating: "p", count: 300))
        let response = StrictBase64.encodeToString(SASLPlain.encode(long))
        var upstream = login(long)
        _ = upstream.receive("+OK ready\r\n")
        // RFC 5034: an initial response that would make the line exceed 255 octets waits for "+".
        XCTAssertEqual(upstream.receive("+OK\r\nSASL PLAIN\r\n.\r\n"), [.send(bytes("AUTH PLAIN\r\n"))])
        XCTAssertEqual(upstream.receive("+ \r\n"), [.send(bytes("\(response)\r\n"))])
        XCTAssertEqual(upstream.receive("+OK in\r\n"), [.succeeded(taggedReplyText: "+OK in", untagged: [])])
    }

    func testInitialResponseUpToTheLineLimit() {
        // "AUTH PLAIN " (11) + base64 + CRLF (2): 240 base64 bytes (a 180-byte message: NUL, 5, NUL,
        // 173) make 253 octets and fit; the next size up, 244, would make 257.
        var fits = login(LoginCredentials(username: "alice", password: String(repeating: "p", count: 173)))
        _ = fits.receive("+OK ready\r\n")
        let sent = fits.receive("+OK\r\nSASL PLAIN\r\n.\r\n").sentText
        XCTAssertTrue(sent.hasPrefix("AUTH PLAIN A"), sent)
        XCTAssertEqual(sent.utf8.count, 253)

        var tooLong = login(LoginCredentials(username: "alice", password: String(repeating: "p", count: 174)))
        _ = tooLong.receive("+OK ready\r\n")
        XCTAssertEqual(tooLong.receive("+OK\r\nSASL PLAIN\r\n.\r\n"), [.send(bytes("AUTH PLAIN\r\n"))])
    }

    func testUnexpectedContinuationFails() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n+OK\r\nSASL PLAIN\r\n.\r\n")
        XCTAssertEqual(upstream.receive("+ more please\r\n"),
                       [.failed(reason: "unexpected continuation request from mail host", temporary: true)])
        var user = login()
        _ = user.receive("+OK ready\r\n-ERR\r\n")
        XCTAssertEqual(user.receive("+ \r\n"),
                       [.failed(reason: "unexpected continuation request from mail host", temporary: true)])
    }

    // MARK: Refusals

    func testAuthRefusedIsNotTemporaryAndCarriesTheReply() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n+OK\r\nSASL PLAIN\r\n.\r\n")
        XCTAssertEqual(upstream.receive("-ERR [AUTH] Authentication failed.\r\n"),
                       [.failed(reason: "mail host refused AUTH PLAIN: -ERR [AUTH] Authentication failed.",
                                temporary: false, reply: "-ERR [AUTH] Authentication failed.")])
        XCTAssertEqual(upstream.receive("+OK late\r\n"), [])
    }

    func testTemporaryRefusals() {
        for reply in ["-ERR [IN-USE] Mailbox is locked", "-ERR [SYS/TEMP] Internal error", "-ERR [sys/temp/db] down",
                      "-ERR [LOGIN-DELAY] Too soon"] {
            var upstream = login()
            _ = upstream.receive("+OK ready\r\n-ERR\r\n+OK\r\n")
            XCTAssertEqual(upstream.receive(reply + "\r\n"),
                           [.failed(reason: "mail host refused PASS: \(reply)", temporary: true, reply: reply)], reply)
        }
        for reply in ["-ERR [SYS/PERM] Account disabled", "-ERR Invalid password", "-ERR [AUTH] no"] {
            var upstream = login()
            _ = upstream.receive("+OK ready\r\n-ERR\r\n+OK\r\n")
            XCTAssertEqual(upstream.receive(reply + "\r\n"),
                           [.failed(reason: "mail host refused PASS: \(reply)", temporary: false, reply: reply)], reply)
        }
    }

    func testUserRefused() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n-ERR\r\n")
        XCTAssertEqual(upstream.receive("-ERR [AUTH] Plaintext authentication disallowed on non-secure connections.\r\n"),
                       [.failed(reason: "mail host refused USER: -ERR [AUTH] Plaintext authentication disallowed on non-secure connections.",
                                temporary: false,
                                reply: "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections.")])
    }

    func testEchoedPasswordIsRedactedInReasonAndReply() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n-ERR\r\n+OK\r\n")
        let actions = upstream.receive("-ERR [AUTH] Bad password s3cret for alice\r\n")
        XCTAssertEqual(actions, [.failed(reason: "mail host refused PASS: -ERR [AUTH] Bad password <redacted> for alice",
                                         temporary: false, reply: "-ERR [AUTH] Bad password <redacted> for alice")])
        assertNoSecret(actions)
    }

    func testEchoedAuthPlainIsRedacted() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n+OK\r\nSASL PLAIN\r\n.\r\n")
        let actions = upstream.receive("-ERR Unknown command: AUTH PLAIN \(alicePlain)\r\n")
        XCTAssertEqual(actions, [.failed(reason: "mail host refused AUTH PLAIN: -ERR Unknown command: AUTH PLAIN <redacted>",
                                         temporary: false, reply: "-ERR Unknown command: AUTH PLAIN <redacted>")])
        assertNoSecret(actions)
    }

    func testEchoWithACombiningMarkIsStillRedacted() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n-ERR\r\n+OK\r\n")
        let actions = upstream.receive("-ERR no s3cret\u{301}\r\n")
        guard case .failed(let reason, _, let reply?)? = actions.first else { return XCTFail("\(actions)") }
        for text in [reason, reply] {
            XCTAssertNil(Array(text.utf8).firstRange(of: Array("s3cret".utf8)), text)
        }
    }

    func testControlCharactersInTheReplyAreMadePrintable() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n-ERR\r\n+OK\r\n")
        XCTAssertEqual(upstream.receive("-ERR bad\rthing\u{1b}[1m\r\n"),
                       [.failed(reason: "mail host refused PASS: -ERR bad thing [1m", temporary: false,
                                reply: "-ERR bad thing [1m")])
    }

    // MARK: Greeting

    func testGreetingRefusalIsTemporaryWithReply() {
        var upstream = login()
        XCTAssertEqual(upstream.receive("-ERR [SYS/TEMP] Too many connections\r\n"),
                       [.failed(reason: "mail host refused the connection: -ERR [SYS/TEMP] Too many connections",
                                temporary: true, reply: "-ERR [SYS/TEMP] Too many connections")])
    }

    func testGarbageGreeting() {
        var upstream = login()
        XCTAssertEqual(upstream.receive("* OK [CAPABILITY IMAP4rev1] ready\r\n"),
                       [.failed(reason: "unexpected greeting from mail host: * OK [CAPABILITY IMAP4rev1] ready",
                                temporary: true)])
    }

    func testUnexpectedReply() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n-ERR\r\n")
        XCTAssertEqual(upstream.receive("220 hello\r\n"),
                       [.failed(reason: "unexpected reply from mail host: 220 hello", temporary: true)])
    }

    // MARK: STLS

    func testSTLSPath() {
        var upstream = login(startTLS: true)
        XCTAssertEqual(upstream.receive("+OK Dovecot ready.\r\n"), [.send(bytes("STLS\r\n"))])
        XCTAssertEqual(upstream.receive("+OK Begin TLS negotiation now.\r\n"), [.startTLS])
        XCTAssertEqual(upstream.tlsEstablished(), [.send(bytes("CAPA\r\n"))])
        XCTAssertEqual(upstream.receive("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"), [.send(bytes("AUTH PLAIN \(alicePlain)\r\n"))])
        XCTAssertEqual(upstream.receive("+OK Logged in.\r\n"),
                       [.succeeded(taggedReplyText: "+OK Logged in.", untagged: [])])
    }

    func testSTLSRefused() {
        var upstream = login(startTLS: true)
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("-ERR TLS support isn't enabled.\r\n"),
                       [.failed(reason: "mail host refused STLS: -ERR TLS support isn't enabled.", temporary: true)])
    }

    func testDataAfterSTLSReplyIsAnInjection() {
        var upstream = login(startTLS: true)
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+OK Begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n"),
                       [.startTLS, .failed(reason: "mail host sent data before the TLS handshake", temporary: true)])
        XCTAssertEqual(upstream.tlsEstablished(), [])

        var later = login(startTLS: true)
        _ = later.receive("+OK ready\r\n+OK Begin TLS\r\n")
        XCTAssertEqual(later.receive("X"), [.failed(reason: "mail host sent data before the TLS handshake", temporary: true)])
    }

    func testTLSEstablishedOutOfTurnDoesNothing() {
        var upstream = login(startTLS: true)
        XCTAssertEqual(upstream.tlsEstablished(), [])
        XCTAssertEqual(upstream.receive("+OK ready\r\n"), [.send(bytes("STLS\r\n"))])
        XCTAssertEqual(upstream.tlsEstablished(), [])
    }

    // MARK: XCLIENT

    func testXCLIENTWhenCAPAListsIt() {
        var upstream = login(forward: client)
        _ = upstream.receive("+OK ready.\r\n")
        XCTAssertEqual(upstream.receive("+OK\r\nUSER\r\nSASL PLAIN\r\nXCLIENT\r\n.\r\n"),
                       [.send(bytes("XCLIENT ADDR=192.0.2.7 PORT=54321\r\n"))])
        XCTAssertFalse(upstream.forwardingAccepted)
        XCTAssertEqual(upstream.receive("+OK Updated\r\n"), [.send(bytes("AUTH PLAIN \(alicePlain)\r\n"))])
        XCTAssertTrue(upstream.forwardingAccepted)
        XCTAssertEqual(upstream.receive("+OK Logged in.\r\n"),
                       [.succeeded(taggedReplyText: "+OK Logged in.", untagged: [])])
    }

    /// Dovecot 2.3 to a trusted network, as recorded: XCLIENT is a greeting code, not in CAPA.
    func testXCLIENTWhenTheGreetingOffersIt() {
        var upstream = login(forward: client)
        XCTAssertEqual(upstream.receive("+OK [XCLIENT] Dovecot (Debian) ready.\r\n"), [.send(bytes("CAPA\r\n"))])
        XCTAssertEqual(upstream.receive("+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n"
                                        + "STLS\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n"),
                       [.send(bytes("XCLIENT ADDR=192.0.2.7 PORT=54321\r\n"))])
        XCTAssertEqual(upstream.receive("+OK Updated\r\n"), [.send(bytes("AUTH PLAIN \(alicePlain)\r\n"))])
        XCTAssertTrue(upstream.forwardingAccepted)

        var afterSTLS = login(startTLS: true, forward: client)
        XCTAssertEqual(afterSTLS.receive("+OK [XCLIENT] Dovecot (Debian) ready.\r\n"), [.send(bytes("STLS\r\n"))])
        XCTAssertEqual(afterSTLS.receive("+OK Begin TLS negotiation now.\r\n"), [.startTLS])
        XCTAssertEqual(afterSTLS.tlsEstablished(), [.send(bytes("CAPA\r\n"))])
        XCTAssertEqual(afterSTLS.receive("+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n"),
                       [.send(bytes("XCLIENT ADDR=192.0.2.7 PORT=54321\r\n"))])

        // Only as the code right after +OK.
        var text = login(forward: client)
        _ = text.receive("+OK Dovecot [XCLIENT] ready.\r\n")
        XCTAssertEqual(text.receive("+OK\r\nUSER\r\n.\r\n"), [.send(bytes("USER alice\r\n"))])
    }

    func testXCLIENTWithIPv6IsPlain() {
        var upstream = login(forward: ForwardedClient(address: "2001:db8::7", port: 995, sessionID: "x"))
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+OK\r\nXCLIENT\r\n.\r\n"), [.send(bytes("XCLIENT ADDR=2001:db8::7 PORT=995\r\n"))])
        XCTAssertEqual(upstream.receive("+OK\r\n"), [.send(bytes("USER alice\r\n"))])
    }

    func testXCLIENTSkippedWhenNotOffered() {
        var upstream = login(forward: client)
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+OK\r\nUSER\r\n.\r\n"), [.send(bytes("USER alice\r\n"))])
        XCTAssertFalse(upstream.forwardingAccepted)
    }

    func testXCLIENTNotSentWithoutForward() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+OK\r\nXCLIENT\r\nUSER\r\n.\r\n"), [.send(bytes("USER alice\r\n"))])
    }

    func testXCLIENTRefused() {
        var upstream = login(forward: client)
        _ = upstream.receive("+OK ready\r\n+OK\r\nXCLIENT\r\n.\r\n")
        XCTAssertEqual(upstream.receive("-ERR Invalid parameters\r\n"),
                       [.failed(reason: "mail host refused XCLIENT: -ERR Invalid parameters", temporary: true)])
    }

    func testXCLIENTRefusesUnsafeAddresses() {
        for address in ["192.0.2.7 PORT=1", "fe80::1%eth0", "1.2.3.4\r\nUSER root", "", "a+b=c", "[::1]",
                        String(repeating: "1", count: 46)] {
            var upstream = login(forward: ForwardedClient(address: address, port: 1, sessionID: "x"))
            _ = upstream.receive("+OK ready\r\n")
            let actions = upstream.receive("+OK\r\nXCLIENT\r\n.\r\n")
            XCTAssertEqual(actions.sentText, "", address.debugDescription)
            guard case .failed(let reason, let temporary, nil)? = actions.first else {
                XCTFail("\(address.debugDescription): \(actions)")
                continue
            }
            XCTAssertTrue(temporary)
            XCTAssertFalse(reason.contains("\r") || reason.contains("\n"), reason)
        }
        XCTAssertTrue(POP3XCLIENTCommand.isPlainAddress("::ffff:192.0.2.7"))
        XCTAssertTrue(POP3XCLIENTCommand.isPlainAddress("2001:DB8::A"))
    }

    // MARK: Credentials a line cannot carry

    func testLineBreakInPasswordIsNeverSent() {
        var upstream = login(LoginCredentials(username: "alice", password: "pw\r\nDELE 1"))
        _ = upstream.receive("+OK ready\r\n")
        // Refused before USER goes out: nothing of the login is sent.
        XCTAssertEqual(upstream.receive("-ERR\r\n"),
                       [.failed(reason: "password contains a line break or NUL, which PASS cannot carry", temporary: false)])
        // Through AUTH PLAIN the same password is fine: base64 carries it.
        var plain = login(LoginCredentials(username: "alice", password: "pw\r\nDELE 1"))
        _ = plain.receive("+OK ready\r\n")
        XCTAssertTrue(plain.receive("+OK\r\nSASL PLAIN\r\n.\r\n").sentText.hasPrefix("AUTH PLAIN "))
    }

    func testControlCharacterInUsernameIsNeverSent() {
        var upstream = login(LoginCredentials(username: "alice\nQUIT", password: "pw"))
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("-ERR\r\n"),
                       [.failed(reason: "username contains a control character, which USER cannot carry", temporary: false)])
    }

    func testNULCannotGoIntoSASLPlain() {
        var upstream = login(LoginCredentials(username: "alice", password: "a\0b"))
        _ = upstream.receive("+OK ready\r\n")
        XCTAssertEqual(upstream.receive("+OK\r\nSASL PLAIN\r\n.\r\n"),
                       [.failed(reason: "credentials contain a NUL byte, which SASL PLAIN cannot carry", temporary: false)])
    }

    // MARK: Framing

    func testLeftoverAfterSuccess() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n-ERR\r\n+OK\r\n")
        XCTAssertEqual(upstream.receive("+OK Logged in.\r\n+OK 2 320\r\n"),
                       [.succeeded(taggedReplyText: "+OK Logged in.", untagged: [])])
        XCTAssertEqual(upstream.takeLeftover(), bytes("+OK 2 320\r\n"))
        XCTAssertEqual(upstream.receive("+OK more"), [])
        XCTAssertEqual(upstream.takeLeftover(), bytes("+OK more"))
    }

    func testByteAtATime() {
        var upstream = login(forward: client)
        let script = "+OK ready\r\n+OK\r\nSASL PLAIN\r\nXCLIENT\r\n.\r\n+OK\r\n+OK Logged in.\r\nX"
        XCTAssertEqual(upstream.receiveByteAtATime(script), [
            .send(bytes("CAPA\r\n")), .send(bytes("XCLIENT ADDR=192.0.2.7 PORT=54321\r\n")),
            .send(bytes("AUTH PLAIN \(alicePlain)\r\n")), .succeeded(taggedReplyText: "+OK Logged in.", untagged: []),
        ])
        XCTAssertEqual(upstream.takeLeftover(), bytes("X"))
    }

    func testBareLineFeeds() {
        var upstream = login()
        XCTAssertEqual(upstream.receive("+OK ready\n+OK\nUSER\n.\n").sentText, "CAPA\r\nUSER alice\r\n")
    }

    func testOverlongLineFails() {
        var upstream = POP3UpstreamLogin(credentials: alice, useStartTLS: false, maxLineLength: 100)
        XCTAssertEqual(upstream.receive("+OK " + String(repeating: "x", count: 200)),
                       [.failed(reason: "mail host response longer than 100 bytes", temporary: true)])
    }

    func testEndlessCapabilityListFails() {
        var upstream = POP3UpstreamLogin(credentials: alice, useStartTLS: false, maxLineLength: 100)
        _ = upstream.receive("+OK ready\r\n+OK\r\n")
        var actions: [UpstreamLoginAction] = []
        for _ in 0..<100 { actions += upstream.receive("X-CAPABILITY-PADDING\r\n") }
        XCTAssertEqual(actions, [.failed(reason: "mail host sent a capability list longer than 400 bytes", temporary: true)])
    }

    // MARK: Pieces

    func testCapabilitiesUnstuffDots() {
        var upstream = login()
        _ = upstream.receive("+OK ready\r\n")
        // "..SASL PLAIN" is the line ".SASL PLAIN", not SASL; "." alone ends the list.
        XCTAssertEqual(upstream.receive("+OK\r\n..SASL PLAIN\r\n.\r\n").sentText, "USER alice\r\n")

        var capabilities = POP3Capabilities()
        capabilities.add(bytes("SASL  PLAIN   login")[...])
        capabilities.add(bytes("xclient")[...])
        capabilities.add([][...])
        XCTAssertEqual(capabilities.saslMechanisms, ["PLAIN", "LOGIN"])
        XCTAssertEqual(capabilities.names, ["SASL", "XCLIENT"])
        XCTAssertTrue(capabilities.offersSASLPlain)
        XCTAssertTrue(capabilities.offersXCLIENT)
    }

    func testServerReplyParsing() {
        XCTAssertEqual(POP3ServerReply(bytes("+OK")).status, .ok)
        XCTAssertEqual(POP3ServerReply(bytes("+ok fine")).status, .ok)
        XCTAssertEqual(POP3ServerReply(bytes("+OKAY")).status, .unknown)
        XCTAssertEqual(POP3ServerReply(bytes("-ERR")).status, .error)
        XCTAssertEqual(POP3ServerReply(bytes("-ERR [IN-USE] locked")).code, "IN-USE")
        XCTAssertEqual(POP3ServerReply(bytes("-ERR [in-use")).code, nil)
        XCTAssertEqual(POP3ServerReply(bytes("-ERR locked [IN-USE]")).code, nil)
        XCTAssertEqual(POP3ServerReply(bytes("+")).status, .continuation)
        XCTAssertEqual(POP3ServerReply(bytes("+ VXNlcm5hbWU6")).status, .continuation)
        XCTAssertEqual(POP3ServerReply(bytes("")).status, .unknown)
        XCTAssertFalse(POP3ServerReply(bytes("+OK [IN-USE] hm")).isTemporaryRefusal)
        XCTAssertFalse(POP3ServerReply(bytes("-ERR [SYS/TEMPEST] x")).isTemporaryRefusal)
        XCTAssertTrue(POP3ServerReply(bytes("-ERR [SYS/TEMP/DB] x")).isTemporaryRefusal)
    }
}
