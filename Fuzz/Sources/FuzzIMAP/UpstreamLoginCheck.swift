import FuzzSupport
import PosternProtocols

/// Drives `IMAPUpstreamLogin` with one input as the mail host's side, with and without
/// STARTTLS, and checks the LOGIN it wrote by parsing it with our own pre-auth dialogue.
enum UpstreamLoginCheck {
    /// Credentials that take every quoting path: quoted, escaped, 8-bit (a literal), a line
    /// break (a literal), and a literal over LITERAL-'s 4096 bytes.
    static let credentialSets: [LoginCredentials] = [
        LoginCredentials(username: "alice", password: "secret"),
        LoginCredentials(username: "vpn user", password: #"pa"ss\wd"#),
        LoginCredentials(username: "jürgen", password: "pässwörd"),
        LoginCredentials(username: "bob", password: "two\r\nlines"),
        LoginCredentials(username: "carol", password: String(repeating: "ü", count: 2100)),
    ]

    static func run(_ bytes: [UInt8]) {
        var choices = FuzzChoices(bytes)
        let credentials = choices.pick(credentialSets)
        let maxLineLength = choices.pick([65536, 120])
        let chunks = choices.chunks(of: bytes, maxCuts: 3)
        for useStartTLS in [false, true] {
            let whole = drive([bytes[...]], credentials, useStartTLS, maxLineLength)
            let cut = drive(chunks, credentials, useStartTLS, maxLineLength)
            // Without STARTTLS nothing happens between reads, so the cuts must not matter.
            // (With it, bytes after the STARTTLS reply in the same read are refused, as they must be.)
            if !useStartTLS {
                require(whole == cut, "upstream: the result depends on how the input was cut into reads")
            }
        }
    }

    static func drive(_ chunks: [ArraySlice<UInt8>], _ credentials: LoginCredentials, _ useStartTLS: Bool,
                      _ maxLineLength: Int) -> UpstreamTranscript {
        var login = IMAPUpstreamLogin(credentials: credentials, useStartTLS: useStartTLS, maxLineLength: maxLineLength)
        var transcript = UpstreamTranscript(credentials: credentials, useStartTLS: useStartTLS)
        for chunk in chunks {
            transcript.record(login.receive(chunk))
            if transcript.tlsRequested, !transcript.tlsUp, !transcript.ended {
                transcript.tlsEstablished()
                transcript.record(login.tlsEstablished())
            }
            transcript.leftover += login.takeLeftover()
        }
        require(login.tlsEstablished().isEmpty, "upstream: acted on a TLS handshake it did not ask for")
        require(transcript.succeeded || transcript.leftover.isEmpty, "upstream: leftover without a login")
        checkLoginCommand(transcript)
        return transcript
    }

    /// The LOGIN we wrote (as far as it was sent) must read back, through the listener's own
    /// parser, as exactly our credentials: quoting and literal choices are the relay's to get right.
    private static func checkLoginCommand(_ transcript: UpstreamTranscript) {
        guard let tag = transcript.loginTag else { return }
        var reader = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 65536, maxLiteralSize: 65536))
        for action in reader.receive(transcript.loginCommand) {
            switch action {
            case .usernamePresented:
                break
            case .send(let bytes):
                // Adjacent replies come joined: only literal continuations may be among them.
                let continuation = Array("+ Ready for literal data\r\n".utf8)
                require(bytes.count % continuation.count == 0
                             && stride(from: 0, to: bytes.count, by: continuation.count).allSatisfy {
                                 bytes[$0..<$0 + continuation.count].elementsEqual(continuation)
                             },
                             "upstream: our LOGIN was refused: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            case .authenticate(let parsed, let parsedTag):
                require(parsedTag == tag, "upstream: LOGIN tag reads back differently")
                require(Array(parsed.username.utf8) == Array(transcript.credentials.username.utf8)
                             && Array(parsed.password.utf8) == Array(transcript.credentials.password.utf8),
                             "upstream: LOGIN credentials read back differently")
            case .close:
                fatalError("upstream: our LOGIN closed the listener's dialogue")
            }
        }
    }
}
