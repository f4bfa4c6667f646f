/// The relay's side of a POP3 session: reads the mail host's greeting, optionally upgrades with
/// STLS (RFC 2595), asks for its capabilities (RFC 2449), tells it who the client is with XCLIENT
/// when asked to and offered, and logs in for the user: AUTH PLAIN (RFC 5034) when the mail host
/// lists it, USER and PASS (RFC 1939) otherwise. Bytes from the mail host in, actions out; it
/// speaks only until the reply to the login.
public struct POP3UpstreamLogin: UpstreamLoginDialogue {
    private enum State: Sendable {
        case awaitingGreeting
        case awaitingSTLSReply
        /// .startTLS was emitted; nothing may arrive before the handshake.
        case awaitingTLS
        /// CAPA sent; waiting for its status line.
        case awaitingCapabilities
        /// Reading CAPA's lines up to the ".".
        case readingCapabilities(POP3Capabilities)
        case awaitingXCLIENTReply(POP3Capabilities)
        /// AUTH PLAIN sent; `response` is the base64 message still to send after the server's
        /// "+", when it did not fit on the command line.
        case awaitingAuthReply(response: [UInt8]?)
        case awaitingUserReply
        case awaitingPassReply
        case succeeded
        case failed
    }

    /// RFC 2449 section 4: a command line is at most 255 octets with its CRLF. RFC 5034 section 4:
    /// an initial response that would make AUTH longer is sent after the server's "+" instead.
    static let maxCommandLength = 255

    private let credentials: LoginCredentials
    private let useStartTLS: Bool
    private let forward: ForwardedClient?
    private let maxLineLength: Int
    /// base64 of the SASL PLAIN message: it holds the password as surely as the password does.
    private let plainResponse: [UInt8]
    private var reader: LineReader
    private var state = State.awaitingGreeting
    private var capabilityBytes = 0
    /// Dovecot 2.3 announces XCLIENT to trusted networks only as a greeting code
    /// (`+OK [XCLIENT] Dovecot ready.`), not in CAPA.
    private var greetingOffersXCLIENT = false
    private var leftover: [UInt8] = []

    /// Whether the mail host accepted XCLIENT. False after a login with `forward` set means it
    /// did not offer XCLIENT (to this address: Dovecot offers it only to trusted networks),
    /// which the relay logs.
    public private(set) var forwardingAccepted = false

