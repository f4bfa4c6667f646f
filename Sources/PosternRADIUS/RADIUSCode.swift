/// The Code field of a RADIUS packet (RFC 2865 §3, RFC 2866 §3).
public struct RADIUSCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let accessRequest = RADIUSCode(rawValue: 1)
    public static let accessAccept = RADIUSCode(rawValue: 2)
    public static let accessReject = RADIUSCode(rawValue: 3)
    public static let accountingRequest = RADIUSCode(rawValue: 4)
    public static let accountingResponse = RADIUSCode(rawValue: 5)
    public static let accessChallenge = RADIUSCode(rawValue: 11)
    /// RFC 5997: "are you alive?", answered with Access-Accept (auth port) or
    /// Accounting-Response (accounting port).
    public static let statusServer = RADIUSCode(rawValue: 12)

    public var description: String {
        switch self {
        case .accessRequest: "Access-Request"
        case .accessAccept: "Access-Accept"
        case .accessReject: "Access-Reject"
        case .accountingRequest: "Accounting-Request"
        case .accountingResponse: "Accounting-Response"
        case .accessChallenge: "Access-Challenge"
        case .statusServer: "Status-Server"
        default: "code \(rawValue)"
        }
    }

    /// The replies a server may send to a request of this code.
    var acceptableReplies: Set<RADIUSCode> {
        switch self {
        case .accessRequest: [.accessAccept, .accessReject, .accessChallenge]
        case .accountingRequest: [.accountingResponse]
        case .statusServer: [.accessAccept, .accountingResponse]
        default: []
        }
    }
}
