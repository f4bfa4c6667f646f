import PosternCore

/// What a server group reports for the log: a server given up on, or back. authd writes
/// `name` as the event and `fields` after it.
public enum RADIUSGroupEvent: Hashable, Sendable {
    case serverDead(group: String, server: RADIUSServer, deadTime: Duration)
    case serverAlive(group: String, server: RADIUSServer)

    /// The log event name.
    public var name: String {
        switch self {
        case .serverDead: "server-dead"
        case .serverAlive: "server-alive"
        }
    }

    public var fields: [(String, LogValue)] {
        switch self {
        case let .serverDead(group, server, deadTime):
            [("group", LogValue(group)), ("name", LogValue(server.name)),
             ("dead-time", LogValue(RADIUSGroupEvent.format(deadTime)))]
        case let .serverAlive(group, server):
            [("group", LogValue(group)), ("name", LogValue(server.name))]
        }
    }

    /// Whole seconds as `60s`, anything finer as milliseconds, like the configuration writes it.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }
}

/// Why a login could not be checked against a RADIUS group: a temporary failure, which the
/// client may retry and the log keeps apart from a wrong password.
public enum RADIUSTemporaryFailure: Hashable, Sendable, CustomStringConvertible {
    /// Every server was held down when the transaction began: none was asked.
    case noLiveServer
    /// Each live server was asked `sendsPerServer` times and none answered.
    case noServerAnswered
    /// 256 requests already in flight on the server's socket (`RADIUSIdentifierPool`):
    /// the login is refused as temporary rather than queued.
    case identifiersExhausted(server: RADIUSServer)

    /// The `reason` a log line carries.
    public var description: String {
        switch self {
        case .noLiveServer: "no-live-server"
        case .noServerAnswered: "no-server-answered"
        case .identifiersExhausted: "identifiers-exhausted"
        }
    }
}
