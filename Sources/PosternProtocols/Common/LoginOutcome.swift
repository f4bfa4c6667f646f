/// What became of a login the pre-authentication dialogue asked for (AAA and the relay's
/// login to the mail host together).
public enum LoginOutcome: Sendable, Equatable {
    /// The session is authenticated; the relay sends the mail host's reply to the client.
    case success
    /// The credentials were refused; the client may try again, up to a limit.
    case failure
    /// Something on our side (AAA server, mail host) was unavailable; the client may retry later.
    case temporaryFailure
}
