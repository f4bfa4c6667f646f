import FuzzSupport
import PosternProtocols

/// What a pre-authentication dialogue did with one connection, checked action by action
/// and kept in a form that does not depend on how the bytes were cut into reads (adjacent
/// sends joined), so that two feedings of the same bytes can be compared.
struct PreAuthTranscript<Syntax: MailSyntax>: Equatable {
    enum Entry: Equatable {
        case sent([UInt8])
        case usernamePresented
        /// Bytes, not Strings: String equality is canonical equivalence, and we want exactness.
        case authenticate(username: [UInt8], password: [UInt8], tag: String)
        case loginFinished(LoginOutcome)
        case close
    }

    private let label: String
    private let handsOver: Bool
    private let passesMailHostRefusal: Bool

    private(set) var entries: [Entry] = []
    /// What the client sent after its successful login, which the relay forwards.
    var passthrough: [UInt8] = []
    private(set) var closed = false
    /// An `.authenticate` is waiting for its outcome.
    private(set) var awaitingLogin = false
    private var presentedUsername = false
    /// The tag of the last `.authenticate`, which the reply to its outcome answers.
    private var loginTag = ""

    init(_ setup: PreAuthSetup<Syntax>) {
        label = setup.label
        handsOver = setup.handsOver
        passesMailHostRefusal = setup.passesMailHostRefusal
    }

    // MARK: - Outcomes

    mutating func recordSuccess() {
        finishLogin(.success)
    }

    /// A refused login: the client reads one refusal first, then exactly what a failure or a
    /// temporary failure (`probes`, from the same state) would have led to.
    mutating func recordRefusal(_ outcome: LoginOutcome, _ actions: [PreAuthAction], probes: [[PreAuthAction]]) {
        finishLogin(outcome)
        guard case let (answer, rest)? = splitAnswer(actions) else {
            violation("\(label): no whole reply answers a refused login: \(describe(actions))")
        }
        require(Syntax.isRefusal(answer, tag: loginTag),
                "\(label): the answer to a refused login is no refusal: \(text(answer.bytes))")
        let probed = probes.map(splitAnswer)
        require(probed.contains { $0?.rest == rest },
                "\(label): \(outcome) did more than one reply, or counted differently: \(describe(actions))")
        var fromMailHost = false
        if case .refusedByMailHost(let reply) = outcome {
            if !passesMailHostRefusal {
                require(answer == probed[0]?.answer, "\(label): a mail host's refusal not answered as a failure")
            } else if let expected = canonicalRefusal(reply) {
                require(answer.bytes == expected,
                        "\(label): the mail host's refusal \(reply.debugDescription) reached the client as \(text(answer.bytes))")
            }
            fromMailHost = passesMailHostRefusal
        }
        record(actions, answerFromMailHost: fromMailHost)
    }

    private mutating func finishLogin(_ outcome: LoginOutcome) {
        require(awaitingLogin, "harness: outcome without a login")
        awaitingLogin = false
        entries.append(.loginFinished(outcome))
    }

    /// The first reply of a batch, and the batch without it.
    private func splitAnswer(_ actions: [PreAuthAction]) -> (answer: ClientReply, rest: [PreAuthAction])? {
        guard case .send(let bytes)? = actions.first, let answer = ClientReplies.parse(bytes, as: Syntax.self)?.first else {
            return nil
        }
        let remaining = Array(bytes.dropFirst(answer.bytes.count))
        return (answer, (remaining.isEmpty ? [] : [.send(remaining)]) + actions.dropFirst())
    }

    /// A mail host's reply that is already one well-formed, printable refusal, as the client
    /// should read it unchanged; nil for anything the dialogue has to make fit first.
    private func canonicalRefusal(_ reply: String) -> [UInt8]? {
        let bytes = Array(reply.utf8) + [0x0D, 0x0A]
        guard ByteChecks.arePrintableCRLFLines(bytes), let lines = ByteChecks.crlfLines(bytes),
              lines.count <= 10, lines.allSatisfy({ $0.count <= 300 }),
              let replies = ClientReplies.parse(bytes, as: Syntax.self), replies.count == 1,
              Syntax.isRefusal(replies[0], tag: loginTag) else { return nil }
        return bytes
    }

