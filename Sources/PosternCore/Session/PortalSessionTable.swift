/// authd's registry of portal sessions (SPEC §5): who logged in on the HTTPS portal, from which
/// address, until when. Keyed by a hash of the session cookie (the cookie itself is never kept),
/// found also by VPN user (canonical) and address for piggyback (SPEC §3). Pure: the caller
/// gives the time, in seconds on a monotonic clock.
public struct PortalSessionTable: Sendable {
    public struct Entry: Sendable, Equatable {
        /// What `posternctl portal-sessions` shows and `posternctl kill` takes.
        public var id: String
        public var cookieHash: String
        public var vpnUser: String
        public var clientAddress: String
        public var groupPolicy: String
        public var since: Double
        public var lastSeen: Double
        /// Seconds; 0 = none.
        public var idleTimeout: Double
        public var maxTime: Double

        public init(id: String, cookieHash: String, vpnUser: String, clientAddress: String, groupPolicy: String,
                    since: Double, idleTimeout: Double, maxTime: Double) {
            self.id = id; self.cookieHash = cookieHash; self.vpnUser = vpnUser; self.clientAddress = clientAddress
            self.groupPolicy = groupPolicy; self.since = since; self.lastSeen = since
            self.idleTimeout = idleTimeout; self.maxTime = maxTime
        }

        /// When the session ends unless used again (the sooner of idle and maximum time).
        public var expires: Double {
            let idle = idleTimeout > 0 ? lastSeen + idleTimeout : .infinity
            let maximum = maxTime > 0 ? since + maxTime : .infinity
            return min(idle, maximum)
        }

        public func isLive(at now: Double) -> Bool { now < expires }
    }

    public enum EndReason: String, Sendable {
        case logout, idleTimeout = "idle-timeout", maxTime = "max-session-time", killed = "admin-kill"
    }

    private var byHash: [String: Entry] = [:]
    /// The most sessions kept; a new one past it is refused (the caller says so).
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    public var count: Int { byHash.count }

    /// Adds `entry`; false when the table is full or the cookie hash is taken.
    public mutating func add(_ entry: Entry) -> Bool {
        guard byHash.count < capacity, byHash[entry.cookieHash] == nil else { return false }
        byHash[entry.cookieHash] = entry
        return true
    }

    /// The live session of this cookie hash from this address, marked used now; nil when there
    /// is none, it has expired, or it belongs to another address (a stolen cookie is worthless
    /// elsewhere).
    public mutating func use(cookieHash: String, from address: String, now: Double) -> Entry? {
        guard var entry = byHash[cookieHash], entry.clientAddress == address, entry.isLive(at: now) else { return nil }
        entry.lastSeen = now
        byHash[cookieHash] = entry
        return entry
    }

    /// Ends the session of this cookie hash (logout); the entry, if there was one.
    public mutating func remove(cookieHash: String) -> Entry? {
        byHash.removeValue(forKey: cookieHash)
    }

    /// Ends the session with this id (`posternctl kill`).
    public mutating func remove(id: String) -> Entry? {
        guard let hash = byHash.first(where: { $0.value.id == id })?.key else { return nil }
        return byHash.removeValue(forKey: hash)
    }

    /// Live sessions from `address`, of `canonicalUser` when given (piggyback: a user's own
    /// session from the same address; SMTPS without AUTH: every session from the address).
    /// `canonical` maps a stored VPN user to its canonical form.
    public func live(from address: String, canonicalUser: String? = nil, now: Double,
                     canonical: (String) -> String) -> [Entry] {
        byHash.values.filter { entry in
            entry.clientAddress == address && entry.isLive(at: now)
                && (canonicalUser.map { canonical(entry.vpnUser) == $0 } ?? true)
        }.sorted { $0.since < $1.since }
    }

    /// Removes and returns what has expired by `now`, each with why.
    public mutating func expire(now: Double) -> [(Entry, EndReason)] {
        let ended = byHash.values.filter { !$0.isLive(at: now) }
        for entry in ended { byHash[entry.cookieHash] = nil }
        return ended.sorted { $0.since < $1.since }.map { entry in
            let maximum = entry.maxTime > 0 && entry.since + entry.maxTime <= now
            return (entry, maximum ? .maxTime : .idleTimeout)
        }
    }

    /// Every session, oldest first.
    public var all: [Entry] { byHash.values.sorted { $0.since < $1.since } }
}
