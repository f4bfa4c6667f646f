/// A client command as the SMTP pre-authentication dialogue understands it (RFC 5321 section
/// 4.1, RFC 4954 AUTH). Verbs are matched case-insensitively; arguments are split at spaces,
/// runs of spaces and trailing spaces tolerated.
enum SMTPPreAuthCommand: Sendable, Equatable {
    case ehlo(String)
    case helo(String)
    /// `initialResponse` is the raw token (base64 or "="), checked by the dialogue.
    case auth(mechanism: [UInt8], initialResponse: [UInt8]?)
    case noop
    case rset
    case quit
    case startTLS
    /// MAIL, RCPT, DATA, BDAT, VRFY, EXPN: mail transactions and address probes, which
    /// belong to the mail host once the client is authenticated.
    case transaction
    case unrecognized

    private static let transactionVerbs: Set<String> = ["MAIL", "RCPT", "DATA", "BDAT", "VRFY", "EXPN"]

    static func parse(_ line: [UInt8]) -> Result<SMTPPreAuthCommand, SMTPCommandError> {
        guard !line.contains(ASCII.nul) else { return .failure(.nulByte) }
        let verbEnd = line.firstIndex(of: ASCII.space) ?? line.endIndex
        let verb = ASCII.uppercasedString(line[..<verbEnd])
        let arguments = line[verbEnd...].split(separator: ASCII.space)
        switch verb {
        case "EHLO", "HELO":
            let extended = verb == "EHLO"
            guard arguments.count == 1, SMTPHelloName.isAcceptable(arguments[0]) else {
                return .failure(.helloSyntax(extended: extended))
            }
            let name = String(decoding: arguments[0], as: UTF8.self)
            return .success(extended ? .ehlo(name) : .helo(name))
        case "AUTH":
            guard (1...2).contains(arguments.count) else { return .failure(.authSyntax) }
            let initialResponse = arguments.count == 2 ? Array(arguments[1]) : nil
            return .success(.auth(mechanism: Array(arguments[0]), initialResponse: initialResponse))
        case "NOOP":
            return .success(.noop)   // RFC 5321: NOOP may carry a string, which is ignored.
        case "RSET":
            return .success(.rset)
        case "QUIT":
            return .success(.quit)
        case "STARTTLS":
            return .success(.startTLS)
        case _ where transactionVerbs.contains(verb):
            return .success(.transaction)
        default:
            return .success(.unrecognized)
        }
    }
}

/// Why a command line was refused before it could be acted on.
enum SMTPCommandError: Error, Sendable, Equatable {
    case nulByte
    case helloSyntax(extended: Bool)
    case authSyntax
}
