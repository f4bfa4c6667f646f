/// Bounds the sessions that are not yet authenticated (SPEC §4, `outstanding`).
/// When a new connection would exceed the limit, the oldest unauthenticated session goes first,
/// then the oldest authenticating one; authenticated sessions are never chosen.
public struct OutstandingTracker<Key: Hashable & Sendable>: Sendable {
    public let limit: Int
    // Insertion order is age order; a session leaves the tracker once authenticated or closed.
    private var order: [Key] = []
    private var states: [Key: SessionState] = [:]

    /// `limit` 0 means no limit.
    public init(limit: Int) { self.limit = limit }

    public var count: Int { states.count }

    /// Admits a new unauthenticated session; returns the sessions to close to make room.
    public mutating func admit(_ key: Key) -> [Key] {
        var evicted: [Key] = []
        if limit > 0 {
            while states.count >= limit, let victim = oldest(in: .unauthenticated) ?? oldest(in: .authenticating) {
                remove(victim)
                evicted.append(victim)
            }
        }
        order.append(key)
        states[key] = .unauthenticated
        return evicted
    }

    public mutating func update(_ key: Key, to state: SessionState) {
        guard states[key] != nil else { return }
        if state == .authenticated {
            remove(key)
        } else {
            states[key] = state
        }
    }

    public mutating func remove(_ key: Key) {
        guard states.removeValue(forKey: key) != nil else { return }
        if let index = order.firstIndex(of: key) { order.remove(at: index) }
    }

    private func oldest(in state: SessionState) -> Key? {
        order.first { states[$0] == state }
    }
}

extension OutstandingTracker {
    /// The same sessions under a new limit (after a reload); existing sessions are not evicted by it.
    public func withLimit(_ newLimit: Int) -> OutstandingTracker {
        var copy = OutstandingTracker(limit: newLimit)
        copy.order = order
        copy.states = states
        return copy
    }
}
