/// The lines the POP3 pre-authentication dialogue sends. One place, so tests and documentation
/// can name them. Refusals of credentials carry RFC 3206 response codes, as CAPA promises.
enum POP3PreAuthReplies {
    static let userAccepted = "+OK\r\n"
    static let noUsername = "-ERR No username given\r\n"
    static let credentialsTooLong = "-ERR Username or password too long\r\n"
    static let quit = "+OK Bye\r\n"
    static let emptyContinuation = "+ \r\n"
    static let commandNotAllowed = "-ERR Command unknown or not allowed before authentication\r\n"
    static let unsupportedMechanism = "-ERR Unsupported mechanism\r\n"
    static let invalidBase64 = "-ERR [AUTH] Invalid base64\r\n"
    static let authenticationCancelled = "-ERR Authentication cancelled\r\n"
    static let invalidSASLMessage = "-ERR [AUTH] Invalid SASL response\r\n"
    static let authorizationIdentityRefused = "-ERR [AUTH] Authorization identity not permitted\r\n"
    static let authenticationFailed = "-ERR [AUTH] Authentication failed\r\n"
    static let serviceUnavailable = "-ERR [SYS/TEMP] Authentication service unavailable, try again later\r\n"
    static let lineTooLong = "-ERR Line too long\r\n"
    static let tooManyFailures = "-ERR Too many failed attempts\r\n"
    static let tooManyInvalidCommands = "-ERR Too many invalid commands\r\n"
    static let tooMuchPendingInput = "-ERR Too much input while authenticating\r\n"

    static func greeting(_ text: String) -> String {
        "+OK \(text)\r\n"
    }

    static func syntaxError(_ error: POP3SyntaxError) -> String {
        "-ERR \(error)\r\n"
    }

    /// A multi-line reply (RFC 1939 section 3): the lines, then "." alone. None of ours starts
    /// with ".", so none needs byte-stuffing.
    static func multiLine(_ lines: [String]) -> String {
        "+OK\r\n" + lines.map { "\($0)\r\n" }.joined() + ".\r\n"
    }

    static func challenge(_ base64: String) -> String {
        "+ \(base64)\r\n"
    }
}
