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

    /// Whether `session`'s request `attempt` is in flight: a session that ended or moved on
    /// meanwhile is granted nothing.
    public func isAuthenticating(_ session: Session, attempt: UInt16) -> Bool {
        if case .authenticating(attempt, _) = states[session] { return true }
        return false
    }

    public func isEstablished(_ session: Session) -> Bool {
        if case .established = states[session] { return true }
        return false
    }

    /// A newer attempt while an older one is in flight supersedes it: the listener stopped
    /// waiting (`authentication-timeout`) and the client asked again. The old one counts as a
    /// failure, so the attempt cap still holds, and whatever its check decides is dropped.
    public mutating func beginAuthentication(_ session: Session, attempt: UInt16) throws(Refusal) {
        switch states[session] {
        case nil:
            states[session] = .authenticating(attempt: attempt, failures: 0)
        case .idle(let failures):
            guard failures < maxAttempts else { throw .tooManyAttempts }
            states[session] = .authenticating(attempt: attempt, failures: failures)
        case .authenticating(let current, let failures):
            guard attempt > current else {
                throw .notPermitted("an authentication request that is not newer than the one in flight")
            }
            guard failures + 1 < maxAttempts else {
                states[session] = .idle(failures: failures + 1)
                throw .tooManyAttempts
            }
            states[session] = .authenticating(attempt: attempt, failures: failures + 1)
        case .granted, .established:
            throw .notPermitted("an authentication request from a session that is already logged in")
        }
    }

    /// The request failed; returns the failures so far (0 for an attempt no longer in flight).
    @discardableResult
    public mutating func fail(_ session: Session, attempt: UInt16) -> Int {
        guard case .authenticating(attempt, let failures) = states[session] else { return 0 }
        states[session] = .idle(failures: failures + 1)
        return failures + 1
    }

    /// The request succeeded; takes a login slot for `user` if fewer than `limit` are held.
    public mutating func grant(_ session: Session, attempt: UInt16, user: String, limit: Int) -> Bool {
        guard case .authenticating(attempt, let failures) = states[session] else { return false }
        guard logins(of: user) < limit else {
            states[session] = .idle(failures: failures + 1)
            return false
        }
        states[session] = .granted(user: user, failures: failures)
        loginsByUser[user, default: 0] += 1
        return true
    }

    /// The mail host accepted the login of a granted session.
    public mutating func establish(_ session: Session, user: String) throws(Refusal) {
        switch states[session] {
        case .granted(let granted, _):
            guard granted == user else { throw .notPermitted("established as \(user) but granted to \(granted)") }
            states[session] = .established(user: user)
        default:
            throw .notPermitted("session-established for a session that was not granted")
        }
    }

    /// A session the listener says is established (with a verified grant token) that this table
    /// may not know: authd restarted, or the channel was paired again. Returns whether it was
    /// new here (then its slot is counted now).
    @discardableResult
    public mutating func adopt(_ session: Session, user: String) throws(Refusal) -> Bool {
        switch states[session] {
        case .established(let held):
            guard held == user else { throw .notPermitted("resync as \(user) of a session established as \(held)") }
            return false
        case .granted(let granted, _):
            guard granted == user else { throw .notPermitted("resync as \(user) of a session granted to \(granted)") }
            states[session] = .established(user: user)
            return true
        case nil, .idle, .authenticating:
            states[session] = .established(user: user)
            loginsByUser[user, default: 0] += 1
            return true
        }
    }

    /// A grant the listener could not use: the slot is free, the session may try again (the
    /// attempt counts). Only a granted session has one to release.
    public mutating func releaseGrant(_ session: Session) throws(Refusal) {
        guard case .granted(let user, let failures) = states[session] else {
            throw .notPermitted("grant-released for a session that holds no grant")
        }
        release(user)
        states[session] = .idle(failures: failures + 1)
    }

    /// The session ended: its entry goes, and with it any slot it held.
    public mutating func end(_ session: Session) {
        switch states.removeValue(forKey: session) {
        case .granted(let user, _), .established(let user): release(user)
        case .idle, .authenticating, nil: break
        }
    }

    /// The channel to the same listener was paired again: requests in flight were failed as
    /// temporary there and grants not yet established were given up; established sessions go on.
    public mutating func removeUnestablished() {
        for (session, state) in states {
            switch state {
            case .established: continue
            case .granted(let user, _): release(user)
            case .idle, .authenticating: break
            }
            states[session] = nil
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
