import PosternCore

/// The allowlist each role runs under, from the text embedded at build time: `runtime.policy`
/// (what every Swift, NIO and dispatch process needs) followed by the role's own file (its
/// powers). This is the one place the two are joined.
public enum RolePolicies {
    /// The name of the part every role's filter starts with.
    static let runtime = "runtime"

    public static func policy(for role: Role) throws(SeccompPolicy.ParseError) -> SeccompPolicy {
        let own = try combined(role)
        guard role == .supervisor else { return own }
        // Filters stack across fork+exec: the supervisor's must let through what its children need.
        var merged = own
        for child in [Role.listener, .authd, .relay] {
            merged = merged.covering(try combined(child))
        }
        return merged
    }

    /// `runtime.policy` followed by `ROLE.policy`; a rule in both is an error.
    static func combined(_ role: Role) throws(SeccompPolicy.ParseError) -> SeccompPolicy {
        try file(role.rawValue).following(file(runtime))
    }

    /// One embedded policy file, parsed on its own.
    static func file(_ name: String) throws(SeccompPolicy.ParseError) -> SeccompPolicy {
        guard let text = EmbeddedPolicies.text[name] else {
            throw SeccompPolicy.ParseError(file: name, line: 0, problem: "not built in: run scripts/embed-policies.sh")
        }
        return try SeccompPolicy(role: name, text: text)
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
