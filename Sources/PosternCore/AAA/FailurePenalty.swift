/// A growing delay after failed logins (SPEC §4), in the spirit of Dovecot's auth penalty and
/// OpenSSH's per-source penalties. The delay applies before a request is checked, so its answer
/// is late whether the guess was right or wrong. It is a rate, not only a delay: each check
/// takes the next free slot, the slots spaced by the delay, so parallel connections guess no
/// faster than one.
///
/// An address is slowed by all its failures. A user (by canonical name) is slowed by all its
/// failures from every address, but only for requests from an address that has itself failed
/// for that user: many addresses guessing one password share one rate after their first
/// guess, while the user logging in from a clean address is never held up by them (otherwise
/// anyone who knows a user's name could slow that user's logins to nothing). No request waits
/// longer than `maximum`: one whose turn would come later is refused at once as a temporary
/// failure. An address counts as its `ClientAddressScope` (an IPv6 /64). A correct password
/// clears what that user failed from that address, not the address's failures for other users.
public struct FailurePenalty: Sendable {
    /// Failures older than this are forgotten.
    public let window: Double
    /// No request waits longer than this.
    public let maximum: Double
    /// The delay at the second failure in a row; it doubles with each one after.
    public let base: Double
    /// The most addresses, users and pairs remembered; the stalest are forgotten first.
    public let capacity: Int

    private struct Record: Sendable {
        var failures: Int
        var last: Double
        /// When the next check of this address or user may start.
        var nextSlot: Double = 0
    }

    /// Keyed by a hash of the address, user or pair (Swift's Hasher, seeded afresh in every process,
    /// so nobody outside can aim two names at one record): 24 bytes a record and no string on
    /// the heap, which matters when a flood of failures from many addresses and names must be
    /// remembered for the window and then given back (the soak: 5,400 of each at once).
    private var addresses: [UInt64: Record] = [:]
    private var users: [UInt64: Record] = [:]
    /// Failures of one user from one address: what that user's success clears.
    private var pairs: [UInt64: Record] = [:]

    private static func key(_ address: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(address)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static func key(_ address: String, _ user: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(address)
        hasher.combine(user)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    public init(window: Double = 300, maximum: Double = 15, base: Double = 0.5, capacity: Int = 100_000) {
        self.window = window
        self.maximum = maximum
        self.base = base
        self.capacity = capacity
    }

    /// What a request waits before its check.
    public enum Slot: Sendable, Equatable {
        /// Check it after this many seconds (0: at once).
        case wait(Double)
        /// Its turn would come later than `maximum`: answer at once with a temporary failure,
        /// without checking (parallel connections must not outrun the rate by queueing).
        case refuse
    }

    /// The slot of a request from `address` for `user` (canonical): the next request of the same
    /// address, or of the same user from an address that failed for it, waits its turn after it.
    public mutating func schedule(address: String, user: String, now: Double) -> Slot {
        let addressKey = Self.key(ClientAddressScope.of(address)), userKey = Self.key(user)
        let guessedHere = count(pairs[Self.key(address, user)], now) > 0
        let failures = max(count(addresses[addressKey], now), guessedHere ? count(users[userKey], now) : 0)
        guard failures >= 2 else { return .wait(0) }
        let spacing = min(maximum, base * Double(1 << min(failures - 2, 20)))
        var start = max(now + spacing, addresses[addressKey]?.nextSlot ?? 0)
        if guessedHere { start = max(start, users[userKey]?.nextSlot ?? 0) }
        guard start - now <= maximum else { return .refuse }
        // The records counted exist and are inside the window (failures >= 2 came from them).
        addresses[addressKey]?.nextSlot = start + spacing
        if guessedHere { users[userKey]?.nextSlot = start + spacing }
        return .wait(start - now)
    }

    public mutating func recordFailure(address: String, user: String, now: Double) {
        // Moved out and back so the dictionary is mutated in place, not copied.
        var table = addresses
        addresses = [:]
        bump(&table, Self.key(ClientAddressScope.of(address)), now)
        addresses = table
        table = users
        users = [:]
        bump(&table, Self.key(user), now)
        users = table
        table = pairs
        pairs = [:]
        bump(&table, Self.key(address, user), now)
        pairs = table
    }

    /// Records kept, inside the window or not.
    public var recordCount: Int { addresses.count + users.count + pairs.count }

    /// Records still inside the window (the ones that can delay a login).
    public func liveRecords(now: Double) -> (addresses: Int, users: Int) {
        (addresses.values.filter { now - $0.last < window }.count, users.values.filter { now - $0.last < window }.count)
    }

    /// Drops the records whose window has passed; they delay nothing and would only take memory.
    public mutating func forgetExpired(now: Double) {
        addresses = addresses.filter { now - $0.value.last < window || $0.value.nextSlot > now }
        users = users.filter { now - $0.value.last < window || $0.value.nextSlot > now }
        pairs = pairs.filter { now - $0.value.last < window }
    }

    /// A correct password clears what this user (canonical) failed from this address: from the
    /// address's count and the user's. The address's failures for other users stay (one known
    /// password must not wash a guessing address clean).
    public mutating func recordSuccess(address: String, user: String, now: Double) {
        let cleared = count(pairs.removeValue(forKey: Self.key(address, user)), now)
        guard cleared > 0 else { return }
        Self.reduce(&addresses, Self.key(ClientAddressScope.of(address)), by: cleared)
        Self.reduce(&users, Self.key(user), by: cleared)
    }

    private static func reduce(_ table: inout [UInt64: Record], _ key: UInt64, by cleared: Int) {
        guard var record = table[key] else { return }
        record.failures -= cleared
        if record.failures <= 0 {
            table[key] = nil
        } else {
            record.nextSlot = 0
            table[key] = record
        }
    }

    private func count(_ record: Record?, _ now: Double) -> Int {
        guard let record, now - record.last < window else { return 0 }
        return record.failures
    }

    private func bump(_ table: inout [UInt64: Record], _ key: UInt64, _ now: Double) {
        let previous = count(table[key], now)
        table[key] = Record(failures: previous + 1, last: now, nextSlot: table[key]?.nextSlot ?? 0)
        if table.count > capacity {
            table = table.filter { now - $0.value.last < window }
            while table.count > capacity, let stalest = table.min(by: { $0.value.last < $1.value.last }) {
                table[stalest.key] = nil
            }
        }
    }
}
