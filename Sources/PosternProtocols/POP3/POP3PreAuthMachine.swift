/// The listener's POP3 dialogue before authentication (RFC 1939 USER/PASS, RFC 2449 CAPA,
/// RFC 5034 AUTH with initial responses, RFC 3206 response codes): bytes from the client in,
/// actions out. It ends when a login succeeds (the relay sends the mail host's +OK from then
/// on) or when it asks for the connection to be closed.
public struct POP3PreAuthMachine: PreAuthDialogue {
    /// What CAPA lists: only what works before login (RFC 2449 lets the list depend on the
    /// state). TOP, UIDL, PIPELINING and the rest are the mail host's to announce after login.
    public static let capabilities = [
        "USER",
        "SASL " + SASLMechanism.allCases.map(\.rawValue).joined(separator: " "),
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "IMPLEMENTATION postern",
    ]

    private enum State: Sendable {
        /// Reading commands; `username` is what USER gave, waiting for PASS.
        case commands(username: String?)
        /// Inside AUTH, waiting for a client response line.
        case saslResponse(SASLServerExchange)
        /// A login is being checked; input is held, not read.
        case awaitingLogin
        case authenticated
        case closed
    }


    private typealias Replies = POP3PreAuthReplies

    private let limits: POP3Limits
    private let greetingText: String
    private var state = State.commands(username: nil)
    private var reader: LineReader
    private var pending: [UInt8] = []
    private var failedAttempts = 0
    private var invalidCommands = 0
    private var presentedUsername = false

    public init(limits: POP3Limits = .init(), greetingText: String = "postern ready") {
        self.limits = limits
        let text = ASCII.printable(greetingText, limit: 200)
        self.greetingText = text.isEmpty ? "postern ready" : text
        reader = LineReader(maxLineLength: limits.maxLineLength)
    }

    public func greeting() -> [UInt8] {
        Array(Replies.greeting(greetingText).utf8)
    }

    public mutating func receive(_ bytes: some Collection<UInt8>) -> [PreAuthAction] {
        var output = PreAuthActionBuffer()
        var index = bytes.startIndex
        while index != bytes.endIndex {
            switch state {
            case .commands, .saslResponse:
                let event = reader.push(bytes[index])
                index = bytes.index(after: index)
                switch event {
                case .line(let line)?: handle(line, &output)
                case .tooLong?: close(Replies.lineTooLong, &output)
                case nil: break
                }
            case .awaitingLogin:
                hold(bytes[index...], &output)
                return output.actions
            case .authenticated, .closed:
                return output.actions
            }
        }
        return output.actions
    }

    public mutating func loginFinished(_ outcome: LoginOutcome) -> [PreAuthAction] {
        guard case .awaitingLogin = state else { return [] }
        var output = PreAuthActionBuffer()
        switch outcome {
        case .success:
            state = .authenticated
            return []
        case .failure:
            refuse(Replies.authenticationFailed, counted: true, &output)
        case .temporaryFailure:
            // Not counted as a failed attempt: the client did nothing wrong.
            refuse(Replies.serviceUnavailable, counted: false, &output)
        case .refusedByMailHost(let reply):
            // The mail host's own words (a locked maildrop's "-ERR [IN-USE] ..."), as one line.
            let line = ASCII.printable(reply, limit: 510)
            let parsed = POP3ServerReply(Array(line.utf8))
            if parsed.status == .error {
                refuse(line + "\r\n", counted: !parsed.isTemporaryRefusal, &output)
            } else {
                refuse(Replies.authenticationFailed, counted: true, &output)
            }
        }
        guard case .awaitingLogin = state else { return output.actions }
        // RFC 1939: after a refused PASS the client starts again with USER.
        state = .commands(username: nil)
        let held = pending
        pending = []
        output.append(contentsOf: receive(held))
        return output.actions
    }

    public mutating func takeLeftover() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    // MARK: - Input

    private mutating func hold(_ bytes: some Collection<UInt8>, _ output: inout PreAuthActionBuffer) {
        guard pending.count + bytes.count <= limits.maxPendingInput else {
            close(Replies.tooMuchPendingInput, &output)
            return
        }
        pending.append(contentsOf: bytes)
    }

    private mutating func handle(_ line: [UInt8], _ output: inout PreAuthActionBuffer) {
        switch state {
        case .commands(let username):
            handleCommand(line, username: username, &output)
        case .saslResponse(let exchange):
            handleSASLResponse(line, exchange: exchange, &output)
        case .awaitingLogin, .authenticated, .closed:
            break
        }
    }

