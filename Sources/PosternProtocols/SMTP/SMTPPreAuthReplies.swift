/// The replies the SMTP pre-authentication dialogue sends, with RFC 2034 enhanced status
/// codes. One place, so tests and documentation can name them.
enum SMTPPreAuthReplies {
    static let ok = "250 2.0.0 OK\r\n"
    static let bye = "221 2.0.0 Bye\r\n"
    static let emptyChallenge = "334 \r\n"
    static let ehloSyntax = "501 5.5.4 Syntax: EHLO hostname\r\n"
    static let heloSyntax = "501 5.5.4 Syntax: HELO hostname\r\n"
    static let credentialsTooLong = "501 5.5.2 Username or password too long\r\n"
    static let authSyntax = "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n"
    static let ehloFirst = "503 5.5.1 EHLO first\r\n"
    static let helloFirst = "503 5.5.1 EHLO or HELO first\r\n"
    static let tlsAlreadyActive = "503 5.5.1 TLS already active\r\n"
    static let authenticationRequired = "530 5.7.0 Authentication required\r\n"
    static let unrecognized = "500 5.5.2 Command not recognized\r\n"
    static let nulByte = "500 5.5.2 NUL character not allowed\r\n"
    static let lineTooLong = "500 5.5.6 Line too long\r\n"
    static let unknownMechanism = "504 5.5.4 Unrecognized authentication type\r\n"
    static let authenticationCancelled = "501 5.0.0 Authentication cancelled\r\n"
    static let cannotDecode = "501 5.5.2 Cannot decode response\r\n"
    static let invalidSASLMessage = "501 5.5.2 Invalid authentication response\r\n"
    static let authorizationIdentityRefused = "535 5.7.8 Authorization identity not permitted\r\n"
    static let authenticationFailed = "535 5.7.8 Authentication credentials invalid\r\n"
    static let temporaryFailure = "454 4.7.0 Temporary authentication failure\r\n"
    static let tooManyErrors = "421 4.7.0 Too many errors\r\n"
    static let tooManyFailures = "421 4.7.0 Too many failed attempts\r\n"
    static let tooMuchPendingInput = "421 4.7.0 Too much input while authenticating\r\n"
    /// When a session handed over without AUTH is refused: the client's EHLO was answered
    /// long ago, so the only fitting reply is 421, which RFC 5321 section 3.8 allows at any time.
    static let handOverRefused = "421 4.7.0 Access denied\r\n"
    static let handOverUnavailable = "421 4.7.0 Service temporarily unavailable\r\n"

    static let maxMailHostReplyLines = 10

    static func greeting(_ hostname: String) -> String {
        "220 \(hostname) ESMTP postern\r\n"
    }

    static func helo(_ hostname: String) -> String {
        "250 \(hostname)\r\n"
    }

    /// `250-hostname`, one line for each keyword, the last with `250 `.
    static func ehlo(_ hostname: String, _ keywords: [String]) -> String {
        multiline(code: "250", [hostname] + keywords)
    }

    static func challenge(_ base64: String) -> String {
        "334 \(base64)\r\n"
    }

    /// The mail host's refusal as a client may see it: its lines with one 4xx or 5xx code,
    /// each made printable and rebuilt with the right continuation marks, so nothing the mail
    /// host sent can become a second reply. Nil when it is not such a reply.
    static func mailHostRefusal(_ reply: String) -> (text: String, temporary: Bool)? {
        // Split as bytes: as Characters, "\r\n" is one grapheme and matches neither "\r" nor "\n".
        let lines = reply.utf8.split(separator: ASCII.lf).map { line in
            ASCII.printable(String(decoding: line.last == ASCII.cr ? line.dropLast() : line, as: UTF8.self), limit: 510)
        }
        guard let first = lines.first, lines.count <= maxMailHostReplyLines else { return nil }
        let code = String(first.prefix(3))
        guard code.utf8.count == 3, code.utf8.allSatisfy(ASCII.isDigit), code.first == "4" || code.first == "5" else {
            return nil
        }
        var texts: [String] = []
        for line in lines {
            guard line.hasPrefix(code) else { return nil }
            let rest = line.dropFirst(3)
            guard rest.isEmpty || rest.first == " " || rest.first == "-" else { return nil }
            texts.append(String(rest.dropFirst()))
        }
        return (multiline(code: code, texts), code.first == "4")
    }

    private static func multiline(code: String, _ texts: [String]) -> String {
        var reply = ""
        for (index, text) in texts.enumerated() {
            reply += code + (index == texts.count - 1 ? " " : "-") + text + "\r\n"
        }
        return reply
    }
}
