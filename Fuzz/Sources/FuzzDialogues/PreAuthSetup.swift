/// One way the listener's dialogue of a protocol is configured, for `PreAuthCheck`.
public struct PreAuthSetup<Syntax: MailSyntax>: Sendable {
    /// Names the dialogue in a violated invariant's message.
    public let label: String
    /// The dialogue as a connection starts it, built once: dialogues are values, so each drive
    /// takes a copy rather than building limits, greeting and extensions again.
    public let fresh: Syntax.Listener
    /// The dialogue's longest line; it holds up to four times this while a login is checked.
    public let maxLineLength: Int
    /// Hands the session over with empty credentials once EHLO or HELO is answered, without
    /// AUTH (SMTP with `authenticationRequired: false`).
    public let handsOver: Bool
    /// Shows the client a mail host's refusal in the mail host's words (POP3, SMTP with AUTH),
    /// rather than answering as for any failed login.
    public let passesMailHostRefusal: Bool

    public init(_ label: String, maxLineLength: Int, handsOver: Bool = false, passesMailHostRefusal: Bool,
                make: @escaping @Sendable () -> Syntax.Listener) {
        self.label = label
        fresh = make()
        self.maxLineLength = maxLineLength
        self.handsOver = handsOver
        self.passesMailHostRefusal = passesMailHostRefusal
    }
}
