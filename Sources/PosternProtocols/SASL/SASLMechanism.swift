/// The SASL mechanisms postern accepts from clients.
public enum SASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"

    /// The mechanism named `name`, compared case-insensitively (ASCII only), or nil.
    public init?(name: some StringProtocol) {
        self.init(nameBytes: name.utf8)
    }

    init?(nameBytes: some Collection<UInt8>) {
        guard let match = Self.allCases.first(where: { ASCII.equalsIgnoringCase(nameBytes, $0.rawValue) }) else {
            return nil
        }
        self = match
    }
}
