/// `[[interface]]`: a named set of listening addresses. Proxies are enabled per interface.
public struct InterfaceSettings: Codable, Sendable, Equatable {
    public var name: String
    /// IPv4 or IPv6 literals, as written in the file.
    public var addresses: [String]
    /// No e-mail proxy may be enabled on it.
    public var managementOnly: Bool

    public init(name: String, addresses: [String], managementOnly: Bool = false) {
        self.name = name
        self.addresses = addresses
        self.managementOnly = managementOnly
    }
}
