/// Every key the configuration file knows, one enum per kind of table: the single place a
/// key is spelled. A key outside its table's enum is an "unknown key" error.
protocol ConfigKey: RawRepresentable<String>, CaseIterable, Hashable, Sendable {}

enum TopLevelKey: String, ConfigKey {
    case tls
    case interface
    case aaaServerGroup = "aaa-server-group"
    case groupPolicy = "group-policy"
    case imap4s, pop3s, smtps
    case admin
    case process
    case limits
    case portal
}

enum TLSKey: String, ConfigKey {
    case certificate
    case privateKey = "private-key"
    case minVersion = "min-version"
    case ciphers
    case clientCA = "client-ca"
    case crl
    case verifyDepth = "verify-depth"
}

enum InterfaceKey: String, ConfigKey {
    case name
    case addresses
    case managementOnly = "management-only"
}

enum ServerGroupKey: String, ConfigKey {
    case `protocol`
    case timeout
    case retries
    case deadTime = "dead-time"
    case server
    case groupMap = "group-map"
    case usersFile = "users-file"
    case requireMessageAuthenticator = "require-message-authenticator"

    /// Which keys each AAA protocol takes (besides `protocol`).
    static func allowed(for aaaProtocol: AAAProtocol) -> Set<ServerGroupKey> {
        switch aaaProtocol {
        case .radius: [.protocol, .timeout, .retries, .deadTime, .server, .requireMessageAuthenticator]
        case .ldap: [.protocol, .timeout, .retries, .deadTime, .server, .groupMap]
        case .local: [.protocol, .usersFile]
        }
    }
}

enum RadiusServerKey: String, ConfigKey {
    case host
    case authPort = "auth-port"
    case acctPort = "acct-port"
    case secretFile = "secret-file"
}

enum LDAPServerKey: String, ConfigKey {
    case url
    case baseDN = "base-dn"
    case bindDN = "bind-dn"
    case bindPasswordFile = "bind-password-file"
    case userFilter = "user-filter"
    case startTLS = "start-tls"
    case caFile = "ca-file"
}

enum GroupPolicyKey: String, ConfigKey {
    case simultaneousLogins = "simultaneous-logins"
    case idleTimeout = "idle-timeout"
    case maxSessionTime = "max-session-time"
    case protocols
}

enum ProtocolKey: String, ConfigKey {
    case enable
    case port
    case server
    case allowedServers = "allowed-servers"
    case upstreamTLS = "upstream-tls"
    case upstreamCA = "upstream-ca"
    case authentication
    case authenticationServerGroup = "authentication-server-group"
    case authorizationServerGroup = "authorization-server-group"
    case authorizationRequired = "authorization-required"
    case accountingServerGroup = "accounting-server-group"
    case defaultGroupPolicy = "default-group-policy"
    case authorizationDNAttributes = "authorization-dn-attributes"
    case nameSeparator = "name-separator"
    case serverSeparator = "server-separator"
    case outstanding
    case outstandingPerAddress = "outstanding-per-address"
    case preauthMaxTime = "preauth-max-time"
    case forwardClientAddress = "forward-client-address"
    case advertise
    case serverNames = "server-names"
}

enum AdminKey: String, ConfigKey {
    case socket
    case group
}

enum ProcessKey: String, ConfigKey {
    case relayProcesses = "relay-processes"
    case seccomp
}

enum LimitsKey: String, ConfigKey {
    case handshakeTimeout = "handshake-timeout"
    case preauthIdleTimeout = "preauth-idle-timeout"
    case authenticationTimeout = "authentication-timeout"
    case maxLineLength = "max-line-length"
    case maxLiteralSize = "max-literal-size"
    case maxFailedAttempts = "max-failed-attempts"
}

/// `[portal]` belongs to the HTTPS portal, which this version does not have yet: it has
/// no keys, so every key in it is unknown.
struct PortalKey: ConfigKey {
    let rawValue: String

    init?(rawValue: String) { nil }

    static var allCases: [PortalKey] { [] }
}
