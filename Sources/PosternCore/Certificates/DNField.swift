/// The subject fields a username can be taken from (SPEC §3): the appliance's sixteen, by its
/// names, and the UPN of subjectAltName.
public enum DNField: String, Codable, Sendable, CaseIterable {
    case c = "C"
    case cn = "CN"
    case dnq = "DNQ"
    case ea = "EA"
    case genq = "GENQ"
    case gn = "GN"
    case i = "I"
    case l = "L"
    case n = "N"
    case o = "O"
    case ou = "OU"
    case ser = "SER"
    case sn = "SN"
    /// State or province.
    case sp = "SP"
    case t = "T"
    case uid = "UID"
    /// The Microsoft UPN otherName of subjectAltName; not a subject attribute.
    case upn = "UPN"

    /// The attribute's object identifier, dotted: the subject attribute's type, or for UPN the
    /// otherName's type-id.
    public var oid: String {
        switch self {
        case .c: "2.5.4.6"
        case .cn: "2.5.4.3"
        case .dnq: "2.5.4.46"
        case .ea: "1.2.840.113549.1.9.1"
        case .genq: "2.5.4.44"
        case .gn: "2.5.4.42"
        case .i: "2.5.4.43"
        case .l: "2.5.4.7"
        case .n: "2.5.4.41"
        case .o: "2.5.4.10"
        case .ou: "2.5.4.11"
        case .ser: "2.5.4.5"
        case .sn: "2.5.4.4"
        case .sp: "2.5.4.8"
        case .t: "2.5.4.12"
        case .uid: "0.9.2342.19200300.100.1.1"
        case .upn: "1.3.6.1.4.1.311.20.2.3"
        }
    }

    /// Whether the field is read from the subject (all but UPN).
    public var isSubjectAttribute: Bool { self != .upn }
}
