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
