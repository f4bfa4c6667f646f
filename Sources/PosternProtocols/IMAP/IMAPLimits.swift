/// Bounds on what a client may make the pre-authentication dialogue hold or do.
public struct IMAPLimits: Sendable, Equatable {
    /// Longest line, without its CRLF and without literal data.
    public var maxLineLength: Int
    /// Largest literal accepted before authentication (a username or password).
    public var maxLiteralSize: Int
    /// Refused logins after which the connection is closed.
    public var maxFailedAttempts: Int
    /// Rejected commands (BAD, unsupported mechanism) after which the connection is closed,
    /// so that a client cannot keep a pre-authentication session busy with garbage.
    public var maxInvalidCommands: Int

    public init(maxLineLength: Int = 8192, maxLiteralSize: Int = 8192, maxFailedAttempts: Int = 3,
                maxInvalidCommands: Int = 10) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxFailedAttempts = maxFailedAttempts
        self.maxInvalidCommands = maxInvalidCommands
    }

    /// Bound on one whole command: its lines plus the two literals LOGIN may carry.
    var maxCommandSize: Int { maxLineLength + 2 * maxLiteralSize }
    /// Bound on an ID command (RFC 2971 §3.3: at most 30 pairs, fields of 30 octets, values of
    /// 1024), written in the longest way the grammar allows (every octet escaped in a quoted
    /// string): 64 KiB, or the ordinary bound if that is larger.
    var maxIDCommandSize: Int { max(FieldBounds.imapIDCommand, maxCommandSize) }
    /// Bound on what a client may pipeline while its login is being checked.
    var maxPendingInput: Int { maxLineLength * 4 }
}
