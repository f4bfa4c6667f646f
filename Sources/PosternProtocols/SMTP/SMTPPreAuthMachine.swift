/// The listener's SMTP dialogue before authentication (RFC 5321, RFC 4954 AUTH with PLAIN and
/// LOGIN, RFC 2034 enhanced status codes, RFC 2920 pipelining): bytes from the client in,
/// actions out. It ends when a login succeeds (the relay answers the client from then on:
/// the mail host's 235, or postern's own when the mail host trusts postern) or when it asks
/// for the connection to be closed.
///
/// With `authenticationRequired` false (SPEC §4: SMTPS with piggyback alone) there is no AUTH:
/// the machine answers EHLO or HELO itself, without offering AUTH, and then emits
/// `.authenticate(LoginCredentials(username: "", password: ""), tag: "")` to hand the session
/// over. Its client has no reply outstanding, so on `.success` the relay must send the client
/// nothing of its own (in particular not the 235 of a login without credentials); a refusal
/// ends the session with a 421.
public struct SMTPPreAuthMachine: PreAuthDialogue {
    /// What is safe to promise before the mail host is known: every SMTP server handles
    /// these or, for 8BITMIME, passes the bytes on. SIZE belongs here only when configured
    /// (e.g. "SIZE 52428800"), as postern cannot know the mail host's limit.
    public static let defaultExtensions = ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"]
    static let authExtension = "AUTH PLAIN LOGIN"

    private enum State: Sendable {
        /// Reading commands.
        case commands
        /// Inside AUTH, waiting for a client response line.
        case saslResponse(SASLServerExchange)
        /// A login is being checked; input is held, not read. `handOver` when it was asked
        /// for by EHLO or HELO without AUTH (`authenticationRequired` false).
        case awaitingLogin(handOver: Bool)
        case authenticated
        case closed
    }


    private enum Hello: Sendable {
        case none
        case helo
        case ehlo
    }

    private typealias Replies = SMTPPreAuthReplies

    /// The client's EHLO or HELO argument, for the relay to repeat in its own EHLO upstream.
    /// Nil until the client has greeted.
    public private(set) var clientName: String?

    private let limits: SMTPLimits
    private let hostname: String
    private let extensions: [String]
    private let authenticationRequired: Bool
    private var state = State.commands
    private var reader: LineReader
    private var hello = Hello.none
    private var pending: [UInt8] = []
    private var failedAttempts = 0
    private var invalidCommands = 0
    private var presentedUsername = false

    /// `extensions` are EHLO keywords with their parameters, one an entry; AUTH is added when
    /// `authenticationRequired`, and AUTH or STARTTLS given here are dropped (postern decides those).
    public init(limits: SMTPLimits = .init(), hostname: String = "postern",
                extensions: [String] = SMTPPreAuthMachine.defaultExtensions, authenticationRequired: Bool = true) {
        self.limits = limits
        let name = ASCII.printable(hostname, limit: SMTPHelloName.maxLength)
        self.hostname = SMTPHelloName.isAcceptable(name) ? name : "postern"
        self.extensions = extensions.map { ASCII.printable($0, limit: 200) }.filter { keyword in
            let name = ASCII.uppercasedString(keyword.utf8.prefix { $0 != ASCII.space })
            return !name.isEmpty && name != "STARTTLS" && name != "AUTH" && !name.hasPrefix("AUTH=")
        }
        self.authenticationRequired = authenticationRequired
        reader = LineReader(maxLineLength: limits.maxLineLength)
    }

