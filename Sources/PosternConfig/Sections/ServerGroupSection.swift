import TOMLKit

/// `[aaa-server-group.NAME]` with its servers. Group-map targets must be defined group
/// policies, so policies are read first.
enum ServerGroupSection {
    static func read(name: String, table: TOMLTable, at path: ConfigKeyPath, groupPolicies: Set<String>,
                     context: LoadContext) throws(ConfigError) -> ServerGroup {
        let probe = try TableReader<ServerGroupKey>(table, at: path, context: context)
        let expectedProtocol = ValueDescription.choices(AAAProtocol.allCases.map(\.rawValue))
        let aaaProtocol = try probe.required(try probe.choice(.protocol, AAAProtocol.self), .protocol,
                                             expected: expectedProtocol)
        let reader = try TableReader<ServerGroupKey>(
            table, at: path, context: context, allowed: ServerGroupKey.allowed(for: aaaProtocol),
            unknownKeyHint: "not used by a \(aaaProtocol.rawValue) server group; expected one of: "
                + ServerGroupKey.allCases.filter(ServerGroupKey.allowed(for: aaaProtocol).contains)
                    .map(\.rawValue).joined(separator: ", "))

        let backend: ServerGroup.Backend
        switch aaaProtocol {
        case .local:
            let usersFile = try reader.required(try reader.filePath(.usersFile), .usersFile,
                                                expected: "the absolute path of the local user file")
            backend = .local(usersFile: usersFile)
        case .radius:
            var servers: [RadiusServer] = []
            for (serverTable, serverPath) in try serverTables(reader, groupName: name) {
                servers.append(try radiusServer(serverTable, at: serverPath, context: context))
            }
            backend = .radius(servers: servers)
        case .ldap:
            var servers: [LDAPServer] = []
            for (serverTable, serverPath) in try serverTables(reader, groupName: name) {
                servers.append(try ldapServer(serverTable, at: serverPath, context: context))
            }
            backend = .ldap(servers: servers, groupMap: try groupMap(reader, groupPolicies: groupPolicies))
        }
        return ServerGroup(
            name: name,
            timeout: try reader.duration(.timeout, allowZero: false) ?? ServerGroup.defaultTimeout,
            retries: try reader.integer(.retries, in: 0...10) ?? ServerGroup.defaultRetries,
            deadTime: try reader.duration(.deadTime, allowZero: true) ?? ServerGroup.defaultDeadTime,
            requireMessageAuthenticator: try reader.bool(.requireMessageAuthenticator) ?? true,
            backend: backend)
    }

    private static func serverTables(_ reader: TableReader<ServerGroupKey>, groupName: String) throws(ConfigError)
        -> [(table: TOMLTable, path: ConfigKeyPath)] {
        let header = "[[\(reader.keyPath(.server))]]"
        let servers = try reader.tables(.server, expected: "an array of tables (\(header))") ?? []
        if servers.isEmpty { throw reader.missing(.server, expected: "at least one \(header)") }
        return servers
    }

    private static func radiusServer(_ table: TOMLTable, at path: ConfigKeyPath, context: LoadContext)
        throws(ConfigError) -> RadiusServer {
        let reader = try TableReader<RadiusServerKey>(table, at: path, context: context)
        let host = try reader.required(try reader.string(.host), .host, expected: "the RADIUS server's name or address")
        guard isHost(host) else {
            throw reader.invalid(.host, expected: "a host name or IP address without port", got: host)
        }
        return RadiusServer(
            host: host,
            authPort: try reader.port(.authPort) ?? 1812,
            acctPort: try reader.port(.acctPort) ?? 1813,
            secretFile: try reader.required(try reader.filePath(.secretFile), .secretFile,
                                            expected: "the absolute path of the file holding the shared secret"))
    }

