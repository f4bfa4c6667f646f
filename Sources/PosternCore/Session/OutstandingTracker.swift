/// Bounds the sessions that are not yet authenticated (SPEC §4, `outstanding` and
/// `outstanding-per-address`). A new connection from an address already at its own cap closes
/// that address's oldest pre-auth session (unauthenticated first, then authenticating), never a
/// stranger's; then, if the whole would exceed `limit`, the oldest unauthenticated session goes,
/// then the oldest authenticating one, across addresses. Authenticated sessions are never chosen.
/// So one address flooding cannot take more than its share of the room, however fast it connects.
public struct OutstandingTracker<Key: Hashable & Sendable>: Sendable {
    public let limit: Int
    public let perAddress: Int
    // Insertion order is age order; a session leaves the tracker once authenticated or closed.
    private var order: [Key] = []
    private var entries: [Key: (state: SessionState, address: String)] = [:]
    private var byAddress: [String: Int] = [:]

    /// 0 means no limit, for either.
    public init(limit: Int, perAddress: Int = 0) {
        self.limit = limit
        self.perAddress = perAddress
    }

    public var count: Int { entries.count }

    /// Pre-auth sessions from `address` (its /64 for IPv6: `ClientAddressScope`).
    public func count(from address: String) -> Int { byAddress[ClientAddressScope.of(address)] ?? 0 }

    /// Admits a new unauthenticated session from `address`; returns the sessions to close to make room.
    public mutating func admit(_ key: Key, address client: String) -> [Key] {
        let address = ClientAddressScope.of(client)
        var evicted: [Key] = []
        if perAddress > 0 {
            while byAddress[address] ?? 0 >= perAddress,
                  let victim = oldest(in: .unauthenticated, from: address) ?? oldest(in: .authenticating, from: address) {
                remove(victim)
                evicted.append(victim)
            }
        }
        if limit > 0 {
            while entries.count >= limit, let victim = oldest(in: .unauthenticated) ?? oldest(in: .authenticating) {
                remove(victim)
                evicted.append(victim)
            }
        }
        order.append(key)
        entries[key] = (.unauthenticated, address)
        byAddress[address, default: 0] += 1
        return evicted
    }

    public mutating func update(_ key: Key, to state: SessionState) {
        guard entries[key] != nil else { return }
        if state == .authenticated {
            remove(key)
        } else {
            entries[key]?.state = state
        }
    }

    public mutating func remove(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        let left = (byAddress[entry.address] ?? 1) - 1
        byAddress[entry.address] = left > 0 ? left : nil
        if let index = order.firstIndex(of: key) { order.remove(at: index) }
    }

    private func oldest(in state: SessionState, from address: String? = nil) -> Key? {
        order.first { key in
            guard let entry = entries[key], entry.state == state else { return false }
            return address == nil || entry.address == address
        }
    }
}

extension OutstandingTracker {
    /// The same sessions under new limits (after a reload); existing sessions are not evicted by them.
    public func withLimits(_ newLimit: Int, perAddress newPerAddress: Int) -> OutstandingTracker {
        var copy = OutstandingTracker(limit: newLimit, perAddress: newPerAddress)
        copy.order = order
        copy.entries = entries
        copy.byAddress = byAddress
        return copy
    }
}
