import PosternCore

/// Why a login could not be checked against a RADIUS group: a temporary failure, which the
/// client may retry and the log keeps apart from a wrong password.
public enum RADIUSTemporaryFailure: Hashable, Sendable, CustomStringConvertible {
    /// Every server was held down when the transaction began: none was asked.
    case noLiveServer
    /// Each live server was asked `sendsPerServer` times and none answered.
    case noServerAnswered
    /// Every identifier of every socket the server may have is in flight (`RADIUSSocketPool`,
    /// 16 × 256): the login is refused as temporary rather than queued.
    case identifiersExhausted(server: AAAServer)

    /// The `reason` a log line carries.
    public var description: String {
        switch self {
        case .noLiveServer: "no-live-server"
        case .noServerAnswered: "no-server-answered"
        case .identifiersExhausted: "identifiers-exhausted"
        }
    }
}
