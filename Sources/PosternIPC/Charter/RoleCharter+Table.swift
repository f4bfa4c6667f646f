import PosternCore

extension RoleCharter {
    /// The roles table of docs/architecture.md, rendered from the charter (a unit test keeps the
    /// two the same, so the document cannot drift from what the code enforces).
    public static func markdownTable() -> String {
        var lines = [
            "| role | user | capabilities | material | seccomp | holds | channels: accepts | may not |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for charter in all {
            let capabilities = charter.capabilities.isEmpty ? "none"
                : charter.capabilities.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            let material = charter.material.isEmpty ? "none" : charter.material.map { "`\($0.name)`" }.joined(separator: ", ")
            let seccomp = charter.seccompFiles.map { "`\($0).policy`" }.joined(separator: " + ")
            let channels = charter.accepts.keys.sorted { $0.wireValue < $1.wireValue }.map { peer in
                let kinds = charter.accepts[peer, default: []].subtracting([.hello]).sorted().map { "`\($0.name)`" }
                return "\(peer.rawValue): " + kinds.joined(separator: ", ")
            }.joined(separator: "; ")
            let name = charter.role == .relay ? "relay ×N" : charter.role.rawValue
            lines.append("| \(name) | `\(charter.user)` | \(capabilities) | \(material) | \(seccomp) | \(charter.holds) | "
                         + "\(channels) | \(charter.mayNot) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension MaterialKind {
    public var name: String {
        switch self {
        case .configuration: "configuration"
        case .tlsIdentity: "tls-identity"
        case .upstreamTrust: "upstream-trust"
        case .secret: "secret"
        case .grantKey: "grant-key"
        }
    }
}
