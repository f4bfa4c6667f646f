/// `authorization-dn-attributes`: which parts of a certificate subject make the VPN
/// username.
public enum DNUsernameSource: Codable, Sendable, Equatable {
    /// The whole subject in RFC 4514 form (`["entire-dn"]`).
    case entireDN
    /// The primary field's value, then a space and the secondary's when set.
    case fields(primary: DNField, secondary: DNField?)

    /// CN, then OU.
    public static let `default` = DNUsernameSource.fields(primary: .cn, secondary: .ou)
}

/// The subject fields a username can be taken from (SPEC §3).
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
}
