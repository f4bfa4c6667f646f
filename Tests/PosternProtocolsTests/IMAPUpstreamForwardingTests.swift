import XCTest
@testable import PosternProtocols

/// The client's address sent to the mail host in an ID command before LOGIN (RFC 2971, with the
/// fields Dovecot accepts from `login_trusted_networks`).
final class IMAPUpstreamForwardingTests: XCTestCase {
    private let alice = LoginCredentials(username: "alice", password: "s3cret")
    private let client = ForwardedClient(address: "192.0.2.7", port: 54321, sessionID: "3f2a9c0d4e5b6a71")
    private let aliceID = "ID (\"x-originating-ip\" \"192.0.2.7\" \"x-originating-port\" \"54321\" "
        + "\"x-session-id\" \"3f2a9c0d4e5b6a71\")\r\n"

    func testIDBeforeLogin() {
        var upstream = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, forward: client)
        XCTAssertEqual(upstream.receive("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] Dovecot ready.\r\n"),
                       [.send(bytes("P1 " + aliceID))])
        XCTAssertEqual(upstream.receive("* ID (\"name\" \"Dovecot\")\r\n"), [])
        XCTAssertFalse(upstream.forwardingAccepted)
        XCTAssertEqual(upstream.receive("P1 OK ID completed.\r\n"), [.send(bytes("P2 LOGIN \"alice\" \"s3cret\"\r\n"))])
        XCTAssertTrue(upstream.forwardingAccepted)
        XCTAssertEqual(upstream.receive("P2 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"),
                       [.succeeded(taggedReplyText: "OK [CAPABILITY IMAP4rev1 IDLE] Logged in", untagged: [])])
    }

    func testIDRefusalStillLogsIn() {
        for reply in ["NO ID not allowed", "BAD Unknown command"] {
            var upstream = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, forward: client)
            _ = upstream.receive("* OK ready\r\n")
            XCTAssertEqual(upstream.receive("P1 \(reply)\r\n"), [.send(bytes("P2 LOGIN \"alice\" \"s3cret\"\r\n"))], reply)
            XCTAssertFalse(upstream.forwardingAccepted)
            XCTAssertEqual(upstream.receive("P2 OK in\r\n"), [.succeeded(taggedReplyText: "OK in", untagged: [])])
        }
    }

    func testNoIDWithoutForward() {
        var upstream = IMAPUpstreamLogin(credentials: alice, useStartTLS: false)
        XCTAssertEqual(upstream.receive("* OK [CAPABILITY IMAP4rev1 ID] ready\r\n"),
                       [.send(bytes("P1 LOGIN \"alice\" \"s3cret\"\r\n"))])
        // The initializer without `forward` keeps working, with every argument.
        var limited = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, maxLineLength: 100)
        XCTAssertEqual(limited.receive("* OK ready\r\n").sentText, "P1 LOGIN \"alice\" \"s3cret\"\r\n")
    }

    func testIDExactlyOnceAfterSTARTTLSAndBeforeCapabilityAndLogin() {
        var upstream = IMAPUpstreamLogin(credentials: LoginCredentials(username: "alice", password: "pässwörd"),
                                         useStartTLS: true, forward: client)
        var sent = ""
        var actions = upstream.receive("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
        XCTAssertEqual(actions, [.send(bytes("P1 STARTTLS\r\n"))])
        sent += actions.sentText
        XCTAssertEqual(upstream.receive("P1 OK go\r\n"), [.startTLS])
        // After TLS: the ID first (never in plaintext before TLS), then what the login needs.
        actions = upstream.tlsEstablished()
        XCTAssertEqual(actions, [.send(bytes("P2 " + aliceID))])
        sent += actions.sentText
        actions = upstream.receive("* ID NIL\r\nP2 OK done\r\n")
        XCTAssertEqual(actions, [.send(bytes("P3 CAPABILITY\r\n"))])
        sent += actions.sentText
        actions = upstream.receive("* CAPABILITY IMAP4rev1 LITERAL+ ID\r\nP3 OK done\r\n")
        XCTAssertEqual(actions, [.send(bytes("P4 LOGIN \"alice\" {10+}\r\npässwörd\r\n"))])
        sent += actions.sentText
        XCTAssertEqual(upstream.receive("P4 OK in\r\n"), [.succeeded(taggedReplyText: "OK in", untagged: [])])
        XCTAssertEqual(sent.components(separatedBy: " ID (").count - 1, 1, sent)
    }

    func testIDQuoting() {
        let forward = ForwardedClient(address: "2001:db8::7", port: 993, sessionID: #"a"b\c"#)
        XCTAssertEqual(IMAPUpstreamLogin.idCommand(tag: "P1", forward),
                       bytes(#"P1 ID ("x-originating-ip" "2001:db8::7" "x-originating-port" "993" "x-session-id" "a\"b\\c")"#
                             + "\r\n"))
        XCTAssertNil(IMAPUpstreamLogin.idCommand(tag: "P1", ForwardedClient(address: "1.2.3.4", port: 1,
                                                                            sessionID: "x\r\nP9 LOGIN root x")))
        XCTAssertNil(IMAPUpstreamLogin.idCommand(tag: "P1", ForwardedClient(address: "1.2.3.ä", port: 1, sessionID: "")))
    }

    func testUnquotableValueFailsWithoutSending() {
        var upstream = IMAPUpstreamLogin(credentials: alice, useStartTLS: false,
                                         forward: ForwardedClient(address: "1.2.3.4\r\nX", port: 1, sessionID: "s"))
        let actions = upstream.receive("* OK ready\r\n")
        XCTAssertEqual(actions, [.failed(reason: "cannot forward client address 1.2.3.4  X with ID: not a quotable string",
                                         temporary: true)])
    }

    func testByeOrUnknownTagDuringID() {
        var bye = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, forward: client)
        _ = bye.receive("* OK ready\r\n")
        XCTAssertEqual(bye.receive("* BYE shutting down\r\n"),
                       [.failed(reason: "mail host closed the connection: BYE shutting down", temporary: true)])

        var wrongTag = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, forward: client)
        _ = wrongTag.receive("* OK ready\r\n")
        XCTAssertEqual(wrongTag.receive("X1 OK hm\r\n"),
                       [.failed(reason: "mail host replied with an unknown tag: X1 OK hm", temporary: true)])

        var continuation = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, forward: client)
        _ = continuation.receive("* OK ready\r\n")
        XCTAssertEqual(continuation.receive("+ go\r\n"),
                       [.failed(reason: "unexpected continuation request from mail host", temporary: true)])
    }

    func testByteAtATime() {
        var upstream = IMAPUpstreamLogin(credentials: alice, useStartTLS: false, forward: client)
        var actions: [UpstreamLoginAction] = []
        for byte in "* OK ready\r\n* ID (\"name\" \"Dovecot\")\r\nP1 OK ID completed.\r\nP2 OK in\r\n".utf8 {
            actions += upstream.receive(CollectionOfOne(byte))
        }
        XCTAssertEqual(actions, [.send(bytes("P1 " + aliceID)), .send(bytes("P2 LOGIN \"alice\" \"s3cret\"\r\n")),
                                 .succeeded(taggedReplyText: "OK in", untagged: [])])
    }
}
