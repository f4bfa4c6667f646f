import PosternCore
/// `[imap4s]`, `[pop3s]`, `[smtps]`: one e-mail proxy.
public struct ProtocolSettings: Codable, Sendable, Equatable {
    public var mailProtocol: MailProtocol
    /// Interface names it listens on, in `[[interface]]` order; `["*"]` already expanded to
    /// every interface not management-only. Empty: the proxy is off.
    public var enabledInterfaces: [String]
    public var port: UInt16
    /// The default mail host.
    public var server: MailHost
    /// Hosts a user may name after the server separator; `[server]` when not configured.
    public var allowedServers: [MailHost]
    public var upstreamTLS: UpstreamTLS
    /// CA bundle to verify mail hosts; the system's when absent.
    public var upstreamCA: String?
    /// Every listed method must succeed, in this order.
    public var authentication: [AuthenticationMethod]
    public var authenticationServerGroup: String?
    public var authorizationServerGroup: String?
    public var authorizationRequired: Bool
    public var accountingServerGroup: String?
    public var defaultGroupPolicy: String?
    /// How a client certificate's subject becomes the VPN username.
    public var authorizationDNAttributes: DNUsernameSource
    /// One character between the VPN and the mail username (and passwords).
    public var nameSeparator: String
    /// One character before a server name in the username.
    public var serverSeparator: String
    /// Bound on unauthenticated plus authenticating sessions; 0: no limit.
    public var outstanding: Int
    /// Of those, at most this many from one client address; 0: no limit.
    public var outstandingPerAddress: Int
    /// A session not authenticated by then is closed, whatever it sends.
    public var preauthMaxTime: ConfigDuration
    public var forwardClientAddress: Bool
    /// SMTPS only: the extensions EHLO offers before the mail host is known.
    public var advertise: [String]
    /// `server-names`, lower case: a TLS SNI the client sends must be one of these. Empty: any.
    public var serverNames: [String] = []

    public var isEnabled: Bool { !enabledInterfaces.isEmpty }

    public init(mailProtocol: MailProtocol, enabledInterfaces: [String] = [], port: UInt16? = nil,
                server: MailHost, allowedServers: [MailHost]? = nil, upstreamTLS: UpstreamTLS = .none,
                upstreamCA: String? = nil, authentication: [AuthenticationMethod] = [.aaa],
                authenticationServerGroup: String? = nil, authorizationServerGroup: String? = nil,
                authorizationRequired: Bool = false, accountingServerGroup: String? = nil,
                defaultGroupPolicy: String? = nil, authorizationDNAttributes: DNUsernameSource = .default,
                nameSeparator: String = ProtocolSettings.defaultNameSeparator,
                serverSeparator: String = ProtocolSettings.defaultServerSeparator,
                outstanding: Int = ProtocolSettings.defaultOutstanding,
                outstandingPerAddress: Int = ProtocolSettings.defaultOutstandingPerAddress,
                preauthMaxTime: ConfigDuration = ProtocolSettings.defaultPreauthMaxTime, forwardClientAddress: Bool = false,
                advertise: [String] = ProtocolSettings.defaultAdvertise) {
        self.mailProtocol = mailProtocol
        self.enabledInterfaces = enabledInterfaces
        self.port = port ?? mailProtocol.defaultPort
        self.server = server
        self.allowedServers = allowedServers ?? [server]
        self.upstreamTLS = upstreamTLS
        self.upstreamCA = upstreamCA
        self.authentication = authentication
        self.authenticationServerGroup = authenticationServerGroup
        self.authorizationServerGroup = authorizationServerGroup
        self.authorizationRequired = authorizationRequired
        self.accountingServerGroup = accountingServerGroup
        self.defaultGroupPolicy = defaultGroupPolicy
        self.authorizationDNAttributes = authorizationDNAttributes
        self.nameSeparator = nameSeparator
        self.serverSeparator = serverSeparator
        self.outstanding = outstanding
        self.outstandingPerAddress = outstandingPerAddress
        self.preauthMaxTime = preauthMaxTime
        self.forwardClientAddress = forwardClientAddress
        self.advertise = advertise
    }

    /// Safe to promise for any mail host behind postern.
    public static let defaultAdvertise = ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"]
    /// Extensions postern itself decides about, never taken from `advertise`.
    public static let reservedExtensions: Set<String> = ["AUTH", "STARTTLS", "XCLIENT", "XFORWARD", "CHUNKING", "BDAT"]

    public static let defaultNameSeparator = ":"
    public static let defaultServerSeparator = "@"
    public static let defaultOutstanding = 20
    public static let defaultOutstandingPerAddress = 5
    public static let defaultPreauthMaxTime = ConfigDuration.seconds(60)
    /// The characters a separator may be: punctuation that cannot occur in a host name
    /// and needs no quoting in IMAP.
    public static let separatorCharacters: Set<Character> = [
        "!", "#", "$", "%", "&", "*", "+", ",", "/", ":", ";", "=", "?", "@", "^", "|", "~",
    ]
}

/// How the relay reaches the mail host.
public enum UpstreamTLS: String, Codable, Sendable, CaseIterable {
    case none
    case starttls
    case implicit
}

public enum AuthenticationMethod: String, Codable, Sendable, CaseIterable {
    /// VPN user and password against `authentication-server-group`.
    case aaa
    /// A client certificate chained to `client-ca`.
    case certificate
    /// A live HTTPS portal session from the same client address.
    case piggyback
    /// The mail host checks the mail credentials.
    case mailhost
}
