import TOMLKit

/// `[group-policy.NAME]`.
enum GroupPolicySection {
    static func read(name: String, table: TOMLTable, at path: ConfigKeyPath, context: LoadContext)
        throws(ConfigError) -> GroupPolicy {
        let reader = try TableReader<GroupPolicyKey>(table, at: path, context: context)
        var protocols = Set(MailProtocol.allCases)
        if let listed = try reader.strings(.protocols) {
            protocols = []
            for (text, elementPath) in listed {
                guard let mailProtocol = MailProtocol(rawValue: text) else {
                    throw reader.invalid(at: elementPath,
                                         expected: ValueDescription.choices(MailProtocol.allCases.map(\.rawValue)),
                                         got: text)
                }
                guard protocols.insert(mailProtocol).inserted else {
                    throw context.error(.conflict, at: elementPath, "\(ValueDescription.quoted(text)) is listed twice")
                }
            }
        }
        return GroupPolicy(
            name: name,
            simultaneousLogins: try reader.integer(.simultaneousLogins, in: 0...1_000_000, note: " (0 forbids login)")
                ?? GroupPolicy.defaultSimultaneousLogins,
            idleTimeout: try reader.duration(.idleTimeout, allowZero: true) ?? GroupPolicy.defaultIdleTimeout,
            maxSessionTime: try reader.duration(.maxSessionTime, allowZero: true) ?? .zero,
            protocols: protocols)
    }
}