    private static func ldapServer(_ table: TOMLTable, at path: ConfigKeyPath, context: LoadContext)
        throws(ConfigError) -> LDAPServer {
        let reader = try TableReader<LDAPServerKey>(table, at: path, context: context)
        let urlExpectation = "an LDAP URL such as \"ldap://host\" or \"ldaps://host:636\""
        let url = try reader.required(try reader.string(.url), .url, expected: urlExpectation)
        guard let (implicitTLS, endpoint) = parseLDAPURL(url) else {
            throw reader.invalid(.url, expected: urlExpectation, got: url)
        }
        let baseDN = try reader.required(try reader.nonEmptyString(.baseDN, expected: "a distinguished name"),
                                         .baseDN, expected: "the search base, a distinguished name")
        let bindDN = try reader.nonEmptyString(.bindDN, expected: "a distinguished name")
        let bindPasswordFile = try reader.filePath(.bindPasswordFile)
        if bindDN != nil && bindPasswordFile == nil {
            throw reader.missing(.bindPasswordFile, expected: "the absolute path of the file holding bind-dn's password")
        }
        if bindDN == nil && bindPasswordFile != nil {
            throw reader.missing(.bindDN, expected: "the distinguished name bind-password-file belongs to")
        }
        let userFilter = try reader.string(.userFilter) ?? LDAPServer.defaultUserFilter
        guard userFilter.contains("%u") else {
            throw reader.invalid(.userFilter, expected: "an LDAP filter containing %u, such as \"(uid=%u)\"",
                                 got: userFilter)
        }
        let explicitStartTLS = try reader.bool(.startTLS)
        if explicitStartTLS == true && implicitTLS {
            throw reader.error(.conflict, .startTLS, "start-tls cannot be used with an ldaps:// URL, which is TLS already")
        }
        // Passwords go to the directory in a simple bind: never in the clear over a network.
        let startTLS = !implicitTLS && explicitStartTLS != false
        if !implicitTLS && !startTLS && IPAddressLiteral(endpoint.host)?.isLoopback != true {
            throw reader.error(.conflict, .startTLS, "start-tls = false would send passwords in the clear to "
                               + "\(endpoint.host); use start-tls or an ldaps:// URL (only a loopback address may go without)")
        }
        return LDAPServer(url: url, implicitTLS: implicitTLS, endpoint: endpoint, baseDN: baseDN, bindDN: bindDN,
                          bindPasswordFile: bindPasswordFile, userFilter: userFilter, startTLS: startTLS,
                          caFile: try reader.filePath(.caFile))
    }

    /// `ldap://host[:port][/]` or `ldaps://…`; the scheme is case-insensitive.
    static func parseLDAPURL(_ url: String) -> (implicitTLS: Bool, endpoint: MailHost)? {
        let lowered = url.lowercased()
        let implicitTLS: Bool
        let rest: Substring
        if lowered.hasPrefix("ldaps://") {
            implicitTLS = true
            rest = url.dropFirst("ldaps://".count)
        } else if lowered.hasPrefix("ldap://") {
            implicitTLS = false
            rest = url.dropFirst("ldap://".count)
        } else {
            return nil
        }
        let hostPort = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard let endpoint = MailHost(parsing: String(hostPort), defaultPort: implicitTLS ? 636 : 389) else { return nil }
        return (implicitTLS, endpoint)
    }

    private static func groupMap(_ reader: TableReader<ServerGroupKey>, groupPolicies: Set<String>) throws(ConfigError)
        -> [String: String] {
        guard let table = try reader.table(.groupMap) else { return [:] }
        var map: [String: String] = [:]
        for dn in table.keys {
            let entryPath = reader.keyPath(.groupMap).appending(dn)
            guard let value = table[dn] else { continue }
            guard let policy = value.string else {
                throw reader.invalid(at: entryPath, expected: "a group policy name", got: value)
            }
            guard groupPolicies.contains(policy) else {
                throw reader.context.error(.undefinedReference, at: entryPath,
                                           "no [group-policy.\(policy)] is defined" + ValueDescription.definedNames(groupPolicies))
            }
            map[dn] = policy
        }
        return map
    }

    static func isHost(_ text: String) -> Bool {
        MailHost.isHostName(Substring(text)) || IPAddressLiteral(text)?.family == .ipv6
    }
}
