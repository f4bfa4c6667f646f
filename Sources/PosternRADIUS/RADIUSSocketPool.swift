/// The sockets towards one RADIUS server and the identifiers in flight on each. RFC 2865 §3
/// matches a reply by source address, port and identifier, so each socket (each source port)
/// carries its own 256 identifiers (`RADIUSIdentifierPool`); more than 256 requests in flight
/// to one server need more than one socket, as FreeRADIUS's own client opens them.
///
/// A request takes an identifier on the oldest socket that has one free, so the load stays on
/// few sockets and the newer ones fall idle. When every identifier of every open socket is in
/// flight the caller is told to open another (`.needsSocket`), up to `maximumSockets`; beyond
/// that a request is refused (`.exhausted`) and the caller fails the login as temporary rather
/// than queue it: a server this far behind would not answer it in time. A socket other than
/// the oldest that has had nothing in flight for `idleTimeout` is given back by `closeIdle`.
///
/// Pure bookkeeping: the caller opens the sockets, files them under the `SocketID`s handed out
/// here, and closes the ones `closeIdle` names.
public struct RADIUSSocketPool<Owner: Hashable & Sendable>: Sendable {
    /// A socket, numbered in the order it was added; a number is never used twice, so a closed
    /// socket's replies cannot be taken for a newer socket's.
    public struct SocketID: Hashable, Sendable {
        public let number: Int
    }

    public enum Allocation: Hashable, Sendable {
        /// Send on `socket` with `identifier`; release it when the request leaves this server.
        case allocated(socket: SocketID, identifier: UInt8)
        /// Every identifier of every open socket is in flight and fewer than `maximumSockets`
        /// are open: open a socket to the server, `add` it, and allocate again.
        case needsSocket
        /// `maximumSockets` sockets, every identifier in flight: fail the request as temporary.
        case exhausted
    }

    /// 16 sockets: 4096 requests in flight to one server.
    public static var defaultMaximumSockets: Int { 16 }
    public static var defaultIdleTimeout: Duration { .seconds(60) }

    public let maximumSockets: Int
    public let idleTimeout: Duration

    private struct Socket: Sendable {
        let id: SocketID
        var identifiers = RADIUSIdentifierPool<Owner>()
        /// When the last request in flight on it was released; nil while one is in flight.
        var idleSince: Duration?
    }

    /// Oldest first.
    private var sockets: [Socket] = []
    private var nextNumber = 0

    public init(maximumSockets: Int = defaultMaximumSockets, idleTimeout: Duration = defaultIdleTimeout) {
        precondition(maximumSockets >= 1, "a server needs a socket")
        self.maximumSockets = maximumSockets
        self.idleTimeout = idleTimeout
    }

    /// The open sockets, oldest first.
    public var openSockets: [SocketID] { sockets.map(\.id) }

    /// Requests in flight on every socket together.
    public var inFlightCount: Int { sockets.reduce(0) { $0 + $1.identifiers.inFlightCount } }

    /// The most requests that may be in flight at once: `maximumSockets` × 256.
    public var capacity: Int { maximumSockets * RADIUSIdentifierPool<Owner>.capacity }

    public func inFlightCount(on socket: SocketID) -> Int {
        sockets.first { $0.id == socket }?.identifiers.inFlightCount ?? 0
    }

    /// Files a socket the caller has opened; nil (nothing filed) when `maximumSockets` are open.
    public mutating func add(now: Duration) -> SocketID? {
        guard sockets.count < maximumSockets else { return nil }
        let id = SocketID(number: nextNumber)
        nextNumber += 1
        sockets.append(Socket(id: id, idleSince: now))
        return id
    }

    /// An identifier for a request of `owner`'s, on the oldest socket with one free.
    public mutating func allocate(for owner: Owner) -> Allocation {
        for index in sockets.indices {
            if let identifier = sockets[index].identifiers.allocate(for: owner) {
                sockets[index].idleSince = nil
                return .allocated(socket: sockets[index].id, identifier: identifier)
            }
        }
        return sockets.count < maximumSockets ? .needsSocket : .exhausted
    }

    /// What `identifier` means on `socket`; `.unknown` on a socket not (or no longer) open.
    public func lookup(_ identifier: UInt8, on socket: SocketID) -> RADIUSIdentifierPool<Owner>.Lookup {
        sockets.first { $0.id == socket }?.identifiers.lookup(identifier) ?? .unknown
    }

    /// Frees `identifier` on `socket` if `owner` holds it; false (nothing changes) otherwise.
    @discardableResult
    public mutating func release(_ identifier: UInt8, on socket: SocketID, owner: Owner, now: Duration) -> Bool {
        guard let index = sockets.firstIndex(where: { $0.id == socket }),
              sockets[index].identifiers.release(identifier, owner: owner) else { return false }
        if sockets[index].identifiers.inFlightCount == 0 {
            sockets[index].idleSince = now
        }
        return true
    }

    /// Forgets, and returns for the caller to close, every socket but the oldest that has had
    /// nothing in flight for `idleTimeout`. A reply that still comes to one is lost with it,
    /// which is harmless: nothing waits for it.
    public mutating func closeIdle(now: Duration) -> [SocketID] {
        var closed: [SocketID] = []
        sockets = sockets.enumerated().filter { position, socket in
            guard position > 0, let since = socket.idleSince, now - since >= idleTimeout else { return true }
            closed.append(socket.id)
            return false
        }.map(\.element)
        return closed
    }
}
