/// The four process roles of SPEC §1, as data: who each runs as and which executable carries it.
public enum Role: String, Sendable, Codable, CaseIterable {
    case supervisor
    case listener
    case authd
    case relay

    /// The system user the role runs as when the supervisor starts as root.
    public var user: String {
        switch self {
        case .supervisor: "root"
        case .listener: "postern"
        case .authd: "postern-auth"
        case .relay: "postern-relay"
        }
    }

    /// The executable that carries the role; the listener is the supervisor's own, re-executed.
    public var executable: String {
        switch self {
        case .supervisor, .listener: "postern"
        case .authd: "postern-authd"
        case .relay: "postern-relay"
        }
    }

    public var wireValue: UInt8 {
        switch self {
        case .supervisor: 0
        case .listener: 1
        case .authd: 2
        case .relay: 3
        }
    }

    public init?(wireValue: UInt8) {
        guard let role = Role.allCases.first(where: { $0.wireValue == wireValue }) else { return nil }
        self = role
    }
}

/// Descriptors every child finds at start: its channel to the supervisor.
public enum WellKnownDescriptor {
    public static let supervisorChannel: Int32 = 3
}
