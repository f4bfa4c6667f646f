/// Bounds on what a client may make the SMTP pre-authentication dialogue hold or do.
public struct SMTPLimits: Sendable, Equatable {
    /// Longest command or SASL response line, without its CRLF. RFC 5321 asks for 512 and
    /// RFC 4954 for 12288 octets on AUTH lines; 8192 holds any PLAIN response postern accepts.
    public var maxLineLength: Int
    /// Refused logins after which the connection is closed.
    public var maxFailedAttempts: Int
    /// Refused commands (syntax errors, commands not allowed yet) after which the connection
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
