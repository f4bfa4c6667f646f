/// Bounds on what a client may make the POP3 pre-authentication dialogue hold or do.
public struct POP3Limits: Sendable, Equatable {
    /// Longest command line, without its CRLF. RFC 2449 speaks of 255 octets, but an AUTH initial
    /// response carrying postern's combined "vpn:mail" credentials can be much longer.
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
