/// A username and password as the client presented them (before any splitting into VPN
/// and mail parts). The password never appears in a description, a debug description or
/// a mirror, so printing or dumping a value cannot leak it into a log.
public struct LoginCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Whether a username is acceptable at all: non-empty and free of control characters.
    /// A username ends up in log lines and AAA requests; a CR or LF there (possible through
    /// an IMAP literal) is never legitimate.
    public static func isAcceptableUsername(_ username: String) -> Bool {
        !username.isEmpty && !username.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

extension LoginCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "LoginCredentials(username: \(username.debugDescription), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["username": username, "password": "<redacted>"])
    }
}
