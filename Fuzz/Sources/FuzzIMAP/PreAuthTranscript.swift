import FuzzSupport
import PosternProtocols

/// What the pre-authentication dialogue did with one connection, checked action by action
/// and kept in a form that does not depend on how the bytes were cut into reads (adjacent
/// sends joined), so that two feedings of the same bytes can be compared.
struct PreAuthTranscript: Equatable {
    enum Entry: Equatable {
        case sent([UInt8])
        case usernamePresented
        /// Bytes, not Strings: String equality is canonical equivalence, and we want exactness.
        case authenticate(username: [UInt8], password: [UInt8], tag: String)
        case loginFinished(LoginOutcome)
        case close
    }

    private(set) var entries: [Entry] = []
    /// What the client sent after its successful login, which the relay forwards.
    var passthrough: [UInt8] = []
    private(set) var closed = false
    /// An `.authenticate` is waiting for its outcome.
    private(set) var awaitingLogin = false
    private var presentedUsername = false

    mutating func record(_ actions: [PreAuthAction]) {
        require(!closed || actions.isEmpty, "pre-auth: actions after .close")
        require(!awaitingLogin || actions.isEmpty, "pre-auth: actions while a login is being checked")
        var afterAuthenticate = false
        var sentAfterAuthenticate = false
        for (position, action) in actions.enumerated() {
            require(!closed, "pre-auth: action after .close in the same batch")
            switch action {
            case .send(let bytes):
                require(!bytes.isEmpty, "pre-auth: empty send")
                require(ByteChecks.arePrintableCRLFLines(bytes), "pre-auth: reply is not printable CRLF lines")
                sentAfterAuthenticate = sentAfterAuthenticate || afterAuthenticate
                if case .sent(let previous)? = entries.last {
                    entries[entries.count - 1] = .sent(previous + bytes)
                } else {
                    entries.append(.sent(bytes))
                }
            case .usernamePresented:
                require(!presentedUsername, "pre-auth: .usernamePresented twice")
                require(!afterAuthenticate, "pre-auth: .usernamePresented after .authenticate")
                presentedUsername = true
                entries.append(.usernamePresented)
            case .authenticate(let credentials, let tag):
                require(presentedUsername, "pre-auth: .authenticate before .usernamePresented")
                require(!afterAuthenticate, "pre-auth: two .authenticate in one batch")
                require(LoginCredentials.isAcceptableUsername(credentials.username),
                             "pre-auth: unacceptable username passed to AAA")
                require(!credentials.password.utf8.contains(0), "pre-auth: NUL in a password")
                require(Self.isTag(tag), "pre-auth: invalid tag \(tag.debugDescription)")
                afterAuthenticate = true
                awaitingLogin = true
                entries.append(.authenticate(username: Array(credentials.username.utf8),
                                             password: Array(credentials.password.utf8), tag: tag))
            case .close:
                require(position == actions.count - 1, "pre-auth: .close is not the last action")
                closed = true
                // A login still being checked is moot once the connection closes.
                awaitingLogin = false
                entries.append(.close)
            }
        }
        // Only the "too much input while authenticating" close may follow an .authenticate.
        require(!sentAfterAuthenticate || closed, "pre-auth: a reply after .authenticate without a close")
    }

    mutating func record(_ outcome: LoginOutcome) {
        require(awaitingLogin, "harness: outcome without a login")
        awaitingLogin = false
        entries.append(.loginFinished(outcome))
    }

    /// tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051), so a tag we echo cannot break a line.
    static func isTag(_ tag: String) -> Bool {
        !tag.isEmpty && tag.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"(){%*\"\\+".utf8.contains(byte)
        }
    }
}
