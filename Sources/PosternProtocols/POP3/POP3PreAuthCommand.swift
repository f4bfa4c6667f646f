/// A client command as the POP3 pre-authentication dialogue understands it (RFC 1939
/// section 3: a case-insensitive keyword, arguments separated by single spaces).
enum POP3PreAuthCommand: Sendable, Equatable {
    case capa
    case user(String)
    /// The password is the rest of the line after one space, spaces included (RFC 1939 leaves
    /// it to the server; clients send passwords with spaces this way).
    case pass(String)
    /// AUTH without arguments: the mechanism list (the discovery that predates CAPA, still used
    /// by Outlook).
    case listMechanisms
    /// `initialResponse` is the raw token (base64 or "="), checked by the dialogue.
    case auth(mechanism: [UInt8], initialResponse: [UInt8]?)
    case quit
    /// Anything else: unknown, or not allowed before authentication.
    case other

    static func parse(_ line: [UInt8]) -> Result<POP3PreAuthCommand, POP3SyntaxError> {
        guard !line.isEmpty else { return .failure(.emptyCommand) }
        guard !line.contains(ASCII.nul) else { return .failure(.nulByte) }
        let space = line.firstIndex(of: ASCII.space)
        let keyword = ASCII.uppercasedString(line[..<(space ?? line.endIndex)])
        let arguments = space.map { line[($0 + 1)...] }
        switch keyword {
        case "CAPA": return withoutArguments(.capa, arguments)
        case "QUIT": return withoutArguments(.quit, arguments)
        case "USER": return parseUser(arguments)
        case "PASS": return parsePass(arguments)
        case "AUTH": return parseAuth(arguments)
        default: return .success(.other)
        }
    }

    private static func withoutArguments(_ command: POP3PreAuthCommand,
                                         _ arguments: ArraySlice<UInt8>?) -> Result<POP3PreAuthCommand, POP3SyntaxError> {
        // A trailing space is harmless; anything after it is not.
        arguments?.isEmpty ?? true ? .success(command) : .failure(.unexpectedArguments)
    }

    private static func parseUser(_ arguments: ArraySlice<UInt8>?) -> Result<POP3PreAuthCommand, POP3SyntaxError> {
        guard let arguments, !arguments.isEmpty else { return .failure(.missingArgument) }
        guard let name = String(validating: arguments, as: UTF8.self) else { return .failure(.invalidUTF8) }
        guard LoginCredentials.isAcceptableUsername(name) else { return .failure(.invalidUsername) }
        return .success(.user(name))
    }

    private static func parsePass(_ arguments: ArraySlice<UInt8>?) -> Result<POP3PreAuthCommand, POP3SyntaxError> {
        guard let arguments else { return .failure(.missingArgument) }
        guard let password = String(validating: arguments, as: UTF8.self) else { return .failure(.invalidUTF8) }
        return .success(.pass(password))
    }

    /// auth = "AUTH" [SP mechanism [SP (base64 / "=")]]   (RFC 5034 section 4)
    private static func parseAuth(_ arguments: ArraySlice<UInt8>?) -> Result<POP3PreAuthCommand, POP3SyntaxError> {
        guard let arguments else { return .success(.listMechanisms) }
        let words = arguments.split(separator: ASCII.space, omittingEmptySubsequences: false)
        guard words.count <= 2, words.allSatisfy({ !$0.isEmpty }) else { return .failure(.invalidArguments) }
        return .success(.auth(mechanism: Array(words[0]), initialResponse: words.count == 2 ? Array(words[1]) : nil))
    }
}

/// Why a command line could not be read. Descriptions go to the client after "-ERR", so they
/// never quote the line (it may hold a password).
enum POP3SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCommand
    case nulByte
    case missingArgument
    case unexpectedArguments
    case invalidArguments
    case invalidUTF8
    case invalidUsername

    var description: String {
        switch self {
        case .emptyCommand: "Empty command line"
        case .nulByte: "NUL byte in command"
        case .missingArgument: "Missing argument"
        case .unexpectedArguments: "Unexpected arguments"
        case .invalidArguments: "Syntax error in arguments"
        case .invalidUTF8: "Invalid UTF-8 in arguments"
        case .invalidUsername: "Invalid username"
        }
    }
}
