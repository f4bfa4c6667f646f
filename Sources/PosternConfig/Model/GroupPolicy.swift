/// `[group-policy.NAME]`: limits applied at login.
public struct GroupPolicy: Codable, Sendable, Equatable {
    public var name: String
    /// Mail sessions of one VPN user across all three proxies; 0 forbids login, as on the
    /// appliance this follows.
    public var simultaneousLogins: Int
    /// Zero: no idle limit.
    public var idleTimeout: ConfigDuration
    /// Zero: unlimited.
    public var maxSessionTime: ConfigDuration
    /// The proxies this policy may use.
    public var protocols: Set<MailProtocol>

    public init(name: String, simultaneousLogins: Int = GroupPolicy.defaultSimultaneousLogins,
                idleTimeout: ConfigDuration = GroupPolicy.defaultIdleTimeout, maxSessionTime: ConfigDuration = .zero,
                protocols: Set<MailProtocol> = Set(MailProtocol.allCases)) {
        self.name = name
        self.simultaneousLogins = simultaneousLogins
        self.idleTimeout = idleTimeout
        self.maxSessionTime = maxSessionTime
        self.protocols = protocols
    }

    public static let defaultSimultaneousLogins = 3
    public static let defaultIdleTimeout = ConfigDuration.minutes(30)
}
