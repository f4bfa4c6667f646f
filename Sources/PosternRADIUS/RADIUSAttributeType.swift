/// The Type field of a RADIUS attribute; the ones postern sends or reads are named.
public struct RADIUSAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let userName = Self(1)
    public static let userPassword = Self(2)
    public static let nasIPAddress = Self(4)
    public static let serviceType = Self(6)
    public static let replyMessage = Self(18)
    public static let `class` = Self(25)
    public static let sessionTimeout = Self(27)
    public static let idleTimeout = Self(28)
    public static let callingStationId = Self(31)
    public static let nasIdentifier = Self(32)
    public static let acctStatusType = Self(40)
    public static let acctInputOctets = Self(42)
    public static let acctOutputOctets = Self(43)
    public static let acctSessionId = Self(44)
    public static let acctSessionTime = Self(46)
    public static let acctTerminateCause = Self(49)
    public static let acctInputGigawords = Self(52)
    public static let acctOutputGigawords = Self(53)
    public static let nasPortType = Self(61)
    public static let messageAuthenticator = Self(80)
    public static let nasIPv6Address = Self(95)

    public var description: String {
        switch self {
        case .userName: "User-Name"
        case .userPassword: "User-Password"
        case .nasIPAddress: "NAS-IP-Address"
        case .serviceType: "Service-Type"
        case .replyMessage: "Reply-Message"
        case .class: "Class"
        case .sessionTimeout: "Session-Timeout"
        case .idleTimeout: "Idle-Timeout"
        case .callingStationId: "Calling-Station-Id"
        case .nasIdentifier: "NAS-Identifier"
        case .acctStatusType: "Acct-Status-Type"
        case .acctInputOctets: "Acct-Input-Octets"
        case .acctOutputOctets: "Acct-Output-Octets"
        case .acctSessionId: "Acct-Session-Id"
        case .acctSessionTime: "Acct-Session-Time"
        case .acctTerminateCause: "Acct-Terminate-Cause"
        case .acctInputGigawords: "Acct-Input-Gigawords"
        case .acctOutputGigawords: "Acct-Output-Gigawords"
        case .nasPortType: "NAS-Port-Type"
        case .messageAuthenticator: "Message-Authenticator"
        case .nasIPv6Address: "NAS-IPv6-Address"
        default: "attribute \(rawValue)"
        }
    }
}

/// Enumerated integer values postern sends.
public enum RADIUSValues {
    /// NAS-Port-Type (61): Virtual.
    public static let nasPortTypeVirtual: UInt32 = 5
    /// Service-Type (6): Login.
    public static let serviceTypeLogin: UInt32 = 1
    /// Acct-Status-Type (40).
    public static let acctStatusStart: UInt32 = 1
    public static let acctStatusStop: UInt32 = 2
    /// Acct-Terminate-Cause (49), the ones a proxy session ends with.
    public static let terminateUserRequest: UInt32 = 1
    public static let terminateLostCarrier: UInt32 = 2
    public static let terminateLostService: UInt32 = 3
    public static let terminateIdleTimeout: UInt32 = 4
    public static let terminateSessionTimeout: UInt32 = 5
    public static let terminateAdminReset: UInt32 = 6
    public static let terminateNASError: UInt32 = 9
    public static let terminateNASReboot: UInt32 = 11
}
