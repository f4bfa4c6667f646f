/// `[limits]`: bounds on what a client may do before it is authenticated.
public struct LimitSettings: Codable, Sendable, Equatable {
    public var handshakeTimeout: ConfigDuration
    /// Idle time allowed before authentication.
    public var preauthIdleTimeout: ConfigDuration
    /// How long a client waits for authd's answer before it is refused.
    public var authenticationTimeout: ConfigDuration
    /// Longest command line, in bytes, before authentication.
    public var maxLineLength: Int
    /// Largest IMAP literal, in bytes, before authentication.
    public var maxLiteralSize: Int
    /// Failed logins on one connection before it is closed.
    public var maxFailedAttempts: Int

    public init(handshakeTimeout: ConfigDuration = .seconds(10), preauthIdleTimeout: ConfigDuration = .seconds(60),
                authenticationTimeout: ConfigDuration = .seconds(30), maxLineLength: Int = 8192,
                maxLiteralSize: Int = 8192, maxFailedAttempts: Int = 3) {
        self.handshakeTimeout = handshakeTimeout
        self.preauthIdleTimeout = preauthIdleTimeout
        self.authenticationTimeout = authenticationTimeout
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxFailedAttempts = maxFailedAttempts
    }

    public static let byteLimitRange = 512...1_048_576
    public static let failedAttemptsRange = 1...100
}
