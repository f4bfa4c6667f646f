/// Where a session's group policy came from, for the authorization log line.
public enum PolicySource: String, Sendable, Codable {
    case radiusClass = "radius-class"
    case ldapGroup = "ldap-group"
    case localFile = "local-file"
    case protocolDefault = "default-group-policy"
}

public enum PolicyResolution: Sendable, Equatable {
    case policy(name: String, source: PolicySource)
    /// The session is refused; the reason goes to the log.
    case refused(reason: String)
}

/// SPEC §3: the AAA-provided policy, else the protocol's default group policy, else refuse.
public enum GroupPolicyResolver {
    public static func resolve(fromAAA: (name: String, source: PolicySource)?, protocolDefault: String?,
                               known: (String) -> Bool) -> PolicyResolution {
        if let aaa = fromAAA {
            if known(aaa.name) { return .policy(name: aaa.name, source: aaa.source) }
            if protocolDefault == nil {
                return .refused(reason: "group policy \(aaa.name) from \(aaa.source.rawValue) is not configured and there is no default-group-policy")
            }
        }
        if let fallback = protocolDefault {
            if known(fallback) { return .policy(name: fallback, source: .protocolDefault) }
            return .refused(reason: "default-group-policy \(fallback) is not configured")
        }
        return .refused(reason: "no group policy from AAA and no default-group-policy")
    }
}
