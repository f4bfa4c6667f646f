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
///
/// A request left unanswered (`markUnanswered`) counts against its server; the server is held
/// down only after `unansweredBeforeDead` in a row, and any answer clears the count. While held
/// down it may be probed (`probesDue`, RFC 5997 Status-Server for RADIUS): an answer to a probe
/// brings it back before its dead-time ends.
public struct ServerGroupState: Sendable {
    /// Consecutive unanswered requests (each with all its retransmissions) before a server is
    /// held down. One lost request (a dropped datagram, a server restarting, one slow database
    /// lookup) should not take a server out of the group for a whole dead-time; three in a row
    /// with no answer in between is a pattern.
    public static let defaultUnansweredBeforeDead = 3

    public let name: String
    public let servers: [AAAServer]
    /// How long to wait for each send.
    public let timeout: Duration
    /// Retransmissions per server after the first send.
    public let retries: Int
    /// How long a server that stopped answering is skipped.
    public let deadTime: Duration
    /// Unanswered requests in a row that make a server dead (at least 1).
    public let unansweredBeforeDead: Int

    /// Per server index: nil while alive, else the end of its hold-down. A server stays marked
    /// after its hold-down ends until it answers, so its recovery can be logged.
    private var deadUntil: [Duration?]
    /// Per server index: requests left unanswered since its last answer.
    private var unanswered: [Int]
    /// Per server index: when a held-down server is next due a probe.
    private var nextProbe: [Duration?]

    /// `retries` below 0 counts as 0; `unansweredBeforeDead` below 1 as 1.
    public init(name: String, serverNames: [String], timeout: Duration, retries: Int, deadTime: Duration,
                unansweredBeforeDead: Int = ServerGroupState.defaultUnansweredBeforeDead) {
        self.name = name
        self.servers = serverNames.enumerated().map { AAAServer(index: $0.offset, name: $0.element) }
        self.timeout = timeout
        self.retries = max(0, retries)
        self.deadTime = deadTime
        self.unansweredBeforeDead = max(1, unansweredBeforeDead)
        self.deadUntil = Array(repeating: nil, count: serverNames.count)
        self.unanswered = Array(repeating: 0, count: serverNames.count)
        self.nextProbe = Array(repeating: nil, count: serverNames.count)
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

    /// Requests `server` has left unanswered since its last answer.
    public func unansweredCount(_ server: AAAServer) -> Int {
        unanswered[server.index]
    }

    /// A request to `server` ran out of sends without an answer. The server is held down once
    /// this happened `unansweredBeforeDead` times in a row; until then it stays live, and only
    /// the transaction that gave up on it moves on to the next server.
    public mutating func markUnanswered(_ server: AAAServer, now: Duration) -> [ServerGroupEvent] {
        unanswered[server.index] += 1
        guard unanswered[server.index] >= unansweredBeforeDead else { return [] }
        return markDead(server, now: now)
    }

    /// Holds `server` down from `now` at once. Reported once per death, not again by other
    /// transactions that give up on it during the same hold-down. Its first probe is due one
    /// `timeout` later.
    public mutating func markDead(_ server: AAAServer, now: Duration) -> [ServerGroupEvent] {
        if let until = deadUntil[server.index], now < until { return [] }
        deadUntil[server.index] = now + deadTime
        nextProbe[server.index] = now + timeout
        return [.serverDead(group: name, server: server, deadTime: deadTime)]
    }

    /// A server answered (a request or a probe): its count of unanswered requests starts again
    /// at 0, and it is alive again, reported when it had been marked dead.
    public mutating func markAlive(_ server: AAAServer) -> [ServerGroupEvent] {
        unanswered[server.index] = 0
        nextProbe[server.index] = nil
        guard deadUntil[server.index] != nil else { return [] }
        deadUntil[server.index] = nil
        return [.serverAlive(group: name, server: server)]
    }

    // MARK: Probes

    /// Servers held down at `now` whose probe is due. Once a hold-down is over, requests
    /// themselves find out whether the server is back, so it is no longer probed.
    public func probesDue(now: Duration) -> [AAAServer] {
        servers.filter { server in
            guard let until = deadUntil[server.index], now < until, let due = nextProbe[server.index] else {
                return false
            }
            return due <= now
        }
    }

    /// A probe went out to `server` at `now`: the next one is due after `timeout`, so at most
    /// one probe waits for its answer at a time.
    public mutating func probeSent(_ server: AAAServer, now: Duration) {
        nextProbe[server.index] = now + timeout
    }

    /// When the next probe of the group is due, if any server is held down and will still be
    /// by then: the time to set a timer for.
    public var nextProbeDue: Duration? {
        servers.compactMap { server -> Duration? in
            guard let until = deadUntil[server.index], let due = nextProbe[server.index], due < until else {
                return nil
            }
            return due
        }.min()
    }
}