    public func greeting() -> [UInt8] {
        Array(Replies.greeting(hostname).utf8)
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
        guard case .awaitingLogin(let handOver) = state else { return [] }
        var output = PreAuthActionBuffer()
        if case .success = outcome {
            state = .authenticated
            return []
        }
        if handOver {
            let temporary = if case .temporaryFailure = outcome { true } else { false }
            close(temporary ? Replies.handOverUnavailable : Replies.handOverRefused, &output)
            return output.actions
        }
        switch outcome {
        case .success:
            break
        case .failure:
            output.send(Replies.authenticationFailed)
            failedAttempts += 1
        case .temporaryFailure:
            // Not counted as a failed attempt: the client did nothing wrong.
            output.send(Replies.temporaryFailure)
        case .refusedByMailHost(let reply):
            // The mail host's own words (a locked account, a policy), as long as they are
            // a refusal; anything else gets the generic reply.
            if let refusal = Replies.mailHostRefusal(reply) {
                output.send(refusal.text)
                if !refusal.temporary { failedAttempts += 1 }
            } else {
                output.send(Replies.authenticationFailed)
                failedAttempts += 1
            }
        }
        if failedAttempts >= limits.maxFailedAttempts {
            close(Replies.tooManyFailures, &output)
            return output.actions
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

    private mutating func handle(_ line: [UInt8], _ output: inout PreAuthActionBuffer) {
        if case .saslResponse(let exchange) = state {
            handleSASLResponse(line, exchange: exchange, &output)
            return
        }
        switch SMTPPreAuthCommand.parse(line) {
        case .failure(.nulByte):
            rejected(Replies.nulByte, &output)
        case .failure(.helloSyntax(let extended)):
            rejected(extended ? Replies.ehloSyntax : Replies.heloSyntax, &output)
        case .failure(.authSyntax):
            rejected(Replies.authSyntax, &output)
        case .success(let command):
            handleCommand(command, &output)
        }
    }

    private mutating func handleCommand(_ command: SMTPPreAuthCommand, _ output: inout PreAuthActionBuffer) {
        switch command {
        case .ehlo(let name):
            greeted(.ehlo, name: name)
            output.send(Replies.ehlo(hostname, extensions + (authenticationRequired ? [Self.authExtension] : [])))
            handOverIfUnauthenticated(&output)
        case .helo(let name):
            greeted(.helo, name: name)
            output.send(Replies.helo(hostname))
            handOverIfUnauthenticated(&output)
        case .auth(let mechanism, let initialResponse):
            guard case .ehlo = hello, authenticationRequired else {
                rejected(Replies.ehloFirst, &output)
                return
            }
            startAuthentication(mechanismName: mechanism, initialResponse: initialResponse, &output)
        case .noop, .rset:
            output.send(Replies.ok)
        case .quit:
            output.send(Replies.bye)
            output.append(.close)
            state = .closed
        case .startTLS:
            // SPEC §4: implicit TLS only; the connection is already encrypted.
            rejected(Replies.tlsAlreadyActive, &output)
        case .transaction:
            rejected(authenticationRequired ? Replies.authenticationRequired : Replies.helloFirst, &output)
        case .unrecognized:
            rejected(Replies.unrecognized, &output)
        }
    }

    /// EHLO and HELO may be repeated (RFC 5321 section 4.1.4); the last one counts.
    private mutating func greeted(_ kind: Hello, name: String) {
        hello = kind
        clientName = name
    }

    private mutating func handOverIfUnauthenticated(_ output: inout PreAuthActionBuffer) {
        guard !authenticationRequired else { return }
        output.append(.authenticate(LoginCredentials(username: "", password: ""), tag: ""))
        state = .awaitingLogin(handOver: true)
    }

    // MARK: - AUTH

    private mutating func startAuthentication(mechanismName: [UInt8], initialResponse: [UInt8]?,
                                              _ output: inout PreAuthActionBuffer) {
        guard let mechanism = SASLMechanism(nameBytes: mechanismName) else {
            rejected(Replies.unknownMechanism, &output)
            return
        }
        presentUsername(&output)
        var exchange = SASLServerExchange(mechanism)
        guard let initialResponse else {
            switch mechanism {
            case .plain: output.send(Replies.emptyChallenge)
            case .login: output.send(Replies.challenge(SASLLoginExchange.firstChallenge))
            }
            state = .saslResponse(exchange)
            return
        }
        perform(exchange.initialResponse(initialResponse), exchange, &output)
    }

    private mutating func handleSASLResponse(_ line: [UInt8], exchange: SASLServerExchange,
                                             _ output: inout PreAuthActionBuffer) {
        state = .commands
        var exchange = exchange
        perform(exchange.response(line), exchange, &output)
    }

    /// Words a step of the SASL exchange as SMTP (RFC 4954).
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
            rejected(Replies.cannotDecode, &output)
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

    /// SMTP has no tags: the relay answers with the mail host's 235 as it stands.
    private mutating func authenticate(_ credentials: LoginCredentials, _ output: inout PreAuthActionBuffer) {
        guard FieldBounds.fit(credentials) else {
            rejected(Replies.credentialsTooLong, &output)
            return
        }
        output.append(.authenticate(credentials, tag: ""))
        state = .awaitingLogin(handOver: false)
    }

    /// A refused command; too many of them end the connection.
    private mutating func rejected(_ reply: String, _ output: inout PreAuthActionBuffer) {
        output.send(reply)
        invalidCommands += 1
        if invalidCommands >= limits.maxInvalidCommands {
            close(Replies.tooManyErrors, &output)
        }
    }

    private mutating func close(_ reply: String, _ output: inout PreAuthActionBuffer) {
        pending = []
        output.send(reply)
        output.append(.close)
        state = .closed
    }
}