    private mutating func handleCommand(_ line: [UInt8], username: String?, _ output: inout PreAuthActionBuffer) {
        let command: POP3PreAuthCommand
        switch POP3PreAuthCommand.parse(line) {
        case .failure(let error):
            rejected(Replies.syntaxError(error), &output)
            return
        case .success(let parsed):
            command = parsed
        }
        switch command {
        case .capa:
            output.send(Replies.multiLine(Self.capabilities))
        case .user(let name):
            guard name.utf8.count <= FieldBounds.username else {
                rejected(Replies.credentialsTooLong, &output)
                return
            }
            presentUsername(&output)
            state = .commands(username: name)
            output.send(Replies.userAccepted)
        case .pass(let password):
            guard let username else {
                rejected(Replies.noUsername, &output)
                return
            }
            authenticate(LoginCredentials(username: username, password: password), &output)
        case .listMechanisms:
            output.send(Replies.multiLine(SASLMechanism.allCases.map(\.rawValue)))
        case .auth(let mechanismName, let initialResponse):
            startAuthentication(mechanismName: mechanismName, initialResponse: initialResponse, &output)
        case .quit:
            output.send(Replies.quit)
            output.append(.close)
            state = .closed
        case .other:
            rejected(Replies.commandNotAllowed, &output)
        }
    }

    // MARK: - AUTH

    private mutating func startAuthentication(mechanismName: [UInt8], initialResponse: [UInt8]?,
                                              _ output: inout PreAuthActionBuffer) {
        // A USER before AUTH does not carry over into it.
        state = .commands(username: nil)
        guard let mechanism = SASLMechanism(nameBytes: mechanismName) else {
            rejected(Replies.unsupportedMechanism, &output)
            return
        }
        presentUsername(&output)
        var exchange = SASLServerExchange(mechanism)
        guard let initialResponse else {
            switch mechanism {
            case .plain: output.send(Replies.emptyContinuation)
            case .login: output.send(Replies.challenge(SASLLoginExchange.firstChallenge))
            }
            state = .saslResponse(exchange)
            return
        }
        perform(exchange.initialResponse(initialResponse), exchange, &output)
    }

    private mutating func handleSASLResponse(_ line: [UInt8], exchange: SASLServerExchange,
                                             _ output: inout PreAuthActionBuffer) {
        state = .commands(username: nil)
        var exchange = exchange
        perform(exchange.response(line), exchange, &output)
    }

    /// Words a step of the SASL exchange as POP3 (RFC 5034).
    private mutating func perform(_ step: SASLServerExchange.Step, _ exchange: SASLServerExchange,
                                  _ output: inout PreAuthActionBuffer) {
        switch step {
        case .challenge(let challenge):
            output.send(Replies.challenge(challenge))
            state = .saslResponse(exchange)
        case .finished(let credentials):
            authenticate(credentials, &output)
        case .cancelled:
            output.send(Replies.authenticationCancelled)
        case .invalidBase64:
            rejected(Replies.invalidBase64, &output)
        case .invalidMessage:
            rejected(Replies.invalidSASLMessage, &output)
        case .authorizationRefused:
            rejected(Replies.authorizationIdentityRefused, &output)
        }
    }

    // MARK: - Outcomes

    private mutating func presentUsername(_ output: inout PreAuthActionBuffer) {
        guard !presentedUsername else { return }
        presentedUsername = true
        output.append(.usernamePresented)
    }

    /// POP3 has no tags; the relay answers with the mail host's +OK line as it is.
    private mutating func authenticate(_ credentials: LoginCredentials, _ output: inout PreAuthActionBuffer) {
        guard FieldBounds.fit(credentials) else {
            // RFC 1939: after a refused PASS the client starts again with USER.
            state = .commands(username: nil)
            rejected(Replies.credentialsTooLong, &output)
            return
        }
        output.append(.authenticate(credentials, tag: ""))
        state = .awaitingLogin
    }

    /// A refused login; too many of them (not counting temporary ones) end the connection.
    private mutating func refuse(_ reply: String, counted: Bool, _ output: inout PreAuthActionBuffer) {
        output.send(reply)
        guard counted else { return }
        failedAttempts += 1
        if failedAttempts >= limits.maxFailedAttempts {
            close(Replies.tooManyFailures, &output)
        }
    }

    /// A refused command; too many of them end the connection.
    private mutating func rejected(_ reply: String, _ output: inout PreAuthActionBuffer) {
        output.send(reply)
        invalidCommands += 1
        if invalidCommands >= limits.maxInvalidCommands {
            close(Replies.tooManyInvalidCommands, &output)
        }
    }

    private mutating func close(_ reply: String, _ output: inout PreAuthActionBuffer) {
        pending = []
        output.send(reply)
        output.append(.close)
        state = .closed
    }
}
