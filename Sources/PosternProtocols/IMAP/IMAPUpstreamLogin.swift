/// What the relay's login to a mail host asks its connection to do.
public enum UpstreamLoginAction: Sendable, Equatable {
    /// Bytes for the mail host.
    case send([UInt8])
    /// Switch the connection to TLS now, then call `tlsEstablished()`.
    case startTLS
    /// Logged in. `taggedReplyText` is the mail host's tagged reply after the tag (e.g.
    /// "OK [CAPABILITY ...] Logged in"), to send to the client under the client's tag;
    /// `untagged` holds the untagged responses that came after LOGIN was sent, whole lines
    /// ("* CAPABILITY ...") without their CRLF, in order.
    case succeeded(taggedReplyText: String, untagged: [String])
    /// Not logged in. `reason` is for logs: the mail host's words or ours, never the password.
    /// `temporary` when the failure is not the credentials' fault (UNAVAILABLE, BYE, a broken
    /// or misconfigured mail host). `reply` is the mail host's own refusal, made safe to show the
    /// client, for protocols that pass it on (POP3, SMTP); nil when there was none.
    case failed(reason: String, temporary: Bool, reply: String? = nil)
}

/// The relay's side of an IMAP session: reads the mail host's greeting, optionally upgrades
/// with STARTTLS, tells the mail host who the client is when asked to (RFC 2971 ID), and logs in
/// for the user (RFC 9051/3501, RFC 7888 literals, RFC 2595 STARTTLS).
/// Bytes from the mail host in, actions out; it speaks only until the login's tagged reply.
public struct IMAPUpstreamLogin: Sendable {
    private enum State: Sendable {
        case awaitingGreeting
        case awaitingCapabilities(tag: String)
        case awaitingStartTLSReply(tag: String)
        /// .startTLS was emitted; nothing may arrive before the handshake.
        case awaitingTLS
        /// ID with the client's address sent; any tagged reply lets the login go on.
        case awaitingIDReply(tag: String)
        /// LOGIN sent up to `remaining`, each piece waiting for a "+".
        case loggingIn(tag: String, remaining: [[UInt8]])
        case succeeded
        case failed
    }

    private let credentials: LoginCredentials
    private let useStartTLS: Bool
    private let forward: ForwardedClient?
    private let maxLineLength: Int
    private var framer: IMAPFramer
    private var state = State.awaitingGreeting
    private var tlsActive = false
    /// Upper-cased capability names; nil until the server has told us.
    private var capabilities: Set<String>?
    private var nextTag = 1
    private var untagged: [String] = []
    private var untaggedBytes = 0
    private var leftover: [UInt8] = []
    private var forwardingSent = false

    /// Whether the mail host answered the ID carrying the client's address with OK. Dovecot says
    /// OK to anyone and believes the address only from `login_trusted_networks`.
    public private(set) var forwardingAccepted = false

