/// A client command as the pre-authentication dialogue understands it.
enum IMAPPreAuthCommand: Sendable, Equatable {
    case capability
    case noop
    case logout
    /// ID with its parameters read and ignored (RFC 2971).
    case id
    case login(LoginCredentials)
    /// `initialResponse` is the raw SASL-IR token (base64 or "="), checked by the dialogue.
    case authenticate(mechanism: [UInt8], initialResponse: [UInt8]?)
    /// Anything else: unknown, or not allowed before authentication.
    case other

    /// A tagged command, or why it is refused together with the tag to answer with (nil when
    /// no usable tag could be read: the reply is untagged).
    static func parse(_ bytes: [UInt8]) -> Result<(tag: String, command: IMAPPreAuthCommand), IMAPCommandError> {
        var reader = IMAPCommandReader(bytes)
        guard !bytes.isEmpty else { return .failure(IMAPCommandError(tag: nil, reason: .emptyCommand)) }
        guard let tag = reader.tag() else { return .failure(IMAPCommandError(tag: nil, reason: .invalidTag)) }
        do throws(IMAPSyntaxError) {
            // Literals may not carry NUL either (that is literal8, which pre-auth has no use for).
            guard !bytes.contains(ASCII.nul) else { throw .nulByte }
            guard reader.skip(ASCII.space), !reader.isAtEnd else { throw .missingCommand }
            let name = (try? reader.atom()).map(ASCII.uppercasedString) ?? ""
            let command: IMAPPreAuthCommand = switch name {
            case "CAPABILITY": try withoutArguments(.capability, &reader)
            case "NOOP": try withoutArguments(.noop, &reader)
            case "LOGOUT": try withoutArguments(.logout, &reader)
            case "ID": try parseID(&reader)
            case "LOGIN": try parseLogin(&reader)
            case "AUTHENTICATE": try parseAuthenticate(&reader)
            default: .other
            }
            return .success((tag, command))
        } catch {
            return .failure(IMAPCommandError(tag: tag, reason: error))
        }
    }

    private static func withoutArguments(_ command: IMAPPreAuthCommand,
                                         _ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPPreAuthCommand {
        try reader.end()
        return command
    }

    /// id = "ID" SP ( "(" [string SP nstring *(SP string SP nstring)] ")" / nil )
    private static func parseID(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPPreAuthCommand {
        try reader.space()
        if reader.skip(ASCII.openParen) {
            var first = true
            while !reader.skip(ASCII.closeParen) {
                if !first { try reader.space() }
                first = false
                _ = try reader.string()
                try reader.space()
                _ = try reader.nstring()
            }
        } else {
            guard ASCII.equalsIgnoringCase(try reader.atom(), "NIL") else { throw .invalidList }
        }
        try reader.end()
        return .id
    }

    /// login = "LOGIN" SP userid SP password
    private static func parseLogin(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPPreAuthCommand {
        try reader.space()
        let username = try reader.astring()
        try reader.space()
        let password = try reader.astring()
        try reader.end()
        guard let user = String(validating: username, as: UTF8.self),
              let pass = String(validating: password, as: UTF8.self) else { throw .invalidUTF8 }
        guard LoginCredentials.isAcceptableUsername(user) else { throw .invalidUsername }
        return .login(LoginCredentials(username: user, password: pass))
    }

    /// authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]   (RFC 4959)
    private static func parseAuthenticate(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPPreAuthCommand {
        try reader.space()
        let mechanism = Array(try reader.atom())
        var initialResponse: [UInt8]?
        if !reader.isAtEnd {
            try reader.space()
            initialResponse = Array(try reader.word())
        }
        try reader.end()
        return .authenticate(mechanism: mechanism, initialResponse: initialResponse)
    }
}

struct IMAPCommandError: Error, Sendable, Equatable {
    var tag: String?
    var reason: IMAPSyntaxError
}
