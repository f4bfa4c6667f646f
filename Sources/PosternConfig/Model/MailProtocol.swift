/// The three e-mail proxies, named as their configuration sections are.
public enum MailProtocol: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    case imap4s
    case pop3s
    case smtps

    /// Where the proxy listens (implicit TLS) unless `port` says otherwise.
    public var defaultPort: UInt16 {
        switch self {
        case .imap4s: 993
        case .pop3s: 995
        case .smtps: 988
        }
    }

    /// The mail host's port when `server` or an `allowed-servers` entry names none.
    public var defaultUpstreamPort: UInt16 {
        switch self {
        case .imap4s: 143
        case .pop3s: 110
        case .smtps: 25
        }
    }

    /// The ALPN id (IANA's registry) a client offering ALPN must offer (ALPACA, SPEC §4).
    public var applicationProtocolID: String {
        switch self {
        case .imap4s: "imap"
        case .pop3s: "pop3"
        case .smtps: "smtp"
        }
    }
}
