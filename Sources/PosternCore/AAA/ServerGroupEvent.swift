/// What a server group reports for the log: a server given up on, or back. authd writes
/// `name` as the event and `fields` after it.
public enum ServerGroupEvent: Hashable, Sendable {
    case serverDead(group: String, server: AAAServer, deadTime: Duration)
    case serverAlive(group: String, server: AAAServer)

    /// The log event it is written as.
    public var logEvent: LogEvent {
        switch self {
        case .serverDead: .serverDead
        case .serverAlive: .serverAlive
        }
    }

    /// The log event name.
    public var name: String { logEvent.rawValue }

    public var fields: [(String, LogValue)] {
        switch self {
        case let .serverDead(group, server, deadTime):
            [("group", LogValue(group)), ("name", LogValue(server.name)),
             ("dead-time", LogValue(ServerGroupEvent.format(deadTime)))]
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

extension EventLogger {
    /// One line for a server given up on or back, as every AAA client of authd writes it.
    public func log(_ event: ServerGroupEvent) {
        log(event.logEvent, fields: event.fields)
    }
}
