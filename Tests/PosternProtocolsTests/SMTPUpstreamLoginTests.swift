import XCTest
@testable import PosternProtocols

final class SMTPUpstreamLoginTests: XCTestCase {
    private let alice = LoginCredentials(username: "alice", password: "s3cret")
    private let greeting = "220 mail.example.org ESMTP Postfix\r\n"
    private let ehloPlainLogin = "250-mail.example.org\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
    private let client = ForwardedClient(address: "192.0.2.7", port: 50123, sessionID: "3f2a9c0d4e5b6a71")

    private func b64(_ text: String) -> String {
        StrictBase64.encodeToString(text.utf8)
    }

    private var plainLine: String { "AUTH PLAIN \(b64("\0alice\0s3cret"))\r\n" }

    /// Without credentials unless given: the mail host trusts postern.
    private func login(_ credentials: LoginCredentials? = nil, startTLS: Bool = false,
                       forward: ForwardedClient? = nil, maxLineLength: Int = 65536) -> SMTPUpstreamLogin {
        SMTPUpstreamLogin(credentials: credentials, clientName: "client.example", useStartTLS: startTLS,
                          forward: forward, maxLineLength: maxLineLength)
    }

    private func withCredentials(startTLS: Bool = false, forward: ForwardedClient? = nil) -> SMTPUpstreamLogin {
        login(alice, startTLS: startTLS, forward: forward)
    }

    // MARK: AUTH PLAIN and LOGIN

    func testAuthPlain() {
        var upstream = withCredentials()
        XCTAssertEqual(upstream.receive(greeting), [.send(bytes("EHLO client.example\r\n"))])
        XCTAssertEqual(upstream.receive(ehloPlainLogin), [.send(bytes(plainLine))])
        XCTAssertEqual(upstream.receive("235 2.7.0 Authentication successful\r\n"),
                       [.succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
        XCTAssertEqual(upstream.takeLeftover(), [])
    }

    func testAuthLoginWhenPlainIsNotOffered() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250 AUTH LOGIN CRAM-MD5\r\n"), [.send(bytes("AUTH LOGIN\r\n"))])
        XCTAssertEqual(upstream.receive("334 VXNlcm5hbWU6\r\n"), [.send(bytes("\(b64("alice"))\r\n"))])
        XCTAssertEqual(upstream.receive("334 UGFzc3dvcmQ6\r\n"), [.send(bytes("\(b64("s3cret"))\r\n"))])
        XCTAssertEqual(upstream.receive("235 2.7.0 OK\r\n"), [.succeeded(taggedReplyText: "235 2.7.0 OK", untagged: [])])
    }

    func testPlainIsPreferredWhateverTheOrder() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250 auth login plain\r\n").sentText, plainLine)
    }

