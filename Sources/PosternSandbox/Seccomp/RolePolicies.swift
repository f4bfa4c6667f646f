import PosternCore

/// The allowlist each role runs under, from the text embedded at build time.
public enum RolePolicies {
    public static func policy(for role: Role) throws(SeccompPolicy.ParseError) -> SeccompPolicy {
        let own = try SeccompPolicy(role: role.rawValue, text: EmbeddedPolicies.text[role.rawValue] ?? "")
        guard role == .supervisor else { return own }
        // Filters stack across fork+exec: the supervisor's must let through what its children need.
        var merged = own
        for child in [Role.listener, .authd, .relay] {
            merged = merged.covering(try SeccompPolicy(role: child.rawValue, text: EmbeddedPolicies.text[child.rawValue] ?? ""))
        }
        return merged
    }

    /// Installs the role's filter: the last thing a role does before it starts threads or reads
    /// its channel.
    public static func confine(_ role: Role, mode: SeccompFilter.Mode) throws(SeccompFilter.Failure) {
        let policy: SeccompPolicy
        do {
            policy = try self.policy(for: role)
        } catch {
            throw SeccompFilter.Failure(description: error.description)
        }
        try SeccompFilter.install(policy, mode: mode)
    }
}
