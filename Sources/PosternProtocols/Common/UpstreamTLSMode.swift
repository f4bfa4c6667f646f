/// How the relay protects its connection to a mail host.
public enum UpstreamTLSMode: String, Sendable, Codable, CaseIterable {
    /// Plaintext (a mail host on a trusted network).
    case none
    /// Plaintext greeting, then the protocol's STARTTLS command.
    case starttls
    /// TLS from the first byte.
    case implicit
}
