/// `[aaa-server-group.NAME.group-map]`: the user's LDAP groups, in the order the directory
/// lists them, mapped to a group policy. DNs compare as RFC 4514 strings do in practice:
/// attribute names and values without regard to case, and spaces around `,`, `+` and `=`
/// ignored, so `CN=Engineering, OU=Groups,dc=example,dc=org` matches the configured
/// `cn=engineering,ou=groups,dc=example,dc=org`. The first group that maps wins.
public struct LDAPGroupMap: Sendable {
    private let policies: [String: String]

    public init(_ map: [String: String]) {
        var normalized: [String: String] = [:]
        for (dn, policy) in map {
            normalized[Self.normalize(dn)] = policy
        }
        policies = normalized
    }

    public var isEmpty: Bool { policies.isEmpty }

    /// The policy of the first of `groups` that the map names, with that group's DN.
    public func policy(forGroups groups: [String]) -> (policy: String, group: String)? {
        for group in groups {
            if let policy = policies[Self.normalize(group)] { return (policy, group) }
        }
        return nil
    }

    static func normalize(_ dn: String) -> String {
        var out = ""
        out.reserveCapacity(dn.utf8.count)
        var pendingSpace = false
        var previous: Character = ","
        var escaped = false
        for character in dn {
            if escaped {
                out.append(contentsOf: character.lowercased())
                escaped = false
                previous = character
                continue
            }
            if character == " " {
                pendingSpace = true
                continue
            }
            let separator = character == "," || character == "+" || character == "="
            if pendingSpace && !separator && !(previous == "," || previous == "+" || previous == "=") {
                out.append(" ")
            }
            pendingSpace = false
            if character == "\\" { escaped = true }
            out.append(contentsOf: character.lowercased())
            previous = character
        }
        return out
    }
}
