/// Bounds on what a client may make a line-based pre-authentication dialogue (POP3, SMTP) hold
/// or do. IMAP, with its literals, has limits of its own.
public struct LineDialogueLimits: Sendable, Equatable {
    /// Longest command or SASL response line, without its CRLF. RFC 2449 speaks of 255 octets
    /// for POP3 and RFC 5321 of 512 for SMTP (RFC 4954: 12288 on AUTH lines), but an AUTH initial
    /// response carrying postern's combined "vpn:mail" credentials can be much longer; 8192 holds
    /// any PLAIN response postern accepts.
    public var maxLineLength: Int
    /// Refused logins after which the connection is closed.
    public var maxFailedAttempts: Int
    /// Rejected commands (unknown, not allowed before login, malformed) after which the connection
    /// is closed, so that a client cannot keep a pre-authentication session busy with garbage.
    public var maxInvalidCommands: Int

    public init(maxLineLength: Int = 8192, maxFailedAttempts: Int = 3, maxInvalidCommands: Int = 10) {
        self.maxLineLength = maxLineLength
        self.maxFailedAttempts = maxFailedAttempts
        self.maxInvalidCommands = maxInvalidCommands
    }

    /// Bound on what a client may pipeline while its login is being checked.
    var maxPendingInput: Int { maxLineLength * 4 }
}

public typealias POP3Limits = LineDialogueLimits
public typealias SMTPLimits = LineDialogueLimits
