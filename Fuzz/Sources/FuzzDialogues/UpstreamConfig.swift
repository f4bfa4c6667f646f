import PosternProtocols

/// How the relay's login to the mail host is set up for one drive, and the values the checks
/// draw it from.
public struct UpstreamConfig: Equatable, Sendable {
    /// What the client gave; also the secret that must appear nowhere but in the login.
    public var credentials: LoginCredentials
    /// False: the relay logs in without credentials (SMTP to a mail host that trusts postern).
    public var authenticates: Bool
    public var useStartTLS: Bool
    public var forward: ForwardedClient?
    public var maxLineLength: Int
    /// The client's EHLO name, which SMTP's relay repeats.
    public var clientName: String

    /// Credentials that take every quoting path: plain, quoted and escaped, 8-bit, a line break
    /// (which only an IMAP literal or a SASL message can carry), and a space. Each protocol adds a long
    /// password past its own limit (IMAP's LITERAL-, POP3's 255-octet command line).
    public static let commonCredentials: [LoginCredentials] = [
        LoginCredentials(username: "alice", password: "secret"),
        LoginCredentials(username: "vpn user", password: #"pa"ss\wd"#),
        LoginCredentials(username: "jürgen", password: "pässwörd"),
        LoginCredentials(username: "bob", password: "two\r\nlines"),
        LoginCredentials(username: "dave", password: "correct horse"),
    ]

    /// IPv4, IPv6, and an address that would break a command line if it went out unchecked.
    static let forwards: [ForwardedClient?] = [
        nil,
        ForwardedClient(address: "192.0.2.7", port: 50123, sessionID: "s7Kq2"),
        ForwardedClient(address: "2001:db8::1", port: 993, sessionID: "s-9 x"),
        ForwardedClient(address: "192.0.2.8\r\nQUIT", port: 1, sessionID: "a\"b"),
    ]

    /// What a client may have called itself: names to repeat, and ones the relay must replace.
    static let clientNames = ["client.example", "[192.0.2.1]", "", "two words", "x\r\nMAIL FROM:<>"]
}
