/// Who the client is, for a mail host that trusts postern to say so (`forward-client-address`):
/// IMAP `ID ("x-originating-ip" …)`, POP3 and SMTP `XCLIENT ADDR=… PORT=…`.
public struct ForwardedClient: Sendable, Equatable {
    public var address: String
    public var port: UInt16
    /// The session id of postern's log, so the two logs can be joined.
    public var sessionID: String
    /// Who the client is to postern (the VPN user), for a mail host that trusts postern instead
    /// of checking a login of its own: SMTP's XCLIENT LOGIN. Nil or empty: not told.
    public var login: String?

    public init(address: String, port: UInt16, sessionID: String, login: String? = nil) {
        self.address = address
        self.port = port
        self.sessionID = sessionID
        self.login = login
    }
}
