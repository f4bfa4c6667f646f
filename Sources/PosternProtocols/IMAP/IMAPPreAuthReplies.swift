/// The texts the pre-authentication dialogue sends. One place, so tests and documentation
/// can name them.
enum IMAPPreAuthReplies {
    static let literalContinuation = "+ Ready for literal data\r\n"
    static let emptyContinuation = "+ \r\n"
    static let capabilityCompleted = "OK CAPABILITY completed"
    static let noopCompleted = "OK NOOP completed"
    static let logoutBye = "* BYE Logging out\r\n"
    static let logoutCompleted = "OK LOGOUT completed"
    static let idResponse = "* ID (\"name\" \"postern\")\r\n"
    static let idCompleted = "OK ID completed"
    static let commandNotAllowed = "BAD Command unknown or not allowed before authentication"
    static let unsupportedMechanism = "NO [CANNOT] Unsupported mechanism"
    static let invalidBase64 = "BAD Invalid base64"
    static let authenticationCancelled = "BAD Authentication cancelled"
    static let invalidSASLMessage = "BAD Invalid SASL response"
    static let authorizationIdentityRefused = "NO [AUTHORIZATIONFAILED] Authorization identity not permitted"
    static let literalTooLarge = "BAD Literal too large"
    static let tagTooLong = "BAD Tag too long"
    static let credentialsTooLong = "NO [LIMIT] Username or password too long"
    static let authenticationFailed = "NO [AUTHENTICATIONFAILED] Authentication failed."
    static let serviceUnavailable = "NO [UNAVAILABLE] Authentication service unavailable, try again later."
    static let lineTooLong = "* BAD Line too long\r\n"
    static let commandTooLong = "* BAD Command too long\r\n"
    static let literalTooLargeBye = "* BYE Literal too large\r\n"
    static let tooManyFailures = "* BYE Too many failed attempts\r\n"
    static let tooManyInvalidCommands = "* BYE Too many invalid commands\r\n"
    static let tooMuchPendingInput = "* BYE Too much input while authenticating\r\n"

    static func tagged(_ tag: String?, _ text: String) -> String {
        "\(tag ?? "*") \(text)\r\n"
    }

    static func capability(_ capabilities: String) -> String {
        "* CAPABILITY \(capabilities)\r\n"
    }

    static func greeting(_ capabilities: String, _ text: String) -> String {
        "* OK [CAPABILITY \(capabilities)] \(text)\r\n"
    }

    static func challenge(_ base64: String) -> String {
        "+ \(base64)\r\n"
    }
}
