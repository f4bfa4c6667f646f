import FuzzSupport
import PosternProtocols

/// Drives a protocol's upstream login with one input as the mail host's side, with and
/// without STARTTLS, in every feeding, and reads the login it wrote back through the
/// listener's own parser.
public enum UpstreamLoginCheck<Syntax: MailSyntax> {
    /// `credentials`: the sets to draw from. Returns the refusals the relay passed on for the
    /// client, for `PreAuthCheck` to hand the listener. STARTTLS or not is drawn from the input
    /// too, like the rest of the configuration.
    public static func run(_ bytes: [UInt8], credentials: [LoginCredentials]) -> [String] {
        var choices = FuzzChoices(bytes)
        let config = UpstreamConfig(
            credentials: choices.pick(credentials),
            authenticates: !Syntax.mayOmitCredentials || choices.below(3) > 0,
            useStartTLS: choices.below(2) == 1,
            forward: choices.pick(UpstreamConfig.forwards),
            maxLineLength: choices.pick([65536, 120]),
            clientName: choices.pick(UpstreamConfig.clientNames))
        let feedings = Feedings(bytes, &choices, maxCuts: 3)
        let secrets = PasswordForm.all(config, Syntax.self)
        let transcripts = feedings.all.map { drive($0, config, secrets, input: bytes) }
        // Without STARTTLS nothing happens between reads, so the cuts must not matter.
        // (With it, bytes after the STARTTLS reply in the same read are refused, as they must be.)
        if !config.useStartTLS {
            require(transcripts.allSatisfy { $0 == transcripts[0] },
                    "upstream: the result depends on how the input was cut into reads")
        }
        var refusals: [String] = []
        for reply in transcripts.compactMap({ $0.failureReply }) where !refusals.contains(reply) {
            refusals.append(reply)
        }
        return refusals
    }

    private static func drive(_ chunks: [ArraySlice<UInt8>], _ config: UpstreamConfig, _ secrets: [PasswordForm],
                              input: [UInt8]) -> UpstreamTranscript<Syntax> {
        var relay = Syntax.makeRelay(config)
        var transcript = UpstreamTranscript<Syntax>(config, secrets: secrets)
        for chunk in chunks {
            transcript.record(relay.receive(chunk))
            if transcript.tlsRequested, !transcript.tlsUp, !transcript.ended {
                transcript.tlsEstablished()
                transcript.record(relay.tlsEstablished())
            }
            transcript.leftover += relay.takeLeftover()
        }
        require(relay.tlsEstablished().isEmpty, "upstream: acted on a TLS handshake it did not ask for")
        require(transcript.succeeded || transcript.leftover.isEmpty, "upstream: leftover without a login")
        require(input.count >= transcript.leftover.count && input.suffix(transcript.leftover.count).elementsEqual(transcript.leftover),
                "upstream: the leftover is not what followed the login's reply")
        require(!Syntax.forwardingAccepted(relay) || transcript.forwardSent,
                "upstream: forwarding reported accepted without being sent")
        checkReadBack(transcript)
        return transcript
    }

    /// The login we wrote (as far as it was sent) must read back, through the listener's own
    /// parser, as exactly our credentials, and nothing in it may be refused: quoting, literals,
    /// base64 and line splitting are the relay's to get right.
    private static func checkReadBack(_ transcript: UpstreamTranscript<Syntax>) {
        guard let tag = transcript.loginTag else { return }
        let credentials = transcript.config.credentials
        // Over SPEC §4's bounds the listener refuses them itself, so they never reach a relay from
        // a client; the relay still gets them here, to exercise its long-literal paths.
        guard FieldBounds.fit(credentials) else { return }
        var reader = Syntax.reader
        var readBack = false
        for action in reader.receive(Syntax.readerPreamble + transcript.loginBytes) {
            switch action {
            case .usernamePresented:
                break
            case .send(let bytes):
                require(ClientReplies.parse(bytes, as: Syntax.self)?.allSatisfy(Syntax.isPositive) == true,
                        "upstream: our login was refused: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            case .authenticate(let parsed, let parsedTag):
                require(!readBack, "upstream: our login reads back as two")
                require(parsedTag == tag, "upstream: the login's tag reads back differently")
                require(Array(parsed.username.utf8) == Array(credentials.username.utf8)
                            && Array(parsed.password.utf8) == Array(credentials.password.utf8),
                        "upstream: the credentials read back differently")
                readBack = true
            case .close:
                violation("upstream: our login closed the listener's dialogue")
            }
        }
    }
}
