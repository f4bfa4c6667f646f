/// The relay's side of an SMTP session: reads the mail host's greeting, says EHLO (HELO when
/// EHLO is refused), optionally upgrades with STARTTLS (RFC 3207), tells a trusting mail host
/// the client's address with XCLIENT, and logs in with AUTH PLAIN or LOGIN (RFC 4954).
/// Bytes from the mail host in, actions out; it speaks only until the login's reply.
///
/// Without credentials the mail host trusts postern itself (SMTPS without `mailhost`): no AUTH
/// is sent, and success carries postern's own 235 for the client that authenticated to postern.
public struct SMTPUpstreamLogin: UpstreamLoginDialogue {
    /// The client's line for a login the mail host did not see.
    static let trustedSuccessReply = "235 2.7.0 Authentication successful"

    private enum State: Sendable {
        case awaitingGreeting
        case awaitingEHLO
        case awaitingHELO
        case awaitingStartTLSReply
        /// .startTLS was emitted; nothing may arrive before the handshake.
        case awaitingTLS
        /// XCLIENT sent; a mail host that accepts it starts over with a new greeting (Postfix).
        case awaitingXClientGreeting
        /// AUTH sent; `remaining` are the lines still to send, one for each 334 challenge.
        case authenticating(remaining: [[UInt8]])
        case succeeded
        case failed
    }

    private let credentials: LoginCredentials?
    private let clientName: String
    private let useStartTLS: Bool
    private let forward: ForwardedClient?
    private let maxLineLength: Int
    private var reader: SMTPReplyReader
    private var state = State.awaitingGreeting
    private var tlsActive = false
    private var forwarded = false
    private var extensions = SMTPExtensions()
    private var leftover: [UInt8] = []

    /// Whether the mail host accepted the XCLIENT carrying the client's address (false when it
    /// was not offered, not asked for, or refused).
    public private(set) var forwardingAccepted = false

    /// `clientName` is the client's EHLO argument, repeated in postern's EHLO; an unusable one
    /// (empty, with spaces or control characters) is replaced by "postern". `maxLineLength`
    /// bounds one reply, all its lines together.
    public init(credentials: LoginCredentials?, clientName: String, useStartTLS: Bool,
                forward: ForwardedClient? = nil, maxLineLength: Int = 65536) {
        self.credentials = credentials
        self.clientName = SMTPHelloName.isAcceptable(clientName) ? clientName : "postern"
        self.useStartTLS = useStartTLS
        self.forward = forward
        self.maxLineLength = maxLineLength
        reader = SMTPReplyReader(maxReplySize: maxLineLength)
    }

