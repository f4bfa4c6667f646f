/// Logins the users file already accepted, so that a mail client reconnecting with the same
/// password costs a digest instead of crypt(3) (which is slow on purpose). Keys are keyed
/// digests of (file, user, password) made by the caller with a secret of its own process;
/// no password is kept. Only successes are remembered: every wrong password still pays the
/// full price. The caller empties the cache whenever the users file changes, so an edited
/// password or a removed user takes effect at once; `lifetime` bounds the rest. Pure: time
/// comes in as `now`, any monotonic instant on a fixed origin.
public struct VerifiedCredentialCache: Sendable {
    public struct Entry: Sendable, Equatable {
        public var groupPolicy: String?
        public var expires: Duration
    }

    public let lifetime: Duration
    public let capacity: Int
    private var entries: [[UInt8]: Entry] = [:]

    public init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    public var count: Int { entries.count }

    /// The remembered success for `key`, while it lasts.
    public mutating func lookUp(_ key: [UInt8], now: Duration) -> Entry? {
        guard let entry = entries[key] else { return nil }
        guard now < entry.expires else {
            entries[key] = nil
            return nil
        }
        return entry
    }

    public mutating func remember(_ key: [UInt8], groupPolicy: String?, now: Duration) {
        if entries.count >= capacity && entries[key] == nil {
            entries = entries.filter { now < $0.value.expires }
            // Still full of live entries: start over rather than grow (a cache, not a record).
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        }
        entries[key] = Entry(groupPolicy: groupPolicy, expires: now + lifetime)
    }

    public mutating func removeAll() {
        entries.removeAll()
    }
}
