import PosternCore
import PosternIPC

/// The allowlist each role runs under, from the text embedded at build time: the files its
/// charter names, `runtime.policy` (what every Swift, NIO and dispatch process needs) followed
/// by the role's own file (its powers). This is the one place they are joined.
public enum RolePolicies {
    /// The name of the part every role's filter starts with.
    static let runtime = "runtime"

    public static func policy(for role: Role) throws(SeccompPolicy.ParseError) -> SeccompPolicy {
        let own = try combined(role)
        guard role == .supervisor else { return own }
        // Filters stack across fork+exec: the supervisor's must let through what its children need.
        var merged = own
        for child in RoleCharter.supervisor.peers {
            merged = merged.covering(try combined(child))
        }
        return merged
    }

    /// The charter's files in order (`runtime.policy`, then `ROLE.policy`); a rule in two is an error.
    static func combined(_ role: Role) throws(SeccompPolicy.ParseError) -> SeccompPolicy {
        var files = RoleCharter.of(role).seccompFiles[...]
        guard let first = files.popFirst() else { return try file(role.rawValue) }
        var policy = try file(first)
        for name in files { policy = try file(name).following(policy) }
        return policy
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
    public static func confine(_ charter: RoleCharter, mode: SeccompFilter.Mode) throws(SeccompFilter.Failure) {
        let policy: SeccompPolicy
        do {
            policy = try self.policy(for: charter.role)
        } catch {
            throw SeccompFilter.Failure(description: error.description)
        }
        try SeccompFilter.install(policy, mode: mode)
    }
}
