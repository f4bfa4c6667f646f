import PosternConfig
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// An `ldap` server group (SPEC §2, §3): finds the user with `user-filter` as the service
/// account, binds as the found entry with the user's password, and reads the user's groups
/// (`memberOf`, else a search for groups naming the user). Servers are tried in order with
/// `timeout` and `retries`; one that does not answer is skipped for `dead-time`. libldap's
/// calls block, so every method runs on authd's worker threads; the groups' health is shared
/// under a lock.
final class LDAPDirectory: @unchecked Sendable {
    enum Verdict: Sendable {
        case found(groups: [String], server: String)
        /// The directory answered no: unknown user, wrong password, ambiguous filter.
        case rejected(reason: String, server: String)
        /// No server could answer, or the group is misconfigured: a temporary failure.
        case unavailable(reason: String)
    }

    enum Purpose {
        /// Authentication: the user's own bind decides.
        case authenticate(password: String)
        /// Authorization: the service account's search alone.
        case lookUp
    }

    private let lock = Lock()
    private var health: [String: ServerGroupState] = [:]
    private let origin = ContinuousClock.now
    private let report: @Sendable ([ServerGroupEvent]) -> Void

    init(report: @escaping @Sendable ([ServerGroupEvent]) -> Void) {
        self.report = report
    }

    private var now: Duration { ContinuousClock.now - origin }

    func query(group: ServerGroup, servers: [LDAPServer], secrets: [String: [UInt8]], user: String,
               purpose: Purpose) -> Verdict {
        if case .authenticate(let password) = purpose, password.isEmpty {
            // An empty password is an unauthenticated bind (RFC 4513 §5.1.2), which succeeds.
            return .rejected(reason: "empty password", server: "-")
        }
        let names = servers.map(\.url)
        let timeout = Duration.milliseconds(group.timeout.milliseconds)
        var tried: Set<Int> = []
        var lastFailure = "no live server"
        while true {
            let attempt: ServerAttempt? = lock.withLock {
                if health[group.name]?.servers.map(\.name) != names {
                    health[group.name] = ServerGroupState(name: group.name, serverNames: names, timeout: timeout,
                                                          retries: group.retries,
                                                          deadTime: .milliseconds(group.deadTime.milliseconds))
                }
                return health[group.name]!.plan(now: now, excluding: tried)
            }
            guard let attempt else {
                return .unavailable(reason: "no server of group \(group.name) answered (\(lastFailure))")
            }
            tried.insert(attempt.server.index)
            let server = servers[attempt.server.index]
            // The first try and `retries` more, then the server is held down and the next asked.
            for _ in 0...max(0, group.retries) {
                do {
                    let verdict = try ask(server, group: group, secrets: secrets, user: user, purpose: purpose,
                                          timeout: timeout)
                    mark(group.name, names) { $0.markAlive(attempt.server) }
                    return verdict
                } catch {
                    switch error {
                    case .refused(_, let detail):
                        mark(group.name, names) { $0.markAlive(attempt.server) }
                        return .unavailable(reason: "LDAP server \(server.url): \(detail)")
                    case .unreachable(_, let detail):
                        lastFailure = "\(server.url): \(detail)"
                    }
                }
            }
            mark(group.name, names) { [now] in $0.markDead(attempt.server, now: now) }
        }
    }

    /// Applies `change` to the group's health, unless a reload changed its servers meanwhile
    /// (then the attempt's server index means another server, or none).
    private func mark(_ group: String, _ names: [String], _ change: (inout ServerGroupState) -> [ServerGroupEvent]) {
        let events = lock.withLock { () -> [ServerGroupEvent] in
            guard var state = health[group], state.servers.map(\.name) == names else { return [] }
            let events = change(&state)
            health[group] = state
            return events
        }
        if !events.isEmpty { report(events) }
    }

    private func ask(_ server: LDAPServer, group: ServerGroup, secrets: [String: [UInt8]], user: String,
                     purpose: Purpose, timeout: Duration) throws(LDAPFailure) -> Verdict {
        let connection = try LDAPConnection(server: server, timeout: timeout)
        if let bindDN = server.bindDN {
            guard let password = server.bindPasswordFile.flatMap({ secrets[$0] }) else {
                throw .refused(server: server.url, detail: "no password for bind-dn \(bindDN) from bind-password-file")
            }
            guard try connection.bind(dn: bindDN, password: password) else {
                throw .refused(server: server.url, detail: "the service account \(bindDN) was refused (wrong bind-password-file?)")
            }
        }
        let filter = LDAPFilter.userFilter(server.userFilter, username: user)
        let found = try connection.search(base: server.baseDN, filter: filter, attributes: ["memberOf"], limit: 2)
        guard let entry = found.first else {
            return .rejected(reason: "unknown user", server: server.url)
        }
        guard found.count == 1 else {
            return .rejected(reason: "user-filter matches more than one entry", server: server.url)
        }
        var groups = entry.attributes["memberOf"] ?? []
        if groups.isEmpty, case .ldap(_, let map) = group.backend, !map.isEmpty {
            // No memberOf overlay: the groups that name the user, read as the service account.
            let dn = LDAPFilter.escape(entry.dn)
            let member = "(|(member=\(dn))(uniqueMember=\(dn))(memberUid=\(LDAPFilter.escape(user))))"
            groups = try connection.search(base: server.baseDN, filter: member, attributes: ["1.1"], limit: 0).map(\.dn)
        }
        if case .authenticate(let password) = purpose {
            guard try connection.bind(dn: entry.dn, password: Array(password.utf8)) else {
                return .rejected(reason: "wrong password", server: server.url)
            }
        }
        return .found(groups: groups, server: server.url)
    }
}