    public mutating func receive(_ bytes: some Collection<UInt8>) -> [UpstreamLoginAction] {
        var actions: [UpstreamLoginAction] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            switch state {
            case .succeeded:
                // The session belongs to the relay now; whatever followed the reply is the client's.
                leftover.append(contentsOf: bytes[index...])
                return actions
            case .failed:
                return actions
            case .awaitingTLS:
                // RFC 3207 / CVE-2011-0411: plaintext after the STARTTLS reply could be injected.
                fail("mail host sent data before the TLS handshake", &actions)
                return actions
            case .awaitingGreeting, .awaitingEHLO, .awaitingHELO, .awaitingStartTLSReply, .awaitingXClientGreeting,
                 .authenticating:
                let event = reader.push(bytes[index])
                index = bytes.index(after: index)
                switch event {
                case .reply(let reply)?:
                    handle(reply, &actions)
                case .malformed(let reason)?:
                    fail("mail host sent \(reason)", &actions)
                case .tooLong?:
                    fail("mail host reply longer than \(maxLineLength) bytes", &actions)
                case nil:
                    break
                }
            }
        }
        return actions
    }

    public mutating func tlsEstablished() -> [UpstreamLoginAction] {
        guard case .awaitingTLS = state else { return [] }
        tlsActive = true
        // RFC 3207 section 4.2: everything learnt before TLS is discarded; EHLO starts over.
        extensions = SMTPExtensions()
        reader.reset()
        var actions: [UpstreamLoginAction] = []
        sendEHLO(&actions)
        return actions
    }

    /// Bytes the mail host sent after the reply that ended the login, for the client.
    public mutating func takeLeftover() -> [UInt8] {
        defer { leftover = [] }
        return leftover
    }

    // MARK: - Replies

    private mutating func handle(_ reply: SMTPReply, _ actions: inout [UpstreamLoginAction]) {
        switch state {
        case .awaitingGreeting:
            guard reply.code == 220 else {
                fail("mail host refused the connection: \(reply.summary)", reply: reply, &actions)
                return
            }
            sendEHLO(&actions)
        case .awaitingEHLO:
            if reply.isPositiveCompletion {
                extensions = SMTPExtensions(ehloReply: reply)
                proceed(&actions)
            } else if reply.isPermanentFailure {
                // RFC 5321 section 3.2: an old server that does not know EHLO; HELO still works.
                actions.append(.send(Array("HELO \(clientName)\r\n".utf8)))
                state = .awaitingHELO
            } else {
                fail("mail host refused EHLO: \(reply.summary)", reply: reply, &actions)
            }
        case .awaitingHELO:
            guard reply.isPositiveCompletion else {
                fail("mail host refused HELO: \(reply.summary)", reply: reply, &actions)
                return
            }
            extensions = SMTPExtensions()
            proceed(&actions)
        case .awaitingStartTLSReply:
            guard reply.code == 220 else {
                fail("mail host refused STARTTLS: \(reply.summary)", &actions)
                return
            }
            state = .awaitingTLS
            actions.append(.startTLS)
        case .awaitingXClientGreeting:
            if reply.code == 220 {
                forwardingAccepted = true
                extensions = SMTPExtensions()
                sendEHLO(&actions)
            } else if reply.code == 421 {
                fail("mail host closed the connection after XCLIENT: \(reply.summary)", reply: reply, &actions)
            } else {
                // Refused (postern is not among the mail host's authorized XCLIENT hosts): the
                // session is as it was, so the login goes on; `forwardingAccepted` tells the log.
                proceed(&actions)
            }
        case .authenticating(var remaining):
            handleAuthReply(reply, remaining: &remaining, &actions)
        case .awaitingTLS, .succeeded, .failed:
            break
        }
    }

    private mutating func handleAuthReply(_ reply: SMTPReply, remaining: inout [[UInt8]],
                                          _ actions: inout [UpstreamLoginAction]) {
        if reply.code == 334, !remaining.isEmpty {
            actions.append(.send(remaining.removeFirst()))
            state = .authenticating(remaining: remaining)
        } else if reply.code == 235 {
            succeed(reply.lines.joined(separator: "\r\n"), &actions)
        } else if reply.isTransientFailure || reply.isPermanentFailure {
            fail("mail host refused AUTH: \(reply.summary)", temporary: reply.isTransientFailure, reply: reply,
                 &actions)
        } else {
            fail("unexpected reply to AUTH: \(reply.summary)", &actions)
        }
    }

    // MARK: - Commands

    /// The next command after an EHLO or HELO, from what the mail host offers.
    private mutating func proceed(_ actions: inout [UpstreamLoginAction]) {
        if useStartTLS, !tlsActive {
            guard extensions.contains("STARTTLS") else {
                fail("mail host does not offer STARTTLS", &actions)
                return
            }
            actions.append(.send(Array("STARTTLS\r\n".utf8)))
            state = .awaitingStartTLSReply
            return
        }
        // LOGIN only where postern's word is the login (no AUTH follows): a mail host that took
        // it would count the session as authenticated and refuse the AUTH (Postfix: 503).
        if let forward, !forwarded, let attributes = extensions.parameters("XCLIENT"),
           let line = SMTPXClientCommand.line(for: forward, offered: attributes,
                                              login: credentials == nil ? forward.login : nil) {
            forwarded = true
            actions.append(.send(Array(line.utf8)))
            state = .awaitingXClientGreeting
            return
        }
        guard let credentials else {
            succeed(Self.trustedSuccessReply, &actions)
            return
        }
        let mechanisms = extensions.authMechanisms
        if mechanisms.contains("PLAIN") {
            let response = StrictBase64.encodeToString(SASLPlain.encode(credentials))
            actions.append(.send(Array("AUTH PLAIN \(response)\r\n".utf8)))
            state = .authenticating(remaining: [])
        } else if mechanisms.contains("LOGIN") {
            actions.append(.send(Array("AUTH LOGIN\r\n".utf8)))
            state = .authenticating(remaining: [
                StrictBase64.encode(credentials.username.utf8) + ASCII.crlf,
                StrictBase64.encode(credentials.password.utf8) + ASCII.crlf,
            ])
        } else {
            fail("mail host offers neither AUTH PLAIN nor AUTH LOGIN", &actions)
        }
    }

    private mutating func sendEHLO(_ actions: inout [UpstreamLoginAction]) {
        actions.append(.send(Array("EHLO \(clientName)\r\n".utf8)))
        state = .awaitingEHLO
    }

    private mutating func succeed(_ text: String, _ actions: inout [UpstreamLoginAction]) {
        state = .succeeded
        actions.append(.succeeded(taggedReplyText: text, untagged: []))
    }

    /// `temporary` unless the mail host refused the credentials themselves (a 5xx to AUTH):
    /// a broken, busy or misconfigured mail host is not the user's fault. `reply` is passed on
    /// only for refusals a client may see (greeting, EHLO or HELO, AUTH, a 421), not for
    /// postern's own steps (STARTTLS, a missing mechanism).
    private mutating func fail(_ reason: String, temporary: Bool = true, reply: SMTPReply? = nil,
                               _ actions: inout [UpstreamLoginAction]) {
        state = .failed
        let shown = reply.map { reply in
            reply.lines.prefix(SMTPPreAuthReplies.maxMailHostReplyLines).map { redacted($0) }.joined(separator: "\r\n")
        }
        actions.append(.failed(reason: redacted(reason), temporary: temporary, reply: shown))
    }

    /// Text as a log or a client may see it: one line, bounded, and without the password,
    /// even if the mail host echoed it or the base64 that carried it.

    private func redacted(_ text: String) -> String {
        credentials?.redacting(text) ?? ASCII.printable(text)
    }
}
