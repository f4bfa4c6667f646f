/// `[aaa-server-group.NAME]`: servers of one AAA protocol, tried in order.
public struct ServerGroup: Codable, Sendable, Equatable {
    public var name: String
    /// Per try (radius, ldap).
    public var timeout: ConfigDuration
    /// Tries per server after the first (radius, ldap), then the next server.
    public var retries: Int
    /// How long a server that stopped answering is skipped (radius, ldap).
    public var deadTime: ConfigDuration
    /// Refuse Access replies without Message-Authenticator (radius). False accepts them on the
    /// strength of the Response Authenticator alone, for servers that do not sign (FreeRADIUS
    /// before 3.2.5 unless told to), and is warned about at every load.
    public var requireMessageAuthenticator: Bool
    public var backend: Backend

    public enum Backend: Codable, Sendable, Equatable {
        case radius(servers: [RadiusServer])
        /// `groupMap`: LDAP group DN → group policy name.
        case ldap(servers: [LDAPServer], groupMap: [String: String])
        /// `usersFile`: lines `name:crypt(3)-hash[:group-policy]`.
        case local(usersFile: String)
    }

    public init(name: String, timeout: ConfigDuration = ServerGroup.defaultTimeout,
                retries: Int = ServerGroup.defaultRetries, deadTime: ConfigDuration = ServerGroup.defaultDeadTime,
                requireMessageAuthenticator: Bool = true, backend: Backend) {
        self.name = name
        self.timeout = timeout
        self.retries = retries
        self.deadTime = deadTime
        self.requireMessageAuthenticator = requireMessageAuthenticator
        self.backend = backend
    }

    public static let defaultTimeout = ConfigDuration.seconds(5)
    public static let defaultRetries = 2
    public static let defaultDeadTime = ConfigDuration.seconds(60)

    public var aaaProtocol: AAAProtocol {
        switch backend {
        case .radius: .radius
        case .ldap: .ldap
        case .local: .local
        }
    }
}

public enum AAAProtocol: String, Codable, Sendable, CaseIterable {
    case radius
    case ldap
    case local
}

/// `[[aaa-server-group.NAME.server]]` of a radius group.
public struct RadiusServer: Codable, Sendable, Equatable {
    /// DNS name or IP address, without port.
    public var host: String
    public var authPort: UInt16
    public var acctPort: UInt16
    /// File holding the shared secret.
    public var secretFile: String

    public init(host: String, authPort: UInt16 = 1812, acctPort: UInt16 = 1813, secretFile: String) {
        self.host = host
        self.authPort = authPort
        self.acctPort = acctPort
        self.secretFile = secretFile
    }
}

/// `[[aaa-server-group.NAME.server]]` of an ldap group.
public struct LDAPServer: Codable, Sendable, Equatable {
    /// As written, `ldap://host[:port]` or `ldaps://host[:port]`.
    public var url: String
    /// `ldaps://`: TLS from the first byte.
    public var implicitTLS: Bool
    /// `url` parsed; the port defaults to 389 (ldap) or 636 (ldaps).
    public var endpoint: MailHost
    public var baseDN: String
    /// Service account for searches; anonymous search without it.
    public var bindDN: String?
    public var bindPasswordFile: String?
    /// Search filter; `%u` stands for the escaped VPN username.
    public var userFilter: String
    /// StartTLS on an `ldap://` connection.
    public var startTLS: Bool
    /// CA bundle to verify the server; the system's when absent.
    public var caFile: String?

    public init(url: String, implicitTLS: Bool, endpoint: MailHost, baseDN: String, bindDN: String? = nil,
                bindPasswordFile: String? = nil, userFilter: String = LDAPServer.defaultUserFilter,
                startTLS: Bool = false, caFile: String? = nil) {
        self.url = url
        self.implicitTLS = implicitTLS
        self.endpoint = endpoint
        self.baseDN = baseDN
        self.bindDN = bindDN
        self.bindPasswordFile = bindPasswordFile
        self.userFilter = userFilter
        self.startTLS = startTLS
        self.caFile = caFile
    }

    public static let defaultUserFilter = "(uid=%u)"
}
