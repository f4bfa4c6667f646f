import FuzzSupport
import PosternProtocols

/// What the shared checks need to know of one protocol: the shape of its lines on both sides,
/// how to build its two dialogues, and the listener's own parser to read the relay's login
/// back with. Everything else about the checks is shared by IMAP, POP3 and SMTP.
public protocol MailSyntax {
    associatedtype Listener: PreAuthDialogue
    associatedtype Relay: UpstreamLoginDialogue

    // MARK: What a client reads from the listener

    /// How many lines each reply takes, in order, for lines (without CRLF) that the listener
    /// sent in one write; nil when they are not a run of whole, well-formed replies.
    static func replyLineCounts(_ lines: [[UInt8]]) -> [Int]?
    static func isGreeting(_ reply: ClientReply) -> Bool
    /// A reply that lets the client go on (a continuation, OK, 2xx or 3xx).
    static func isPositive(_ reply: ClientReply) -> Bool
    /// A reply that refuses the login the client sent under `tag`.
    static func isRefusal(_ reply: ClientReply, tag: String) -> Bool
    /// A tag `.authenticate` may carry (IMAP's client tag; "" for POP3 and SMTP).
    static func isTag(_ tag: String) -> Bool

    // MARK: What the mail host reads from the relay

    /// Whether the relay logs in without credentials at all (SMTP to a mail host that trusts postern).
    static var mayOmitCredentials: Bool { get }
    static func makeRelay(_ config: UpstreamConfig) -> Relay
    /// What a command the relay wrote before its login is for.
    static func classify(_ command: [UInt8]) -> RelayCommand
    /// Whether the text of `.succeeded` is the mail host's acceptance of a login.
    static func isSuccess(_ replyText: String) -> Bool
    static func forwardingAccepted(_ relay: Relay) -> Bool
    /// The password as the relay's login writes it, when that differs from the password itself
    /// and its base64 (IMAP's quoted string): an echo of it in a log leaks the password too.
    static func writtenForms(ofPassword password: String) -> [[UInt8]]

    // MARK: Reading the relay's login back

    /// A listener dialogue that, fed `readerPreamble` and then the login the relay wrote, must
    /// read exactly the relay's credentials (built once; each read-back takes a copy).
    static var reader: Listener { get }
    static var readerPreamble: [UInt8] { get }
}

extension MailSyntax {
    public static var mayOmitCredentials: Bool { false }
    public static var readerPreamble: [UInt8] { [] }
    public static func writtenForms(ofPassword _: String) -> [[UInt8]] { [] }
}

/// What a command the relay wrote to the mail host is for, as far as the checks care.
public enum RelayCommand: Equatable, Sendable {
    /// Asks what the mail host offers (CAPABILITY, CAPA, EHLO, HELO).
    case probe
    case startTLS
    /// Tells the mail host who the client is (IMAP ID, XCLIENT).
    case forward
    /// The first command that carries credentials (LOGIN, USER, AUTH), with its tag ("" untagged).
    case login(tag: String)
    case unexpected
}
