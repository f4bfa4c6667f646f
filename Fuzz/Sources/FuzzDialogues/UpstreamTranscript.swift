import FuzzSupport
import PosternProtocols

/// What the relay's upstream login did with one mail host's bytes, checked action by action.
struct UpstreamTranscript<Syntax: MailSyntax>: Equatable {
    let config: UpstreamConfig

    private(set) var actions: [UpstreamLoginAction] = []
    /// Everything sent from the first command carrying credentials on, and that command's tag.
    private(set) var loginBytes: [UInt8] = []
    private(set) var loginTag: String?
    private(set) var startTLSSent = false
    private(set) var tlsRequested = false
    private(set) var tlsUp = false
    private(set) var forwardSent = false
    private(set) var ended = false
    private(set) var succeeded = false
    /// The mail host's refusal as passed on for the client, when the login failed with one.
    private(set) var failureReply: String?
    /// What the mail host sent after the login's reply, for the client.
    var leftover: [UInt8] = []
    /// The password in every form the relay writes it; none of them may reach a log or any
    /// command but the login.
    private let secrets: [PasswordForm]

    /// `secrets`: `PasswordForm.all(config)`, built once per input rather than per drive (the
    /// base64 forms of a long password are most of a drive's cost otherwise).
    init(_ config: UpstreamConfig, secrets: [PasswordForm]) {
        self.config = config
        self.secrets = secrets
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
                require(config.useStartTLS, "upstream: STARTTLS without being configured")
                require(startTLSSent, "upstream: .startTLS before the mail host was asked")
                require(!tlsRequested, "upstream: .startTLS twice")
                require(loginTag == nil, "upstream: .startTLS after the login")
                tlsRequested = true
            case .succeeded(let text, _):
                require(!config.useStartTLS || tlsUp, "upstream: success without the TLS it was told to use")
                if config.authenticates {
                    require(loginTag != nil, "upstream: success before the login was sent")
                }
                require(Syntax.isSuccess(text), "upstream: success on \(text.debugDescription)")
                ended = true
                succeeded = true
            case .failed(let reason, _, let reply):
                checkLoggable(reason, "a failure reason")
                if let reply {
                    checkReply(reply)
                    failureReply = reply
                }
                ended = true
            }
        }
    }

    private mutating func recordSend(_ bytes: [UInt8]) {
        require(!bytes.isEmpty, "upstream: empty send")
        guard loginTag == nil else {
            loginBytes += bytes
            return
        }
        let text = String(decoding: bytes, as: UTF8.self).debugDescription
        let command = Syntax.classify(bytes)
        if case .login(let tag) = command {
            require(config.authenticates, "upstream: a login though the mail host trusts postern: \(text)")
            // RFC 2595: with STARTTLS configured, credentials never travel before the handshake.
            require(!config.useStartTLS || tlsUp, "upstream: credentials sent before TLS")
            loginTag = tag
            loginBytes = bytes
            return
        }
        // Nothing of the peer's or the client's choosing may start a second command.
        require(ByteChecks.arePrintableCRLFLines(bytes) && bytes.filter { $0 == 0x0A }.count == 1,
                "upstream: a command that is not one printable line: \(text)")
        for secret in secrets {
            require(!ByteChecks.contains(bytes, secret.bytes), "upstream: the password (\(secret.form)) before the login")
        }
        switch command {
        case .probe:
            break
        case .startTLS:
            require(config.useStartTLS && !tlsUp && !startTLSSent, "upstream: STARTTLS sent when not wanted")
            startTLSSent = true
        case .forward:
            require(config.forward != nil, "upstream: the client's address sent when not asked to")
            require(!forwardSent, "upstream: the client's address sent twice")
            require(!config.useStartTLS || tlsUp, "upstream: the client's address sent before TLS")
            forwardSent = true
        case .login:
            break
        case .unexpected:
            violation("upstream: unexpected command \(text)")
        }
    }

    /// A mail host's refusal for the client: whole lines, each as fit for a log as a reason.
    private func checkReply(_ reply: String) {
        guard let lines = ByteChecks.crlfLines(Array(reply.utf8) + [0x0D, 0x0A]) else {
            violation("upstream: a refusal for the client is not CRLF lines: \(reply.debugDescription)")
        }
        require(lines.count <= 10, "upstream: a refusal of \(lines.count) lines for the client")
        for line in lines {
            checkLoggable(String(decoding: line, as: UTF8.self), "a refusal for the client")
        }
    }

    /// A failure reason goes into the log: one printable line, bounded, without the password.
    private func checkLoggable(_ text: String, _ what: String) {
        require(text.unicodeScalars.count <= 300, "upstream: unbounded \(what)")
        require(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                "upstream: control character in \(what): \(text.debugDescription)")
        for secret in secrets {
            require(!ByteChecks.contains(text.utf8, secret.bytes), "upstream: the password (\(secret.form)) in \(what)")
        }
    }
}

/// One form of the password the relay may write, named for the message that reports it.
struct PasswordForm: Equatable {
    let form: String
    let bytes: [UInt8]

    /// Every form of the configured password; none when the relay sends no password.
    static func all<Syntax: MailSyntax>(_ config: UpstreamConfig, _: Syntax.Type) -> [PasswordForm] {
        let credentials = config.credentials
        guard config.authenticates, !credentials.password.isEmpty else { return [] }
        if let known = cache.first(where: { $0.credentials == credentials }) {
            return known.forms
        }
        let forms = [
            PasswordForm(form: "as is", bytes: Array(credentials.password.utf8)),
            PasswordForm(form: "base64", bytes: StrictBase64.encode(credentials.password.utf8)),
            PasswordForm(form: "in a base64 SASL PLAIN message", bytes: StrictBase64.encode(SASLPlain.encode(credentials))),
        ] + Syntax.writtenForms(ofPassword: credentials.password).map { PasswordForm(form: "as the login writes it", bytes: $0) }
        cache.append((credentials, forms))
        return forms
    }

    /// The forms of each credential set met so far: a target draws from a handful of fixed sets,
    /// and encoding IMAP's 4 KiB password in base64 for every input was an eighth of its time.
    /// One protocol a process, and libFuzzer calls the target from one thread.
    nonisolated(unsafe) private static var cache: [(credentials: LoginCredentials, forms: [PasswordForm])] = []
}
