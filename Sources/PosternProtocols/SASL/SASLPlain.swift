/// The SASL PLAIN mechanism (RFC 4616): one message `[authzid] NUL authcid NUL passwd`.
public enum SASLPlain {
    /// RFC 4616 asks servers to accept at least 255 octets for each field; this leaves room for
    /// postern's combined "vpn:mail" usernames and passwords while bounding what we hold.
    public static let defaultMaxMessageLength = 2048

    public static func decode(_ message: some Collection<UInt8>,
                              maxLength: Int = defaultMaxMessageLength) throws(SASLPlainError) -> SASLPlainMessage {
        guard message.count <= maxLength else { throw .tooLong(length: message.count, limit: maxLength) }
        let fields = message.split(separator: ASCII.nul, omittingEmptySubsequences: false)
        guard fields.count == 3 else { throw .wrongSeparatorCount(fields.count - 1) }
        guard !fields[1].isEmpty else { throw .emptyAuthenticationIdentity }
        guard !fields[2].isEmpty else { throw .emptyPassword }
        guard let authzid = String(validating: fields[0], as: UTF8.self),
              let authcid = String(validating: fields[1], as: UTF8.self),
              let password = String(validating: fields[2], as: UTF8.self) else { throw .invalidUTF8 }
        return SASLPlainMessage(authorizationIdentity: authzid,
                                credentials: LoginCredentials(username: authcid, password: password))
    }

    /// The message a client sends, for logging in to a mail host.
    public static func encode(_ credentials: LoginCredentials, authorizationIdentity: String = "") -> [UInt8] {
        Array(authorizationIdentity.utf8) + [ASCII.nul] + Array(credentials.username.utf8)
            + [ASCII.nul] + Array(credentials.password.utf8)
    }
}

public struct SASLPlainMessage: Sendable, Equatable {
    /// The identity to act as; empty when the client asks for none (the usual case).
    public var authorizationIdentity: String
    public var credentials: LoginCredentials

    /// True when the client asks to act as nobody but itself: postern does not proxy identities.
    public var authorizesOnlyItself: Bool {
        authorizationIdentity.isEmpty || authorizationIdentity == credentials.username
    }
}

public enum SASLPlainError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(length: Int, limit: Int)
    /// The message must hold exactly two NUL separators.
    case wrongSeparatorCount(Int)
    case emptyAuthenticationIdentity
    case emptyPassword
    case invalidUTF8

    public var description: String {
        switch self {
        case .tooLong(let length, let limit): "SASL PLAIN message of \(length) bytes exceeds \(limit)"
        case .wrongSeparatorCount(let count): "SASL PLAIN message has \(count) NUL separators, expected 2"
        case .emptyAuthenticationIdentity: "SASL PLAIN message has an empty authentication identity"
        case .emptyPassword: "SASL PLAIN message has an empty password"
        case .invalidUTF8: "SASL PLAIN message is not valid UTF-8"
        }
    }
}
