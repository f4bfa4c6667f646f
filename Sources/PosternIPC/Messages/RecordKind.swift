/// The kinds of record, without their fields: the type byte on the wire, the name in the log,
/// and what the role charter's accept sets are made of.
public enum RecordKind: UInt8, Sendable, CaseIterable, Comparable {
    case hello = 1, material, listenSocket, peerChannel, commit, shutdown, channelLost
    case authRequest = 10, authReply, sessionEstablished, sessionEnded, grantReleased, sessionResync
    case relayRequest = 20, relayResult
    case adminQuery = 30, adminReply
    case tableQuery = 40, tableReport

    public var name: String {
        switch self {
        case .hello: "hello"
        case .material: "material"
        case .listenSocket: "listen-socket"
        case .peerChannel: "peer-channel"
        case .commit: "commit"
        case .shutdown: "shutdown"
        case .channelLost: "channel-lost"
        case .authRequest: "auth-request"
        case .authReply: "auth-reply"
        case .sessionEstablished: "session-established"
        case .sessionEnded: "session-ended"
        case .grantReleased: "grant-released"
        case .sessionResync: "session-resync"
        case .relayRequest: "relay-request"
        case .relayResult: "relay-result"
        case .adminQuery: "admin-query"
        case .adminReply: "admin-reply"
        case .tableQuery: "table-query"
        case .tableReport: "table-report"
        }
    }

    /// Which records carry a descriptor; any other record that carries one is refused.
    public var carriesDescriptor: Bool {
        switch self {
        case .listenSocket, .peerChannel, .relayRequest: true
        default: false
        }
    }

    public static func < (a: RecordKind, b: RecordKind) -> Bool { a.rawValue < b.rawValue }
}

extension IPCMessage {
    public var kind: RecordKind {
        switch self {
        case .hello: .hello
        case .material: .material
        case .listenSocket: .listenSocket
        case .peerChannel: .peerChannel
        case .commit: .commit
        case .shutdown: .shutdown
        case .channelLost: .channelLost
        case .authRequest: .authRequest
        case .authReply: .authReply
        case .sessionEstablished: .sessionEstablished
        case .sessionEnded: .sessionEnded
        case .grantReleased: .grantReleased
        case .sessionResync: .sessionResync
        case .relayRequest: .relayRequest
        case .relayResult: .relayResult
        case .adminQuery: .adminQuery
        case .adminReply: .adminReply
        case .tableQuery: .tableQuery
        case .tableReport: .tableReport
        }
    }
}
