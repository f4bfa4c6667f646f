/// authd's view of every session the listener asked about: which requests each session's state
/// permits (OpenSSH's monitor: a permit table, attempts capped per session), and how many
/// sessions each VPN user holds, for `simultaneous-logins` across all three protocols.
public struct AuthSessionTable<Session: Hashable & Sendable>: Sendable {
    public enum State: Sendable, Equatable {
        /// Asked before; may ask again unless the cap is reached.
        case idle(failures: Int)
        case authenticating(attempt: UInt16, failures: Int)
        /// AAA said yes and a login slot is held; the relay's login is under way.
        case granted(user: String, failures: Int)
        case established(user: String)
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// The session asked while a request of its own was in flight, or after it was granted:
        /// a listener that does that is broken or compromised.
        case notPermitted(String)
        case tooManyAttempts
    }

    public var maxAttempts: Int
    public private(set) var states: [Session: State] = [:]
    private var loginsByUser: [String: Int] = [:]

    public init(maxAttempts: Int) {
        self.maxAttempts = maxAttempts
    }

    public func logins(of user: String) -> Int { loginsByUser[user] ?? 0 }

    /// Login slots held, over all users.
    public var slotsHeld: Int { loginsByUser.values.reduce(0, +) }

    /// Whether `session` has a request in flight: a session that ended meanwhile is granted nothing.
    public func isAuthenticating(_ session: Session) -> Bool {
        if case .authenticating = states[session] { return true }
        return false
    }

    public mutating func beginAuthentication(_ session: Session, attempt: UInt16) throws(Refusal) {
        switch states[session] {
        case nil:
            states[session] = .authenticating(attempt: attempt, failures: 0)
        case .idle(let failures):
            guard failures < maxAttempts else { throw .tooManyAttempts }
            states[session] = .authenticating(attempt: attempt, failures: failures)
        case .authenticating:
            throw .notPermitted("a second authentication request while one is in flight")
        case .granted, .established:
            throw .notPermitted("an authentication request from a session that is already logged in")
        }
    }

    /// The request failed; returns the failures so far.
    @discardableResult
    public mutating func fail(_ session: Session) -> Int {
        guard case .authenticating(_, let failures) = states[session] else { return 0 }
        states[session] = .idle(failures: failures + 1)
        return failures + 1
    }

    /// The request succeeded; takes a login slot for `user` if fewer than `limit` are held.
    public mutating func grant(_ session: Session, user: String, limit: Int) -> Bool {
        guard case .authenticating(_, let failures) = states[session] else { return false }
        guard logins(of: user) < limit else {
            states[session] = .idle(failures: failures + 1)
            return false
        }
        states[session] = .granted(user: user, failures: failures)
        loginsByUser[user, default: 0] += 1
        return true
    }

    /// The mail host accepted the login. An unknown session is a restarted authd hearing of a
    /// session that was established before it started: count it.
    public mutating func establish(_ session: Session, user: String) throws(Refusal) {
        switch states[session] {
        case .granted(let granted, _):
            guard granted == user else { throw .notPermitted("established as \(user) but granted to \(granted)") }
            states[session] = .established(user: user)
        case nil:
            states[session] = .established(user: user)
            loginsByUser[user, default: 0] += 1
        case .established(let held) where held == user:
            break
        default:
            throw .notPermitted("session-established for a session that was not granted")
        }
    }

    /// The session ended, or its login failed at the mail host: the slot is free again.
    public mutating func end(_ session: Session, keepForRetry: Bool) {
        switch states[session] {
        case .granted(let user, let failures):
            release(user)
            states[session] = keepForRetry ? .idle(failures: failures + 1) : nil
        case .established(let user):
            release(user)
            states[session] = nil
        case .idle, .authenticating:
            if !keepForRetry { states[session] = nil }
        case nil:
            break
        }
    }

    /// The listener went away: every session of it is gone.
    public mutating func removeAll() {
        states.removeAll()
        loginsByUser.removeAll()
    }

    private mutating func release(_ user: String) {
        let remaining = (loginsByUser[user] ?? 1) - 1
        loginsByUser[user] = remaining > 0 ? remaining : nil
    }
}
