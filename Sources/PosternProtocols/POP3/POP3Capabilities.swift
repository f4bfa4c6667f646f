/// What a POP3 server says it can do in its CAPA reply (RFC 2449), as far as logging in needs it.
struct POP3Capabilities: Sendable, Equatable {
    /// Capability names (the first word of each line), upper-cased.
    private(set) var names: Set<String> = []
    /// The mechanisms of the SASL capability (RFC 5034), upper-cased.
    private(set) var saslMechanisms: Set<String> = []

    /// What a server that refuses CAPA is assumed to offer: RFC 1939's USER and PASS, nothing more.
    static let assumedWithoutCAPA = POP3Capabilities(names: ["USER"])

    init() {}

    private init(names: Set<String>) {
        self.names = names
    }

    /// Adds one line of the CAPA reply (already un-byte-stuffed).
    mutating func add(_ line: ArraySlice<UInt8>) {
        let words = line.split(separator: ASCII.space)
        guard let name = words.first.map(ASCII.uppercasedString) else { return }
        names.insert(name)
        if name == "SASL" {
            saslMechanisms.formUnion(words.dropFirst().map { ASCII.uppercasedString($0) })
        }
    }

    var offersSASLPlain: Bool { saslMechanisms.contains(SASLMechanism.plain.rawValue) }
    var offersXCLIENT: Bool { names.contains("XCLIENT") }
}
