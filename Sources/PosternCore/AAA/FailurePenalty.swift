/// A growing delay after failed logins, per client address and per user, in the spirit of
/// Dovecot's auth penalty: password guessing gets slow, while other users from other addresses
/// are not held up. The delay applies before a request is checked, so its answer is late
/// whether the guess was right or wrong.
public struct FailurePenalty: Sendable {
    /// Failures older than this are forgotten.
    public let window: Double
    /// No request waits longer than this.
    public let maximum: Double
    /// The delay at the second failure in a row; it doubles with each one after.
    public let base: Double
    /// The most addresses and users remembered; the stalest are forgotten first.
    public let capacity: Int

    private struct Record: Sendable {
        var failures: Int
        var last: Double
    }

    /// Keyed by a hash of the address or user (Swift's Hasher, seeded afresh in every process,
    /// so nobody outside can aim two names at one record): 24 bytes a record and no string on
    /// the heap, which matters when a flood of failures from many addresses and names must be
    /// remembered for the window and then given back (the soak: 5,400 of each at once).
    private var addresses: [UInt64: Record] = [:]
    private var users: [UInt64: Record] = [:]

    private static func key(_ name: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(name)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    public init(window: Double = 300, maximum: Double = 15, base: Double = 0.5, capacity: Int = 100_000) {
        self.window = window
        self.maximum = maximum
        self.base = base
        self.capacity = capacity
    }

    /// Seconds to wait before checking a request from `address` for `user`.
    public func delay(address: String, user: String, now: Double) -> Double {
        let failures = max(count(addresses[Self.key(address)], now), count(users[Self.key(user)], now))
        guard failures >= 2 else { return 0 }
        return min(maximum, base * Double(1 << min(failures - 2, 20)))
    }

    public mutating func recordFailure(address: String, user: String, now: Double) {
        // Moved out and back so the dictionary is mutated in place, not copied.
        var table = addresses
        addresses = [:]
        bump(&table, Self.key(address), now)
        addresses = table
        table = users
        users = [:]
        bump(&table, Self.key(user), now)
        users = table
    }

    /// Records kept, inside the window or not.
    public var recordCount: Int { addresses.count + users.count }

    /// Records still inside the window (the ones that can delay a login).
    public func liveRecords(now: Double) -> (addresses: Int, users: Int) {
        (addresses.values.filter { now - $0.last < window }.count, users.values.filter { now - $0.last < window }.count)
    }

    /// Drops the records whose window has passed; they delay nothing and would only take memory.
    public mutating func forgetExpired(now: Double) {
        addresses = addresses.filter { now - $0.value.last < window }
        users = users.filter { now - $0.value.last < window }
    }

    /// A correct password clears the address's and the user's record.
    public mutating func recordSuccess(address: String, user: String) {
        addresses[Self.key(address)] = nil
        users[Self.key(user)] = nil
    }

    private func count(_ record: Record?, _ now: Double) -> Int {
        guard let record, now - record.last < window else { return 0 }
        return record.failures
    }

    private func bump(_ table: inout [UInt64: Record], _ key: UInt64, _ now: Double) {
        let previous = count(table[key], now)
        table[key] = Record(failures: previous + 1, last: now)
        if table.count > capacity {
            table = table.filter { now - $0.value.last < window }
            while table.count > capacity, let stalest = table.min(by: { $0.value.last < $1.value.last }) {
                table[stalest.key] = nil
            }
        }
    }
}
