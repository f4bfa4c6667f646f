/// The whole configuration file, validated. The supervisor sends it to the other roles as
/// JSON; it holds file names of secrets, never secrets.
public struct PosternConfiguration: Codable, Sendable, Equatable {
    public var tls: TLSSettings
    /// In file order.
    public var interfaces: [InterfaceSettings]
    public var serverGroups: [String: ServerGroup]
    public var groupPolicies: [String: GroupPolicy]
    /// Only the sections present in the file.
    public var protocols: [MailProtocol: ProtocolSettings]
    public var admin: AdminSettings
    public var process: ProcessSettings
    public var limits: LimitSettings
    /// The file it was read from.
    public var sourcePath: String

    public init(tls: TLSSettings = TLSSettings(), interfaces: [InterfaceSettings] = [],
                serverGroups: [String: ServerGroup] = [:], groupPolicies: [String: GroupPolicy] = [:],
                protocols: [MailProtocol: ProtocolSettings] = [:], admin: AdminSettings = AdminSettings(),
                process: ProcessSettings = ProcessSettings(), limits: LimitSettings = LimitSettings(),
                sourcePath: String) {
        self.tls = tls
        self.interfaces = interfaces
        self.serverGroups = serverGroups
        self.groupPolicies = groupPolicies
        self.protocols = protocols
        self.admin = admin
        self.process = process
        self.limits = limits
        self.sourcePath = sourcePath
    }

    /// Every enabled proxy on every address of every interface it is enabled on: protocols
    /// in `MailProtocol.allCases` order, then interfaces and addresses in file order.
    public func listeningEndpoints() -> [ListeningEndpoint] {
        var endpoints: [ListeningEndpoint] = []
        for mailProtocol in MailProtocol.allCases {
            guard let settings = protocols[mailProtocol] else { continue }
            for interface in interfaces where settings.enabledInterfaces.contains(interface.name) {
                for address in interface.addresses {
                    endpoints.append(ListeningEndpoint(interface: interface.name, address: address,
                                                       port: settings.port, mailProtocol: mailProtocol))
                }
            }
        }
        return endpoints
    }

    /// The enabled proxies, in `MailProtocol.allCases` order.
    public var enabledProtocols: [MailProtocol] {
        MailProtocol.allCases.filter { protocols[$0]?.isEnabled == true }
    }
}
