/// What became of a login the pre-authentication dialogue asked for (AAA and the relay's
/// login to the mail host together).
public enum LoginOutcome: Sendable, Equatable {
    /// The session is authenticated; the relay sends the mail host's reply to the client.
    case success
    /// The credentials were refused; the client may try again, up to a limit.
    case failure
    /// Something on our side (AAA server, mail host) was unavailable; the client may retry later.
    case temporaryFailure
    /// The mail host refused the login with this reply (one line, already made safe to show).
    /// POP3 and SMTP pass it on, so a client sees e.g. a locked maildrop's `-ERR [IN-USE]`;
    /// IMAP answers as for `failure`.
    case refusedByMailHost(reply: String)
}
