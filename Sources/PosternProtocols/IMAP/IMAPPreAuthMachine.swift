/// The listener's IMAP dialogue before authentication (RFC 9051/3501, with RFC 7888
/// LITERAL+, RFC 4959 SASL-IR and RFC 2971 ID): bytes from the client in, actions out.
/// It ends when a login succeeds (the relay answers the client from then on) or when it
/// asks for the connection to be closed.
public struct IMAPPreAuthMachine: PreAuthDialogue {
    public static let capabilities = "IMAP4rev1 ID SASL-IR LITERAL+ AUTH=PLAIN AUTH=LOGIN"

    private enum State: Sendable {
        /// Reading tagged commands.
        case commands
        /// Inside AUTHENTICATE, waiting for a client response line.
        case saslResponse(tag: String, exchange: SASLServerExchange)
        /// A login is being checked; input is held, not read.
        case awaitingLogin(tag: String)
        case authenticated
        case closed
    }


    private typealias Replies = IMAPPreAuthReplies

    private let limits: IMAPLimits
    private let greetingText: String
    private var state = State.commands
    private var framer: IMAPFramer
    private var pending: [UInt8] = []
    private var failedAttempts = 0
    private var invalidCommands = 0
    private var presentedUsername = false

    public init(limits: IMAPLimits = .init(), greetingText: String = "postern ready") {
        self.limits = limits
        let text = ASCII.printable(greetingText, limit: 200)
        self.greetingText = text.isEmpty ? "postern ready" : text
        framer = IMAPFramer(.init(maxLineLength: limits.maxLineLength, maxLiteralSize: limits.maxLiteralSize,
                                  maxMessageSize: limits.maxCommandSize, tracksQuotedStrings: true,
                                  maxIDCommandSize: limits.maxIDCommandSize))
    }

    public func greeting() -> [UInt8] {
        Array(Replies.greeting(Self.capabilities, greetingText).utf8)
    }

