import FuzzSupport
import PosternProtocols

/// What the relay's upstream login did with one mail host's bytes, checked action by action.
struct UpstreamTranscript: Equatable {
    let credentials: LoginCredentials
    let useStartTLS: Bool

    private(set) var actions: [UpstreamLoginAction] = []
    /// The LOGIN command as sent so far (all its segments), and its tag.
    private(set) var loginCommand: [UInt8] = []
    private(set) var loginTag: String?
    private(set) var tlsRequested = false
    private(set) var tlsUp = false
    private(set) var ended = false
    private(set) var succeeded = false
    /// What the mail host sent after the login's reply, for the client.
    var leftover: [UInt8] = []

    init(credentials: LoginCredentials, useStartTLS: Bool) {
        self.credentials = credentials
        self.useStartTLS = useStartTLS
    }

    mutating func tlsEstablished() {
        tlsUp = true
    }

    mutating func record(_ batch: [UpstreamLoginAction]) {
        for action in batch {
            require(!ended, "upstream: action after the login ended")
            actions.append(action)
            switch action {
            case .send(let bytes):
                recordSend(bytes)
            case .startTLS:
                require(useStartTLS, "upstream: STARTTLS without being configured")
                require(!tlsRequested, "upstream: STARTTLS twice")
                require(loginTag == nil, "upstream: STARTTLS after LOGIN")
                tlsRequested = true
            case .succeeded:
                require(loginTag != nil, "upstream: success before LOGIN was sent")
                require(!useStartTLS || tlsUp, "upstream: success without the TLS it was told to use")
                ended = true
                succeeded = true
            case .failed(let reason, _, let reply):
                checkLoggable(reason)
                if let reply { checkLoggable(reply) }
                ended = true
            }
        }
    }

    private mutating func recordSend(_ bytes: [UInt8]) {
        require(!bytes.isEmpty, "upstream: empty send")
        guard loginTag == nil else {
            loginCommand += bytes
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(separator: " ", maxSplits: 2)
        require(words.count >= 2 && words[0].first == "P", "upstream: command without our tag: \(text.debugDescription)")
        let tag = String(words[0])
        switch words[1] {
        case "LOGIN":
            // RFC 2595: with STARTTLS configured, credentials never travel before the handshake.
            require(!useStartTLS || tlsUp, "upstream: LOGIN sent before TLS")
            loginTag = tag
            loginCommand = bytes
        case "CAPABILITY\r\n":
            break
        case "STARTTLS\r\n":
            require(useStartTLS && !tlsUp, "upstream: STARTTLS sent when not wanted")
        default:
            fatalError("upstream: unexpected command \(text.debugDescription)")
        }
        require(words.count == 2 || loginTag != nil, "upstream: trailing words in \(text.debugDescription)")
    }

    /// A failure reason goes into the log: one printable line, bounded, without the password.
    private func checkLoggable(_ reason: String) {
        require(reason.unicodeScalars.count <= 300, "upstream: unbounded failure reason")
        require(!reason.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                     "upstream: control character in a failure reason")
        require(!ByteChecks.contains(reason.utf8, credentials.password.utf8), "upstream: password in a failure reason")
    }
}
