/// One socket the supervisor binds: a proxy on one address of one interface.
public struct ListeningEndpoint: Codable, Sendable, Hashable {
    public var interface: String
    /// As written in the interface's `addresses`.
    public var address: String
    public var port: UInt16
    public var mailProtocol: MailProtocol

    public init(interface: String, address: String, port: UInt16, mailProtocol: MailProtocol) {
        self.interface = interface
        self.address = address
        self.port = port
        self.mailProtocol = mailProtocol
    }
}