    public init(credentials: LoginCredentials, useStartTLS: Bool, forward: ForwardedClient? = nil,
                maxLineLength: Int = 65536) {
        self.credentials = credentials
        self.useStartTLS = useStartTLS
        self.forward = forward
        self.maxLineLength = maxLineLength
        plainResponse = StrictBase64.encode(SASLPlain.encode(credentials))
        reader = LineReader(maxLineLength: maxLineLength)
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
                // RFC 2595 / CVE-2011-0411: plaintext after the STLS reply could be injected.
                fail("mail host sent data before the TLS handshake", temporary: true, &actions)
                return actions
            case .awaitingGreeting, .awaitingSTLSReply, .awaitingCapabilities, .readingCapabilities,
                 .awaitingXCLIENTReply, .awaitingAuthReply, .awaitingUserReply, .awaitingPassReply:
                let event = reader.push(bytes[index])
                index = bytes.index(after: index)
                switch event {
                case .line(let line)?:
                    handle(line, &actions)
                case .tooLong?:
                    fail("mail host response longer than \(maxLineLength) bytes", temporary: true, &actions)
                case nil:
                    break
                }
            }
        }
        return actions
    }

    public mutating func tlsEstablished() -> [UpstreamLoginAction] {
        guard case .awaitingTLS = state else { return [] }
        // RFC 2595 section 4: what the server said before TLS is forgotten; ask again.
        var actions: [UpstreamLoginAction] = []
        sendCapa(&actions)
        return actions
    }

    /// Bytes the mail host sent after the successful login reply, for the client.
    public mutating func takeLeftover() -> [UInt8] {
        defer { leftover = [] }
        return leftover
    }

    // MARK: - Replies

    private mutating func handle(_ line: [UInt8], _ actions: inout [UpstreamLoginAction]) {
        if case .readingCapabilities(var capabilities) = state {
            readCapability(line, &capabilities, &actions)
            return
        }
        let reply = POP3ServerReply(line)
        switch (state, reply.status) {
        case (.awaitingGreeting, .ok):
            greetingOffersXCLIENT = reply.code == "XCLIENT"
            if useStartTLS {
                send("STLS", &actions)
                state = .awaitingSTLSReply
            } else {
                sendCapa(&actions)
            }
        case (.awaitingGreeting, .error):
            fail("mail host refused the connection: \(reply.line)", temporary: true, reply: reply.line, &actions)
        case (.awaitingGreeting, _):
            fail("unexpected greeting from mail host: \(reply.line)", temporary: true, &actions)

        case (.awaitingSTLSReply, .ok):
            state = .awaitingTLS
            actions.append(.startTLS)
        case (.awaitingSTLSReply, .error):
            fail("mail host refused STLS: \(reply.line)", temporary: true, &actions)

        case (.awaitingCapabilities, .ok):
            state = .readingCapabilities(POP3Capabilities())
        case (.awaitingCapabilities, .error):
            // A server without CAPA (RFC 1939 only) still has USER and PASS.
            proceed(with: .assumedWithoutCAPA, &actions)

        case (.awaitingXCLIENTReply(let capabilities), .ok):
            forwardingAccepted = true
            logIn(capabilities, &actions)
        case (.awaitingXCLIENTReply, .error):
            fail("mail host refused XCLIENT: \(reply.line)", temporary: true, &actions)

        case (.awaitingAuthReply(let response?), .continuation):
            send(response, &actions)
            state = .awaitingAuthReply(response: nil)
        case (.awaitingAuthReply, .ok), (.awaitingPassReply, .ok):
            state = .succeeded
            actions.append(.succeeded(taggedReplyText: reply.line, untagged: []))
        case (.awaitingAuthReply, .error):
            refused("AUTH PLAIN", reply, &actions)

        case (.awaitingUserReply, .ok):
            send(Array("PASS ".utf8) + Array(credentials.password.utf8), &actions)
            state = .awaitingPassReply
        case (.awaitingUserReply, .error):
            refused("USER", reply, &actions)
        case (.awaitingPassReply, .error):
            refused("PASS", reply, &actions)

        case (_, .continuation):
            fail("unexpected continuation request from mail host", temporary: true, &actions)
        default:
            fail("unexpected reply from mail host: \(reply.line)", temporary: true, &actions)
        }
    }

    private mutating func readCapability(_ line: [UInt8], _ capabilities: inout POP3Capabilities,
                                         _ actions: inout [UpstreamLoginAction]) {
        if line == [0x2E] {
            proceed(with: capabilities, &actions)
            return
        }
        capabilityBytes += line.count
        guard capabilityBytes <= maxLineLength * 4 else {
            fail("mail host sent a capability list longer than \(maxLineLength * 4) bytes", temporary: true, &actions)
            return
        }
        // RFC 1939 section 3: a line of a multi-line reply that starts with "." has one added.
        capabilities.add(line.first == 0x2E ? line.dropFirst() : line[...])
        state = .readingCapabilities(capabilities)
    }

    /// A refusal of the login itself: the mail host's line goes back for the client to read.
    private mutating func refused(_ command: String, _ reply: POP3ServerReply, _ actions: inout [UpstreamLoginAction]) {
        fail("mail host refused \(command): \(reply.line)", temporary: reply.isTemporaryRefusal, reply: reply.line,
             &actions)
    }

    // MARK: - Commands

    private mutating func proceed(with capabilities: POP3Capabilities, _ actions: inout [UpstreamLoginAction]) {
        // Without the capability XCLIENT is skipped, not an error: the relay logs it. The greeting's
        // code counts even after STLS: forged in plaintext, it could only make the login fail, which
        // whoever can forge it can do anyway.
        guard let forward, capabilities.offersXCLIENT || greetingOffersXCLIENT else {
            logIn(capabilities, &actions)
            return
        }
        guard let command = POP3XCLIENTCommand.line(for: forward) else {
            fail("cannot forward client address \(forward.address) with XCLIENT: not a plain IP address",
                 temporary: true, &actions)
            return
        }
        actions.append(.send(command))
        state = .awaitingXCLIENTReply(capabilities)
    }

    private mutating func logIn(_ capabilities: POP3Capabilities, _ actions: inout [UpstreamLoginAction]) {
        let username = Array(credentials.username.utf8)
        let password = Array(credentials.password.utf8)
        if capabilities.offersSASLPlain {
            // NUL separates the fields of the PLAIN message.
            guard !username.contains(ASCII.nul), !password.contains(ASCII.nul) else {
                fail("credentials contain a NUL byte, which SASL PLAIN cannot carry", temporary: false, &actions)
                return
            }
            let command = Array("AUTH PLAIN ".utf8) + plainResponse
            if command.count + 2 <= Self.maxCommandLength {
                send(command, &actions)
                state = .awaitingAuthReply(response: nil)
            } else {
                send("AUTH PLAIN", &actions)
                state = .awaitingAuthReply(response: plainResponse)
            }
            return
        }
        // A line break in either would end the command early and start another.
        guard !username.contains(where: ASCII.isControl) else {
            fail("username contains a control character, which USER cannot carry", temporary: false, &actions)
            return
        }
        guard !password.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf || $0 == ASCII.nul }) else {
            fail("password contains a line break or NUL, which PASS cannot carry", temporary: false, &actions)
            return
        }
        send(Array("USER ".utf8) + username, &actions)
        state = .awaitingUserReply
    }

    private mutating func sendCapa(_ actions: inout [UpstreamLoginAction]) {
        capabilityBytes = 0
        send("CAPA", &actions)
        state = .awaitingCapabilities
    }

    private func send(_ command: String, _ actions: inout [UpstreamLoginAction]) {
        send(Array(command.utf8), &actions)
    }

    private func send(_ command: [UInt8], _ actions: inout [UpstreamLoginAction]) {
        actions.append(.send(command + ASCII.crlf))
    }

    private mutating func fail(_ reason: String, temporary: Bool, reply: String? = nil,
                               _ actions: inout [UpstreamLoginAction]) {
        state = .failed
        actions.append(.failed(reason: redacted(reason), temporary: temporary, reply: reply.map(redacted)))
    }

    /// Text as a log or the client may see it: one line, bounded, and without the password even
    /// if the mail host echoed it, plainly or as the base64 of our AUTH PLAIN.

    private func redacted(_ text: String) -> String {
        credentials.redacting(text)
    }
}
