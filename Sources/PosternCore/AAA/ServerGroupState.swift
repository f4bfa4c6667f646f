/// One server of a group: its place in the configured order (opaque to callers beyond
/// indexing their own per-server tables) and the name the log shows, e.g. `10.0.0.5:1812`.
public struct AAAServer: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public let name: String

    public var description: String { name }
}

/// One request to send: to `server`, the `number`th time (1 = first send to that server,
/// 2... = retransmissions of the same datagram with the same identifier, RFC 5080 §2.2.1).
/// Unanswered by `deadline`, the transaction's `timeout(now:group:)` is due.
public struct ServerAttempt: Hashable, Sendable {
    public let server: AAAServer
    public let number: Int
    public let deadline: Duration

    public init(server: AAAServer, number: Int, deadline: Duration) {
        self.server = server
        self.number = number
        self.deadline = deadline
    }

    public var isRetransmission: Bool { number > 1 }
}

/// Which servers of one `[aaa-server-group]` are worth asking (SPEC §3): tried in order, a
/// server that did not answer is skipped for `deadTime`. Pure: time comes in as `now`, a
/// monotonic instant on any fixed origin (e.g. `ContinuousClock.now - start`). Each group has
/// its own state, so one group's dead server says nothing about another group's.
public struct ServerGroupState: Sendable {
    public let name: String
    public let servers: [AAAServer]
    /// How long to wait for each send.
    public let timeout: Duration
    /// Retransmissions per server after the first send.
    public let retries: Int
    /// How long a server that stopped answering is skipped.
    public let deadTime: Duration

    /// Per server index: nil while alive, else the end of its hold-down. A server stays marked
    /// after its hold-down ends until it answers, so its recovery can be logged.
    private var deadUntil: [Duration?]

    /// `retries` below 0 counts as 0.
    public init(name: String, serverNames: [String], timeout: Duration, retries: Int, deadTime: Duration) {
        self.name = name
        self.servers = serverNames.enumerated().map { AAAServer(index: $0.offset, name: $0.element) }
        self.timeout = timeout
        self.retries = max(0, retries)
        self.deadTime = deadTime
        self.deadUntil = Array(repeating: nil, count: serverNames.count)
    }

    /// Sends per server before it is given up: the first and the retries.
    public var sendsPerServer: Int { retries + 1 }

    /// The server a new transaction should try first: the first in order not held down. Nil
    /// when every server is held down (or the group is empty): the login fails as temporary.
    public func plan(now: Duration) -> ServerAttempt? {
        plan(now: now, excluding: [])
    }

    /// Whether `server` may be asked at `now`: alive, or its hold-down is over.
    public func isLive(_ server: AAAServer, now: Duration) -> Bool {
        guard let until = deadUntil[server.index] else { return true }
        return now >= until
    }

    /// The end of `server`'s hold-down while it is marked dead (even once that end has passed
    /// and it is eligible again); nil while it is alive.
    public func deadUntil(_ server: AAAServer) -> Duration? {
        deadUntil[server.index]
    }

    public func plan(now: Duration, excluding tried: Set<Int>) -> ServerAttempt? {
        guard let server = servers.first(where: { !tried.contains($0.index) && isLive($0, now: now) }) else {
            return nil
        }
        return ServerAttempt(server: server, number: 1, deadline: now + timeout)
    }

    /// A server ran out of sends: held down from `now`. Reported once per death, not again
    /// by other transactions that give up on it during the same hold-down.
    public mutating func markDead(_ server: AAAServer, now: Duration) -> [ServerGroupEvent] {
        if let until = deadUntil[server.index], now < until { return [] }
        deadUntil[server.index] = now + deadTime
        return [.serverDead(group: name, server: server, deadTime: deadTime)]
    }

    /// A server answered: alive again, reported when it had been marked dead.
    public mutating func markAlive(_ server: AAAServer) -> [ServerGroupEvent] {
        guard deadUntil[server.index] != nil else { return [] }
        deadUntil[server.index] = nil
        return [.serverAlive(group: name, server: server)]
    }
}