    // MARK: - Actions

    /// `answerFromMailHost`: the batch's first reply carries a mail host's words, which may be
    /// UTF-8; everything the dialogue says itself is printable ASCII.
    mutating func record(_ actions: [PreAuthAction], answerFromMailHost: Bool = false) {
        require(!closed || actions.isEmpty, "\(label): actions after .close")
        require(!awaitingLogin || actions.isEmpty, "\(label): actions while a login is being checked")
        var afterAuthenticate = false
        var sentAfterAuthenticate = false
        var lastReply: ClientReply?
        for (position, action) in actions.enumerated() {
            require(!closed, "\(label): action after .close in the same batch")
            switch action {
            case .send(let bytes):
                lastReply = checkSend(bytes, answerFromMailHost: answerFromMailHost && position == 0).last
                sentAfterAuthenticate = sentAfterAuthenticate || afterAuthenticate
                if case .sent(let previous)? = entries.last {
                    entries[entries.count - 1] = .sent(previous + bytes)
                } else {
                    entries.append(.sent(bytes))
                }
            case .usernamePresented:
                require(!handsOver, "\(label): a username presented without AUTH")
                require(!presentedUsername, "\(label): .usernamePresented twice")
                require(!afterAuthenticate, "\(label): .usernamePresented after .authenticate")
                presentedUsername = true
                entries.append(.usernamePresented)
            case .authenticate(let credentials, let tag):
                require(!afterAuthenticate, "\(label): two .authenticate in one batch")
                if handsOver {
                    require(credentials.username.isEmpty && credentials.password.isEmpty,
                            "\(label): handed over with credentials")
                    require(lastReply.map(Syntax.isPositive) == true,
                            "\(label): handed over before answering the client's greeting")
                } else {
                    require(presentedUsername, "\(label): .authenticate before .usernamePresented")
                    require(LoginCredentials.isAcceptableUsername(credentials.username),
                            "\(label): unacceptable username passed to AAA")
                }
                require(!credentials.password.utf8.contains(0), "\(label): NUL in a password")
                require(Syntax.isTag(tag), "\(label): invalid tag \(tag.debugDescription)")
                afterAuthenticate = true
                awaitingLogin = true
                loginTag = tag
                entries.append(.authenticate(username: Array(credentials.username.utf8),
                                             password: Array(credentials.password.utf8), tag: tag))
            case .close:
                require(position == actions.count - 1, "\(label): .close is not the last action")
                closed = true
                // A login still being checked is moot once the connection closes.
                awaitingLogin = false
                entries.append(.close)
            }
        }
        // Only the "too much input while authenticating" close may follow an .authenticate.
        require(!sentAfterAuthenticate || closed, "\(label): a reply after .authenticate without a close")
    }

    /// A send is whole replies of the protocol, printable (what a client sends us must never
    /// make us write a control character or a line break of its choosing).
    private func checkSend(_ bytes: [UInt8], answerFromMailHost: Bool) -> [ClientReply] {
        require(!bytes.isEmpty, "\(label): empty send")
        guard let replies = ClientReplies.parse(bytes, as: Syntax.self) else {
            violation("\(label): not whole, well-formed replies: \(text(bytes))")
        }
        let own = answerFromMailHost ? Array(bytes.dropFirst(replies[0].bytes.count)) : bytes
        require(ByteChecks.arePrintableCRLFLines(own), "\(label): a reply is not printable: \(text(bytes))")
        if answerFromMailHost {
            require(ByteChecks.areTextCRLFLines(replies[0].bytes),
                    "\(label): a mail host's refusal reached the client with a control character: \(text(bytes))")
        }
        return replies
    }

    private func describe(_ actions: [PreAuthAction]) -> String {
        actions.map { action in
            if case .send(let bytes) = action { ".send(\(text(bytes)))" } else { "\(action)" }
        }.joined(separator: ", ")
    }

    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).debugDescription
    }
}