    /// `forward`: send the client's address and postern's session id in an ID command before
    /// LOGIN, for a mail host that trusts postern to say so.
    public init(credentials: LoginCredentials, useStartTLS: Bool, forward: ForwardedClient? = nil,
                maxLineLength: Int = 65536) {
        self.credentials = credentials
        self.useStartTLS = useStartTLS
        self.forward = forward
        self.maxLineLength = maxLineLength
        framer = IMAPFramer(.init(maxLineLength: maxLineLength, maxLiteralSize: maxLineLength,
                                  maxMessageSize: maxLineLength, tracksQuotedStrings: false))
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
                // RFC 2595 / CVE-2011-0411: plaintext after the STARTTLS reply could be injected.
                fail("mail host sent data before the TLS handshake", temporary: true, &actions)
                return actions
            case .awaitingGreeting, .awaitingCapabilities, .awaitingStartTLSReply, .awaitingIDReply, .loggingIn:
                let event = framer.push(bytes[index])
                index = bytes.index(after: index)
                switch event {
                case .message(let message)?:
                    handle(IMAPServerResponse(message), &actions)
                case .literalRefused?, .failed?:
                    fail("mail host response longer than \(maxLineLength) bytes", temporary: true, &actions)
                case .literalAnnounced?, nil:
                    break
                }
            }
        }
        return actions
    }

    public mutating func tlsEstablished() -> [UpstreamLoginAction] {
        guard case .awaitingTLS = state else { return [] }
        tlsActive = true
        // RFC 3501 6.2.1: capabilities learnt before TLS are discarded.
        capabilities = nil
        var actions: [UpstreamLoginAction] = []
        proceed(&actions)
        return actions
    }

    /// Bytes the mail host sent after the successful LOGIN reply, for the client.
    public mutating func takeLeftover() -> [UInt8] {
        defer { leftover = [] }
        return leftover
    }

    // MARK: - Responses

    private mutating func handle(_ response: IMAPServerResponse, _ actions: inout [UpstreamLoginAction]) {
        switch state {
        case .awaitingGreeting:
            handleGreeting(response, &actions)
        case .awaitingCapabilities(let tag):
            if let names = response.capabilities ?? response.code?.capabilities { capabilities = names }
            guard let ok = completion(of: response, tag: tag, command: "CAPABILITY", &actions), ok else { return }
            capabilities = capabilities ?? []
            proceed(&actions)
        case .awaitingStartTLSReply(let tag):
            guard let ok = completion(of: response, tag: tag, command: "STARTTLS", &actions), ok else { return }
            state = .awaitingTLS
            actions.append(.startTLS)
        case .awaitingIDReply(let tag):
            handleIDResponse(response, tag: tag, &actions)
        case .loggingIn(let tag, var remaining):
            handleLoginResponse(response, tag: tag, remaining: &remaining, &actions)
        case .awaitingTLS, .succeeded, .failed:
            break
        }
    }

    private mutating func handleGreeting(_ response: IMAPServerResponse, _ actions: inout [UpstreamLoginAction]) {
        guard response.origin == .untagged else {
            fail("unexpected greeting from mail host: \(response.line)", temporary: true, &actions)
            return
        }
        switch response.keyword {
        case "OK":
            capabilities = response.capabilities
            proceed(&actions)
        case "PREAUTH":
            fail("mail host greeted with PREAUTH (already authenticated), refusing", temporary: true, &actions)
        case "BYE":
            fail("mail host refused the connection: \(response.text)", temporary: true, &actions)
        default:
            fail("unexpected greeting from mail host: \(response.line)", temporary: true, &actions)
        }
    }

    /// For a command before LOGIN: true on its tagged OK, nil while it is still running,
    /// false (after failing) on anything that ends the attempt.
    private mutating func completion(of response: IMAPServerResponse, tag: String, command: String,
                                     _ actions: inout [UpstreamLoginAction]) -> Bool? {
        switch response.origin {
        case .untagged where response.keyword == "BYE":
            fail("mail host closed the connection: \(response.text)", temporary: true, &actions)
            return false
        case .untagged:
            return nil
        case .continuation:
            fail("unexpected continuation request from mail host", temporary: true, &actions)
            return false
        case .tagged(let responseTag) where responseTag == tag:
            if response.keyword == "OK" { return true }
            fail("mail host refused \(command): \(response.text)", temporary: true, &actions)
            return false
        case .tagged:
            fail("mail host replied with an unknown tag: \(response.line)", temporary: true, &actions)
            return false
        }
    }

    /// ID is advisory (RFC 2971): OK, NO and BAD all lead on to LOGIN.
    private mutating func handleIDResponse(_ response: IMAPServerResponse, tag: String,
                                           _ actions: inout [UpstreamLoginAction]) {
        switch response.origin {
        case .untagged where response.keyword == "BYE":
            fail("mail host closed the connection: \(response.text)", temporary: true, &actions)
        case .untagged:
            // The server's own "* ID (...)".
            break
        case .continuation:
            fail("unexpected continuation request from mail host", temporary: true, &actions)
        case .tagged(let responseTag) where responseTag == tag:
            forwardingAccepted = response.keyword == "OK"
            proceed(&actions)
        case .tagged:
            fail("mail host replied with an unknown tag: \(response.line)", temporary: true, &actions)
        }
    }

    private mutating func handleLoginResponse(_ response: IMAPServerResponse, tag: String, remaining: inout [[UInt8]],
                                              _ actions: inout [UpstreamLoginAction]) {
        switch response.origin {
        case .continuation:
            guard !remaining.isEmpty else {
                fail("unexpected continuation request from mail host", temporary: true, &actions)
                return
            }
            actions.append(.send(remaining.removeFirst()))
            state = .loggingIn(tag: tag, remaining: remaining)
        case .untagged:
            if response.keyword == "BYE" {
                fail("mail host closed the connection: \(response.text)", temporary: true, &actions)
                return
            }
            untaggedBytes += response.line.utf8.count
            guard untaggedBytes <= maxLineLength * 4 else {
                fail("mail host sent too many untagged responses to LOGIN", temporary: true, &actions)
                return
            }
            untagged.append(response.line)
        case .tagged(let responseTag) where responseTag == tag:
            switch response.keyword {
            case "OK":
                state = .succeeded
                actions.append(.succeeded(taggedReplyText: response.text, untagged: untagged))
            case "NO", "BAD":
                fail("mail host refused LOGIN: \(response.text)", temporary: response.code?.name == "UNAVAILABLE",
                     &actions)
            default:
                fail("unexpected reply to LOGIN: \(response.text)", temporary: true, &actions)
            }
        case .tagged:
            fail("mail host replied with an unknown tag: \(response.line)", temporary: true, &actions)
        }
    }

    // MARK: - Commands

    /// The next command, from what is known so far.
    private mutating func proceed(_ actions: inout [UpstreamLoginAction]) {
        if useStartTLS, !tlsActive {
            guard let capabilities else {
                sendCapability(&actions)
                return
            }
            guard capabilities.contains("STARTTLS") else {
                fail("mail host does not offer STARTTLS", temporary: true, &actions)
                return
            }
            let tag = makeTag()
            actions.append(.send(Array("\(tag) STARTTLS\r\n".utf8)))
            state = .awaitingStartTLSReply(tag: tag)
            return
        }
        if let forward, !forwardingSent {
            forwardingSent = true
            let tag = makeTag()
            guard let command = Self.idCommand(tag: tag, forward) else {
                fail("cannot forward client address \(forward.address) with ID: not a quotable string",
                     temporary: true, &actions)
                return
            }
            actions.append(.send(command))
            state = .awaitingIDReply(tag: tag)
            return
        }
        let needsLiteral = IMAPLoginCommand.needsLiteral(credentials.username)
            || IMAPLoginCommand.needsLiteral(credentials.password)
        if capabilities == nil, needsLiteral {
            sendCapability(&actions)
            return
        }
        if capabilities?.contains("LOGINDISABLED") == true {
            fail("mail host advertises LOGINDISABLED", temporary: true, &actions)
            return
        }
        let tag = makeTag()
        let command = IMAPLoginCommand(tag: tag, credentials: credentials,
                                       literals: .init(capabilities: capabilities ?? []))
        var segments = command.segments
        actions.append(.send(segments.removeFirst()))
        state = .loggingIn(tag: tag, remaining: segments)
    }

    /// `tag ID ("x-originating-ip" … "x-originating-port" … "x-session-id" …)`, the fields Dovecot
    /// takes from `login_trusted_networks`; nil when a value cannot be a quoted string.
    static func idCommand(tag: String, _ forward: ForwardedClient) -> [UInt8]? {
        let fields = [("x-originating-ip", forward.address), ("x-originating-port", String(forward.port)),
                      ("x-session-id", forward.sessionID)]
        var command = Array("\(tag) ID (".utf8)
        for (index, (key, value)) in fields.enumerated() {
            guard let quotedKey = IMAPLoginCommand.quoted(Array(key.utf8)),
                  let quotedValue = IMAPLoginCommand.quoted(Array(value.utf8)) else { return nil }
            if index > 0 { command.append(ASCII.space) }
            command += quotedKey + [ASCII.space] + quotedValue
        }
        return command + [ASCII.closeParen] + ASCII.crlf
    }

    private mutating func sendCapability(_ actions: inout [UpstreamLoginAction]) {
        let tag = makeTag()
        actions.append(.send(Array("\(tag) CAPABILITY\r\n".utf8)))
        state = .awaitingCapabilities(tag: tag)
    }

    private mutating func makeTag() -> String {
        defer { nextTag += 1 }
        return "P\(nextTag)"
    }

    private mutating func fail(_ reason: String, temporary: Bool, _ actions: inout [UpstreamLoginAction]) {
        state = .failed
        actions.append(.failed(reason: redacted(reason), temporary: temporary))
    }

    /// The reason as a log may hold it: one line, bounded, and without the password even if
    /// the mail host echoed it.

    private func redacted(_ text: String) -> String {
        credentials.redacting(text)
    }
}
