import PosternCore

/// One place in the process table: the listener, authd, or relay number `index`.
struct ChildSlot: Hashable, Sendable, CustomStringConvertible {
    var role: Role
    var index: Int

    static let listener = ChildSlot(role: .listener, index: 0)
    static let authd = ChildSlot(role: .authd, index: 0)
    static func relay(_ i: Int) -> ChildSlot { ChildSlot(role: .relay, index: i) }

    var description: String { role == .relay ? "relay[\(index)]" : role.rawValue }
}

/// Restart pacing (SPEC §1, and Postfix's "throttling" of a child that keeps dying): the delay
/// doubles after each quick death and resets once a child has run for a while.
struct RestartBackoff: Sendable {
    static let initial = 0.25
    static let maximum = 60.0
    static let stableAfter = 30.0

    private(set) var nextDelay = RestartBackoff.initial

    /// Returns the delay before the next start, given how long the child ran.
    mutating func delay(afterRunning seconds: Double) -> Double {
        if seconds >= Self.stableAfter { nextDelay = Self.initial }
        let delay = nextDelay
        nextDelay = min(nextDelay * 2, Self.maximum)
        return delay
    }
}
