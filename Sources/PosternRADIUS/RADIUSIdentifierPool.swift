/// The 256 identifiers of one server socket (RFC 2865 §3: a reply is matched by source address,
/// port and identifier). One in flight is never handed out again until released; released
/// ones are handed out last (the pool rotates), so a late reply rarely meets a newer request.
/// `Owner` is whatever the caller files a transaction under.
public struct RADIUSIdentifierPool<Owner: Hashable & Sendable>: Sendable {
    public static var capacity: Int { 256 }

    /// What an incoming identifier means.
    public enum Lookup: Hashable, Sendable {
        /// A request of `Owner`'s is waiting: verify the reply against it.
        case inFlight(Owner)
        /// Its request was answered or given up: a late or duplicate reply, to be dropped.
        case late
        /// Never handed out: to be dropped.
        case unknown
    }

    private enum Slot: Sendable {
        case unused
        case inFlight(Owner)
        case released
    }

    private var slots: [Slot] = Array(repeating: .unused, count: 256)
    private var cursor = 0
    public private(set) var inFlightCount = 0

    public init() {}

    /// An identifier for a request of `owner`'s, or nil when all 256 are in flight: then the
    /// request needs another socket (`RADIUSSocketPool`).
    public mutating func allocate(for owner: Owner) -> UInt8? {
        guard inFlightCount < Self.capacity else { return nil }
        for step in 0..<Self.capacity {
            let index = (cursor + step) % Self.capacity
            if case .inFlight = slots[index] { continue }
            slots[index] = .inFlight(owner)
            cursor = (index + 1) % Self.capacity
            inFlightCount += 1
            return UInt8(index)
        }
        return nil
    }

    public func lookup(_ identifier: UInt8) -> Lookup {
        switch slots[Int(identifier)] {
        case let .inFlight(owner): .inFlight(owner)
        case .released: .late
        case .unused: .unknown
        }
    }

    /// Frees `identifier` if `owner` holds it; false (and nothing changes) otherwise, so a
    /// second release cannot free an identifier already handed to someone else.
    @discardableResult
    public mutating func release(_ identifier: UInt8, owner: Owner) -> Bool {
        guard case let .inFlight(holder) = slots[Int(identifier)], holder == owner else { return false }
        slots[Int(identifier)] = .released
        inFlightCount -= 1
        return true
    }
}
