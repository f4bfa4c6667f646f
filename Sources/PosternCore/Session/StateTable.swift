/// Every table a role keeps per session, or per address or user, that must give back what a
/// session put in it (SPEC §9's flat memory). Each role reports the size of its own tables in
/// `posternctl status --json`, so a soak or a test can see that nothing outlives its session.
public enum StateTable: UInt8, Sendable, CaseIterable, Codable {
    // The listener
    /// Client sessions the listener holds (registry handles).
    case sessions = 1
    /// Sessions counted against a protocol's `outstanding` limit (not yet authenticated).
    case outstanding
    /// Session objects not yet freed: more than `sessions` for long means a reference cycle
    /// keeps closed sessions (their handlers, channels and buffers) in memory.
    case sessionsInMemory
    /// Authentication requests waiting for authd's answer.
    case authdPending
    /// Established sessions the listener would tell a restarted authd of.
    case authdEstablished
    /// Relay requests waiting for a relay's answer.
    case relayPending
    /// Sessions assigned to a relay (the least-loaded choice).
    case relayAssigned
    // authd
    /// The permit table: sessions authd has state for.
    case permits = 20
    /// Login slots held (simultaneous-logins), summed over users.
    case loginSlots
    /// Granted sessions remembered for a failure at the mail host.
    case granted
    /// Sessions whose Accounting-Start went out and await their Stop.
    case accounted
    /// Client addresses with failed logins inside the penalty window.
    case penaltyAddresses
    /// Users with failed logins inside the penalty window.
    case penaltyUsers
    // A relay
    /// Logins and relayed sessions this relay carries.
    case relaySessions = 40
    /// Pipes lent to splice pumps (an idle session holds none).
    case pipesLent

    /// The name in `posternctl status --json`.
    public var name: String {
        switch self {
        case .sessions: "sessions"
        case .outstanding: "outstanding"
        case .sessionsInMemory: "sessions-in-memory"
        case .authdPending: "authd-pending"
        case .authdEstablished: "authd-established"
        case .relayPending: "relay-pending"
        case .relayAssigned: "relay-assigned"
        case .permits: "permits"
        case .loginSlots: "login-slots"
        case .granted: "granted"
        case .accounted: "accounted"
        case .penaltyAddresses: "penalty-addresses"
        case .penaltyUsers: "penalty-users"
        case .relaySessions: "relay-sessions"
        case .pipesLent: "pipes-lent"
        }
    }
}

/// One role's tables at one moment, as the role reports them.
public struct StateTableCounts: Sendable, Equatable {
    public var counts: [StateTable: UInt64]
    public init(_ counts: [StateTable: UInt64] = [:]) { self.counts = counts }

    /// By name, for JSON.
    public var byName: [String: UInt64] {
        Dictionary(uniqueKeysWithValues: counts.map { ($0.key.name, $0.value) })
    }
}