    func testOldStyleAuthEqualsIsUnderstood() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250 AUTH=LOGIN\r\n").sentText, "AUTH LOGIN\r\n")
    }

    func testNoUsableMechanism() {
        for ehlo in ["250-mx\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n", "250 mx\r\n", "250-mx\r\n250 PIPELINING\r\n"] {
            var upstream = withCredentials()
            _ = upstream.receive(greeting)
            XCTAssertEqual(upstream.receive(ehlo),
                           [.failed(reason: "mail host offers neither AUTH PLAIN nor AUTH LOGIN", temporary: true)], ehlo)
        }
    }

    func testUTF8Credentials() {
        var upstream = SMTPUpstreamLogin(credentials: LoginCredentials(username: "jörg", password: "pässwörd"),
                                         clientName: "c", useStartTLS: false)
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive(ehloPlainLogin).sentText, "AUTH PLAIN \(b64("\0jörg\0pässwörd"))\r\n")
    }

    // MARK: Refusals

    func testRefusedCredentials() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        XCTAssertEqual(upstream.receive("535 5.7.8 Error: authentication failed: authentication failure\r\n"), [
            .failed(reason: "mail host refused AUTH: 535 5.7.8 Error: authentication failed: authentication failure",
                    temporary: false, reply: "535 5.7.8 Error: authentication failed: authentication failure"),
        ])
        XCTAssertEqual(upstream.receive("235 too late\r\n"), [])
    }

    func testTransientRefusal() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        XCTAssertEqual(upstream.receive("454 4.7.0 Temporary authentication failure\r\n"), [
            .failed(reason: "mail host refused AUTH: 454 4.7.0 Temporary authentication failure", temporary: true,
                    reply: "454 4.7.0 Temporary authentication failure"),
        ])
    }

    func testMultiLineRefusalKeepsItsLines() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        let reply = "534-5.7.9 Application-specific password required.\r\n534 5.7.9 Learn more"
        XCTAssertEqual(upstream.receive(reply + "\r\n"), [
            .failed(reason: "mail host refused AUTH: 534-5.7.9 Application-specific password required. 534 5.7.9 Learn more",
                    temporary: false, reply: reply),
        ])
    }

    func testRefusalDuringAuthLogin() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + "250-mx\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n")
        let actions = upstream.receive("535 5.7.8 No such user\r\n")
        XCTAssertEqual(actions, [.failed(reason: "mail host refused AUTH: 535 5.7.8 No such user", temporary: false,
                                         reply: "535 5.7.8 No such user")])
    }

    func testUnexpectedChallengeToPlain() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        XCTAssertEqual(upstream.receive("334 \r\n"), [.failed(reason: "unexpected reply to AUTH: 334 ", temporary: true)])
    }

    func testPasswordIsRedactedFromReasonAndReply() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        let plain = b64("\0alice\0s3cret")
        let actions = upstream.receive("535-5.7.8 bad password s3cret for alice\r\n535-5.7.8 in \(plain)\r\n"
                                       + "535 5.7.8 or \(b64("s3cret"))\r\n")
        XCTAssertEqual(actions, [.failed(
            reason: "mail host refused AUTH: 535-5.7.8 bad password <redacted> for alice 535-5.7.8 in <redacted> "
                + "535 5.7.8 or <redacted>",
            temporary: false,
            reply: "535-5.7.8 bad password <redacted> for alice\r\n535-5.7.8 in <redacted>\r\n535 5.7.8 or <redacted>")])
        for action in actions {
            XCTAssertFalse(String(describing: action).contains("s3cret"))
            XCTAssertFalse(String(describing: action).contains(plain))
        }
    }

    func testPasswordWithCombiningMarkIsRedactedByteForByte() {
        let password = "caf\u{65}"   // "cafe"; the echo adds a combining acute accent after it
        var upstream = SMTPUpstreamLogin(credentials: LoginCredentials(username: "a", password: password),
                                         clientName: "c", useStartTLS: false)
        _ = upstream.receive(greeting + ehloPlainLogin)
        let actions = upstream.receive("535 5.7.8 rejected cafe\u{301}\r\n")
        guard case .failed(let reason, _, let reply)? = actions.first else { return XCTFail("\(actions)") }
        XCTAssertFalse(reason.contains("cafe"))
        XCTAssertFalse(reply?.contains("cafe") ?? true)
    }

    func testControlCharactersInRepliesAreNeutralised() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        guard case .failed(_, _, let reply)? = upstream.receive("535 a\u{1B}[2Jb\u{7}c\r\n").first else {
            return XCTFail()
        }
        XCTAssertEqual(reply, "535 a [2Jb c")
    }

    // MARK: Greeting

    func testRefusingGreetings() {
        for (text, line) in [("421 4.3.2 Service shutting down\r\n", "421 4.3.2 Service shutting down"),
                             ("554 5.7.1 No SMTP service here\r\n", "554 5.7.1 No SMTP service here")] {
            var upstream = withCredentials()
            XCTAssertEqual(upstream.receive(text), [.failed(reason: "mail host refused the connection: \(line)",
                                                             temporary: true, reply: line)])
        }
    }

    func testMultiLineGreetingSplitAcrossReads() {
        var upstream = withCredentials()
        XCTAssertEqual(upstream.receive("220-mail.example.org ESMTP\r\n22"), [])
        XCTAssertEqual(upstream.receive("0-more text\r"), [])
        XCTAssertEqual(upstream.receive("\n220 ready\r\n"), [.send(bytes("EHLO client.example\r\n"))])
    }

    func testMultiLineEHLOSplitAcrossReads() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mail.example.org\r\n250-AU"), [])
        XCTAssertEqual(upstream.receive("TH PLAIN\r\n250 SIZE"), [])
        XCTAssertEqual(upstream.receive(" 1000\r\n").sentText, plainLine)
    }

    func testByteAtATime() {
        var upstream = withCredentials()
        var actions = upstream.receiveByteAtATime(greeting + ehloPlainLogin)
        actions += upstream.receiveByteAtATime("235 2.7.0 Authentication successful\r\n250 leftover\r\n")
        XCTAssertEqual(actions, [.send(bytes("EHLO client.example\r\n")), .send(bytes(plainLine)),
                                 .succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
        XCTAssertEqual(upstream.takeLeftover(), bytes("250 leftover\r\n"))
    }

    func testLeftoverAfterSuccess() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + ehloPlainLogin)
        let actions = upstream.receive("235 2.7.0 OK\r\n250 2.1.0 Ok\r\n")
        XCTAssertEqual(actions, [.succeeded(taggedReplyText: "235 2.7.0 OK", untagged: [])])
        XCTAssertEqual(upstream.receive("more"), [])
        XCTAssertEqual(upstream.takeLeftover(), bytes("250 2.1.0 Ok\r\nmore"))
        XCTAssertEqual(upstream.takeLeftover(), [])
    }

    func testMalformedReplies() {
        for text in ["hello\r\n", "2200 x\r\n", "220x\r\n", "620 x\r\n", "22\r\n", "220-a\r\n250 b\r\n"] {
            var upstream = withCredentials()
            guard case .failed(let reason, true, nil)? = upstream.receive(text).last else {
                return XCTFail(text.debugDescription)
            }
            XCTAssertTrue(reason.hasPrefix("mail host sent "), reason)
        }
    }

    func testBareCodeIsAReply() {
        var upstream = withCredentials()
        XCTAssertEqual(upstream.receive("220\r\n").sentText, "EHLO client.example\r\n")
    }

    func testOverlongReply() {
        var upstream = login(alice, maxLineLength: 64)
        XCTAssertEqual(upstream.receive("220-" + String(repeating: "x", count: 80)),
                       [.failed(reason: "mail host reply longer than 64 bytes", temporary: true)])
        var many = login(alice, maxLineLength: 64)
        let actions = many.receive(String(repeating: "220-xxxxxxxxxx\r\n", count: 5))
        XCTAssertEqual(actions, [.failed(reason: "mail host reply longer than 64 bytes", temporary: true)])
    }

    // MARK: EHLO and HELO

    func testEHLORefusedFallsBackToHELO() {
        var upstream = withCredentials(forward: client)
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("502 5.5.2 Command not implemented\r\n"), [.send(bytes("HELO client.example\r\n"))])
        // HELO offers nothing: no XCLIENT, and no AUTH to log in with.
        XCTAssertEqual(upstream.receive("250 mail.example.org\r\n"),
                       [.failed(reason: "mail host offers neither AUTH PLAIN nor AUTH LOGIN", temporary: true)])
    }

    func testHELOWithoutCredentialsSucceeds() {
        var upstream = login()
        _ = upstream.receive(greeting + "500 what?\r\n")
        XCTAssertEqual(upstream.receive("250 mx\r\n"),
                       [.succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
    }

    func testHELORefused() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting + "500 what?\r\n")
        XCTAssertEqual(upstream.receive("550 5.7.1 Go away\r\n"),
                       [.failed(reason: "mail host refused HELO: 550 5.7.1 Go away", temporary: true,
                                reply: "550 5.7.1 Go away")])
    }

    func testTransientEHLOFailure() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("421 4.7.0 Too busy\r\n"),
                       [.failed(reason: "mail host refused EHLO: 421 4.7.0 Too busy", temporary: true,
                                reply: "421 4.7.0 Too busy")])
    }

    func testUnusableClientNameIsReplaced() {
        for name in ["", "two words", "evil\r\nRCPT TO:<x>", "[unbalanced"] {
            var upstream = SMTPUpstreamLogin(credentials: nil, clientName: name, useStartTLS: false)
            XCTAssertEqual(upstream.receive(greeting).sentText, "EHLO postern\r\n", name)
        }
        var literal = SMTPUpstreamLogin(credentials: nil, clientName: "[192.0.2.7]", useStartTLS: false)
        XCTAssertEqual(literal.receive(greeting).sentText, "EHLO [192.0.2.7]\r\n")
    }

    // MARK: Without credentials

    func testWithoutCredentialsSucceedsAfterEHLO() {
        var upstream = login()
        XCTAssertEqual(upstream.receive(greeting).sentText, "EHLO client.example\r\n")
        XCTAssertEqual(upstream.receive(ehloPlainLogin + "garbage"),
                       [.succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
        XCTAssertEqual(upstream.takeLeftover(), bytes("garbage"))
    }

    func testWithoutCredentialsNeedsNoAUTH() {
        var upstream = login()
        XCTAssertEqual(upstream.receive(greeting + "250 mx\r\n"),
                       [.send(bytes("EHLO client.example\r\n")),
                        .succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
    }

    // MARK: STARTTLS

    func testStartTLS() {
        var upstream = withCredentials(startTLS: true)
        _ = upstream.receive(greeting)
        // AUTH before TLS is not used, and not trusted afterwards.
        XCTAssertEqual(upstream.receive("250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), [.send(bytes("STARTTLS\r\n"))])
        XCTAssertEqual(upstream.receive("220 2.0.0 Ready to start TLS\r\n"), [.startTLS])
        XCTAssertEqual(upstream.tlsEstablished(), [.send(bytes("EHLO client.example\r\n"))])
        XCTAssertEqual(upstream.tlsEstablished(), [])
        XCTAssertEqual(upstream.receive("250-mx\r\n250 AUTH LOGIN\r\n"), [.send(bytes("AUTH LOGIN\r\n"))])
    }

    func testStartTLSAfterTLSIsNotRepeated() {
        var upstream = login(startTLS: true)
        _ = upstream.receive(greeting + "250-mx\r\n250 STARTTLS\r\n220 go ahead\r\n")
        _ = upstream.tlsEstablished()
        XCTAssertEqual(upstream.receive("250-mx\r\n250 STARTTLS\r\n"),
                       [.succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
    }

    func testInjectionAfterStartTLSReplyIsRefused() {
        var upstream = withCredentials(startTLS: true)
        _ = upstream.receive(greeting + "250-mx\r\n250 STARTTLS\r\n")
        let actions = upstream.receive("220 2.0.0 Ready\r\n250-mx\r\n250 AUTH PLAIN\r\n")
        XCTAssertEqual(actions, [.startTLS, .failed(reason: "mail host sent data before the TLS handshake", temporary: true)])
        XCTAssertEqual(upstream.tlsEstablished(), [])
    }

    func testDataBeforeTLSEstablishedIsRefused() {
        var upstream = withCredentials(startTLS: true)
        XCTAssertEqual(upstream.receive(greeting + "250-mx\r\n250 STARTTLS\r\n220 Ready\r\n").last, .startTLS)
        XCTAssertEqual(upstream.receive("2"), [.failed(reason: "mail host sent data before the TLS handshake",
                                                        temporary: true)])
    }

    func testStartTLSNotOffered() {
        var upstream = withCredentials(startTLS: true)
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive(ehloPlainLogin), [.failed(reason: "mail host does not offer STARTTLS", temporary: true)])
    }

    func testStartTLSRefused() {
        var upstream = withCredentials(startTLS: true)
        _ = upstream.receive(greeting + "250-mx\r\n250 STARTTLS\r\n")
        XCTAssertEqual(upstream.receive("454 4.7.0 TLS not available\r\n"),
                       [.failed(reason: "mail host refused STARTTLS: 454 4.7.0 TLS not available", temporary: true)])
    }

    // MARK: XCLIENT

    func testXClientWhenOffered() {
        var upstream = withCredentials(forward: client)
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250-XCLIENT NAME ADDR PROTO HELO PORT LOGIN\r\n250 AUTH PLAIN\r\n"),
                       [.send(bytes("XCLIENT ADDR=192.0.2.7 PORT=50123\r\n"))])
        XCTAssertFalse(upstream.forwardingAccepted)
        // Postfix starts the session over: a new greeting, then EHLO again.
        XCTAssertEqual(upstream.receive("220 mail.example.org ESMTP Postfix\r\n"), [.send(bytes("EHLO client.example\r\n"))])
        XCTAssertTrue(upstream.forwardingAccepted)
        XCTAssertEqual(upstream.receive("250-mx\r\n250-XCLIENT NAME ADDR PORT\r\n250 AUTH PLAIN\r\n").sentText, plainLine)
    }

    func testXClientWithIPv6AndSession() {
        var upstream = login(forward: ForwardedClient(address: "2001:db8::7", port: 993, sessionID: "3f2a9c0d"))
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250 XCLIENT ADDR PORT SESSION\r\n").sentText,
                       "XCLIENT ADDR=IPV6:2001:db8::7 PORT=993 SESSION=3f2a9c0d\r\n")
        XCTAssertEqual(upstream.receive("220-mx\r\n220 again\r\n").sentText, "EHLO client.example\r\n")
        XCTAssertEqual(upstream.receive("250 mx\r\n"),
                       [.succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
    }

    func testXClientTellsATrustingMailHostWhoLoggedIn() {
        let alice = ForwardedClient(address: "192.0.2.7", port: 50123, sessionID: "", login: "alice+x=y")
        var upstream = login(forward: alice)
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250 XCLIENT NAME ADDR PORT LOGIN\r\n").sentText,
                       "XCLIENT ADDR=192.0.2.7 PORT=50123 LOGIN=alice+2Bx+3Dy\r\n")
        XCTAssertEqual(upstream.receive("220 mx\r\n").sentText, "EHLO client.example\r\n")
        XCTAssertEqual(upstream.receive("250 mx\r\n"),
                       [.succeeded(taggedReplyText: "235 2.7.0 Authentication successful", untagged: [])])
    }

    func testXClientLoginOnlyWhenOfferedAndNeverBeforeAuth() {
        let alice = ForwardedClient(address: "192.0.2.7", port: 50123, sessionID: "", login: "alice")
        var trusting = login(forward: alice)
        _ = trusting.receive(greeting)
        XCTAssertEqual(trusting.receive("250-mx\r\n250 XCLIENT ADDR PORT\r\n").sentText,
                       "XCLIENT ADDR=192.0.2.7 PORT=50123\r\n")
        // The mail host checks the login itself: LOGIN would make Postfix refuse the AUTH.
        var checking = withCredentials(forward: alice)
        _ = checking.receive(greeting)
        XCTAssertEqual(checking.receive("250-mx\r\n250-XCLIENT ADDR PORT LOGIN\r\n250 AUTH PLAIN\r\n").sentText,
                       "XCLIENT ADDR=192.0.2.7 PORT=50123\r\n")
    }

    func testXClientSkippedWhenNotOfferedOrIncomplete() {
        for ehlo in ["250-mx\r\n250 AUTH PLAIN\r\n", "250-mx\r\n250-XCLIENT NAME ADDR\r\n250 AUTH PLAIN\r\n",
                     "250-mx\r\n250-XCLIENT\r\n250 AUTH PLAIN\r\n"] {
            var upstream = withCredentials(forward: client)
            _ = upstream.receive(greeting)
            XCTAssertEqual(upstream.receive(ehlo).sentText, plainLine, ehlo)
            XCTAssertFalse(upstream.forwardingAccepted)
        }
    }

    func testXClientNotSentWithoutAClientToForward() {
        var upstream = withCredentials()
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250-XCLIENT ADDR PORT\r\n250 AUTH PLAIN\r\n").sentText, plainLine)
    }

    func testXClientRefusedLetsTheLoginGoOn() {
        var upstream = withCredentials(forward: client)
        _ = upstream.receive(greeting + "250-mx\r\n250-XCLIENT ADDR PORT\r\n250 AUTH PLAIN\r\n")
        XCTAssertEqual(upstream.receive("550 5.7.0 Error: insufficient authorization\r\n"), [.send(bytes(plainLine))])
        XCTAssertFalse(upstream.forwardingAccepted)
        XCTAssertEqual(upstream.receive("235 2.7.0 OK\r\n"), [.succeeded(taggedReplyText: "235 2.7.0 OK", untagged: [])])
    }

    func testXClientAnsweredWithClosing() {
        var upstream = withCredentials(forward: client)
        _ = upstream.receive(greeting + "250-mx\r\n250 XCLIENT ADDR PORT\r\n")
        XCTAssertEqual(upstream.receive("421 4.3.2 Shutting down\r\n"), [
            .failed(reason: "mail host closed the connection after XCLIENT: 421 4.3.2 Shutting down", temporary: true,
                    reply: "421 4.3.2 Shutting down"),
        ])
    }

    func testXClientAfterStartTLS() {
        var upstream = withCredentials(startTLS: true, forward: client)
        _ = upstream.receive(greeting)
        XCTAssertEqual(upstream.receive("250-mx\r\n250-STARTTLS\r\n250 XCLIENT ADDR PORT\r\n").sentText, "STARTTLS\r\n")
        XCTAssertEqual(upstream.receive("220 go\r\n"), [.startTLS])
        _ = upstream.tlsEstablished()
        XCTAssertEqual(upstream.receive("250-mx\r\n250-XCLIENT ADDR PORT\r\n250 AUTH PLAIN\r\n").sentText,
                       "XCLIENT ADDR=192.0.2.7 PORT=50123\r\n")
        XCTAssertEqual(upstream.receive("220 mx\r\n").sentText, "EHLO client.example\r\n")
        XCTAssertEqual(upstream.receive("250-mx\r\n250-XCLIENT ADDR PORT\r\n250 AUTH PLAIN\r\n").sentText, plainLine)
    }

    func testXClientValues() {
        XCTAssertEqual(SMTPXClientCommand.address("192.0.2.7"), "192.0.2.7")
        XCTAssertEqual(SMTPXClientCommand.address("::1"), "IPV6:::1")
        XCTAssertEqual(SMTPXClientCommand.address("IPv6:::1"), "IPv6:::1")
        XCTAssertEqual(SMTPXClientCommand.xtext("a+b=c d\r\u{7F}é"), "a+2Bb+3Dc+20d+0D+7F+C3+A9")
        let odd = ForwardedClient(address: "192.0.2.7 PORT=1", port: 1, sessionID: "x\r\nRSET")
        XCTAssertEqual(SMTPXClientCommand.line(for: odd, offered: ["ADDR", "PORT", "SESSION"]),
                       "XCLIENT ADDR=192.0.2.7+20PORT+3D1 PORT=1 SESSION=x+0D+0ARSET\r\n")
        XCTAssertNil(SMTPXClientCommand.line(for: client, offered: ["ADDR"]))
    }
}
