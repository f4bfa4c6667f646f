import FuzzSupport
import PosternProtocols

/// SASL PLAIN (RFC 4616) accepts exactly `[authzid] NUL authcid NUL passwd` in UTF-8 with both
/// of the last two non-empty, within the limit, and what it returns writes back byte for byte.
enum SASLPlainCheck {
    static func run(_ message: [UInt8], maxLength: Int) {
        let wellFormed = isWellFormed(message, maxLength: maxLength)
        guard let decoded = try? SASLPlain.decode(message, maxLength: maxLength) else {
            require(!wellFormed, "SASL PLAIN: refused a well-formed message")
            return
        }
        require(wellFormed, "SASL PLAIN: accepted a malformed message")
        let credentials = decoded.credentials
        require(!credentials.username.isEmpty && !credentials.password.isEmpty, "SASL PLAIN: empty field accepted")
        require(SASLPlain.encode(credentials, authorizationIdentity: decoded.authorizationIdentity) == message,
                     "SASL PLAIN: decoded fields do not write back to the message")
    }

    /// The grammar, checked independently of the decoder.
    private static func isWellFormed(_ message: [UInt8], maxLength: Int) -> Bool {
        guard message.count <= maxLength else { return false }
        let fields = message.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[1].isEmpty, !fields[2].isEmpty else { return false }
        return fields.allSatisfy { String(validating: $0, as: UTF8.self) != nil }
    }
}