    public mutating func receive(_ bytes: some Collection<UInt8>) -> [PreAuthAction] {
        var output = PreAuthActionBuffer()
        var index = bytes.startIndex
        while index != bytes.endIndex {
            switch state {
            case .commands, .saslResponse:
                framer.literalsAllowed = if case .commands = state { true } else { false }
                let event = framer.push(bytes[index])
                index = bytes.index(after: index)
                if let event { handle(event, &output) }
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
        guard case .awaitingLogin(let tag) = state else { return [] }
        var output = PreAuthActionBuffer()
        switch outcome {
        case .success:
            state = .authenticated
            return []
        case .failure, .refusedByMailHost:
            // IMAP clients get the generic refusal; the mail host's words go to the log.
            failedAttempts += 1
            output.send(Replies.tagged(tag, Replies.authenticationFailed))
            if failedAttempts >= limits.maxFailedAttempts {
                close(Replies.tooManyFailures, &output)
                return output.actions
            }
        case .temporaryFailure:
            // Not counted as a failed attempt: the client did nothing wrong.
            output.send(Replies.tagged(tag, Replies.serviceUnavailable))
        }
        state = .commands
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

    private mutating func handle(_ event: IMAPFramer.Event, _ output: inout PreAuthActionBuffer) {
        switch event {
        case .message(let line):
            if case .saslResponse(let tag, let exchange) = state {
                handleSASLResponse(line, tag: tag, exchange: exchange, &output)
            } else {
                handleCommand(line, &output)
            }
        case .literalAnnounced(let synchronising):
            if synchronising { output.send(Replies.literalContinuation) }
        case .literalRefused(let dropped):
            var reader = IMAPCommandReader(dropped)
            bad(reader.tag(), Replies.literalTooLarge, &output)
        case .failed(.lineTooLong):
            close(Replies.lineTooLong, &output)
        case .failed(.messageTooLong):
            close(Replies.commandTooLong, &output)
        case .failed(.literalTooLarge):
            close(Replies.literalTooLargeBye, &output)
        }
    }

    private mutating func handleCommand(_ line: [UInt8], _ output: inout PreAuthActionBuffer) {
        let tag: String
        let command: IMAPPreAuthCommand
        switch IMAPPreAuthCommand.parse(line) {
        case .failure(let error):
            bad(error.tag, "BAD \(error.reason)", &output)
            return
        case .success(let parsed):
            (tag, command) = parsed
        }
        guard tag.utf8.count <= FieldBounds.imapTag else {
            bad(nil, Replies.tagTooLong, &output)
            return
        }
        switch command {
        case .capability:
            output.send(Replies.capability(Self.capabilities))
            output.send(Replies.tagged(tag, Replies.capabilityCompleted))
        case .noop:
            output.send(Replies.tagged(tag, Replies.noopCompleted))
        case .logout:
            output.send(Replies.logoutBye)
            output.send(Replies.tagged(tag, Replies.logoutCompleted))
            output.append(.close)
            state = .closed
        case .id:
            output.send(Replies.idResponse)
            output.send(Replies.tagged(tag, Replies.idCompleted))
        case .login(let credentials):
            presentUsername(&output)
            authenticate(credentials, tag: tag, &output)
        case .authenticate(let mechanismName, let initialResponse):
            startAuthentication(tag: tag, mechanismName: mechanismName, initialResponse: initialResponse, &output)
        case .other:
            bad(tag, Replies.commandNotAllowed, &output)
        }
    }

    // MARK: - AUTHENTICATE

    private mutating func startAuthentication(tag: String, mechanismName: [UInt8], initialResponse: [UInt8]?,
                                              _ output: inout PreAuthActionBuffer) {
        guard let mechanism = SASLMechanism(nameBytes: mechanismName) else {
            rejected(Replies.tagged(tag, Replies.unsupportedMechanism), &output)
            return
        }
        presentUsername(&output)
        var exchange = SASLServerExchange(mechanism)
        guard let initialResponse else {
            switch mechanism {
            case .plain: output.send(Replies.emptyContinuation)
            case .login: output.send(Replies.challenge(SASLLoginExchange.firstChallenge))
            }
            state = .saslResponse(tag: tag, exchange: exchange)
            return
        }
        perform(exchange.initialResponse(initialResponse), tag: tag, exchange, &output)
    }

    private mutating func handleSASLResponse(_ line: [UInt8], tag: String, exchange: SASLServerExchange,
                                             _ output: inout PreAuthActionBuffer) {
        state = .commands
        var exchange = exchange
        perform(exchange.response(line), tag: tag, exchange, &output)
    }

    /// Words a step of the SASL exchange as IMAP (RFC 3501 AUTHENTICATE, RFC 4959).
    private mutating func perform(_ step: SASLServerExchange.Step, tag: String, _ exchange: SASLServerExchange,
                                  _ output: inout PreAuthActionBuffer) {
        switch step {
        case .challenge(let challenge):
            output.send(Replies.challenge(challenge))
            state = .saslResponse(tag: tag, exchange: exchange)
        case .finished(let credentials):
            authenticate(credentials, tag: tag, &output)
        case .cancelled:
            output.send(Replies.tagged(tag, Replies.authenticationCancelled))
        case .invalidBase64:
            bad(tag, Replies.invalidBase64, &output)
        case .invalidMessage:
            bad(tag, Replies.invalidSASLMessage, &output)
        case .authorizationRefused:
            rejected(Replies.tagged(tag, Replies.authorizationIdentityRefused), &output)
        }
    }

    // MARK: - Outcomes

    private mutating func presentUsername(_ output: inout PreAuthActionBuffer) {
        guard !presentedUsername else { return }
        presentedUsername = true
        output.append(.usernamePresented)
    }

    private mutating func authenticate(_ credentials: LoginCredentials, tag: String,
                                       _ output: inout PreAuthActionBuffer) {
        guard FieldBounds.fit(credentials) else {
            rejected(Replies.tagged(tag, Replies.credentialsTooLong), &output)
            return
        }
        output.append(.authenticate(credentials, tag: tag))
        state = .awaitingLogin(tag: tag)
    }

    private mutating func bad(_ tag: String?, _ text: String, _ output: inout PreAuthActionBuffer) {
        rejected(Replies.tagged(tag, text), &output)
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
