/// SPEC §4: every field a client sends that travels between roles is bounded here, in the
/// protocol layer, before any record is built from it; a longer one gets the protocol's error
/// and changes nothing else. With these bounds every record fits the IPC limit (16 KiB), so no
/// client can make a role fail to send one.
public enum FieldBounds {
    /// Bytes of a username (UTF-8), before any splitting into VPN and mail parts.
    public static let username = 1024
    /// Bytes of a password, likewise.
    public static let password = 1024
    /// Bytes of an IMAP tag: it travels to the relay, which answers under it.
    public static let imapTag = 64
    /// Bytes of the EHLO/HELO name: it travels to the relay, which repeats it upstream.
    public static let ehloName = 255
    /// Bytes of a whole IMAP ID command (RFC 2971): it never leaves the listener, but the
    /// largest one the RFC allows must be answered, not refused as an overlong line.
    public static let imapIDCommand = 65536

    public static func fit(_ credentials: LoginCredentials) -> Bool {
        credentials.username.utf8.count <= username && credentials.password.utf8.count <= password
    }
}
