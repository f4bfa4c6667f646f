/// The LDAP search filter for a user (SPEC §2 `user-filter`, e.g. `(uid=%u)`), with the
/// username escaped per RFC 4515 §3 so that a name like `*)(uid=*` matches itself and nothing
/// else: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`. Other characters,
/// UTF-8 included, stand for themselves.
public enum LDAPFilter {
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": out += "\\2a"
            case "(": out += "\\28"
            case ")": out += "\\29"
            case "\\": out += "\\5c"
            case "\u{0}": out += "\\00"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `template` with every `%u` replaced by the escaped username.
    public static func userFilter(_ template: String, username: String) -> String {
        template.replacing("%u", with: escape(username))
    }
}
