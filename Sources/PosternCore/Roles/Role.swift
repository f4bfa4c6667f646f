/// The four process roles of SPEC §1. What each may be and do is its charter (`RoleCharter`,
/// PosternIPC).
public enum Role: String, Sendable, Codable, CaseIterable {
    case supervisor
    case listener
    case authd
    case relay

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
