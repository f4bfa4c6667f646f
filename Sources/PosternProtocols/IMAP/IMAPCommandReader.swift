/// Reads the tokens of one framed client command (RFC 9051 section 9 grammar): tag, atoms,
/// quoted strings, literals (inline, as the framer left them), NIL, parenthesised lists.
struct IMAPCommandReader {
    private let bytes: [UInt8]
    private(set) var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// tag = 1*<any ASTRING-CHAR except "+">, followed by SP or the end.
    mutating func tag() -> String? {
        let start = index
        while let byte = current, Self.isTagChar(byte) { index += 1 }
        guard index > start, current == nil || current == ASCII.space else {
            index = start
            return nil
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func space() throws(IMAPSyntaxError) {
        guard current == ASCII.space else { throw isAtEnd ? .missingArguments : .expectedSpace }
        index += 1
    }

    mutating func end() throws(IMAPSyntaxError) {
        guard isAtEnd else { throw .unexpectedArguments }
    }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// 1*ATOM-CHAR
    mutating func atom() throws(IMAPSyntaxError) -> ArraySlice<UInt8> {
        try run(of: Self.isAtomChar)
    }

    /// astring = 1*ASTRING-CHAR / string
    mutating func astring() throws(IMAPSyntaxError) -> [UInt8] {
        switch current {
        case ASCII.quote?, ASCII.openBrace?: try string()
        default: Array(try run(of: Self.isAstringChar))
        }
    }

    /// string = quoted / literal
    mutating func string() throws(IMAPSyntaxError) -> [UInt8] {
        switch current {
        case ASCII.quote?: try quoted()
        case ASCII.openBrace?: try literal()
        case nil: throw .missingArguments
        default: throw .expectedString
        }
    }

    /// nstring = string / NIL; nil for NIL.
    mutating func nstring() throws(IMAPSyntaxError) -> [UInt8]? {
        if current == ASCII.quote || current == ASCII.openBrace { return try string() }
        guard ASCII.equalsIgnoringCase(try atom(), "NIL") else { throw .expectedString }
        return nil
    }

    /// Bytes up to the next SP or the end, for tokens checked elsewhere (a SASL initial response).
    mutating func word() throws(IMAPSyntaxError) -> ArraySlice<UInt8> {
        try run { $0 != ASCII.space }
    }

    private mutating func run(of accepted: (UInt8) -> Bool) throws(IMAPSyntaxError) -> ArraySlice<UInt8> {
        let start = index
        while let byte = current, accepted(byte) { index += 1 }
        guard index > start else { throw isAtEnd ? .missingArguments : .invalidAtom }
        return bytes[start..<index]
    }

    /// quoted = DQUOTE *QUOTED-CHAR DQUOTE, with only \\ and \" as escapes. 8-bit bytes are
    /// let through (IMAP4rev2 allows UTF-8 there; validity is checked by the caller).
    private mutating func quoted() throws(IMAPSyntaxError) -> [UInt8] {
        index += 1
        var value: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case ASCII.quote:
                return value
            case ASCII.backslash:
                guard let escapedByte = current, escapedByte == ASCII.quote || escapedByte == ASCII.backslash else {
                    throw .invalidQuotedString
                }
                value.append(escapedByte)
                index += 1
            case ASCII.cr, ASCII.lf:
                throw .invalidQuotedString
            default:
                value.append(byte)
            }
        }
        throw .invalidQuotedString
    }

    /// literal = "{" number ["+"] "}" CRLF *CHAR8, as framed: the announcement, its line
    /// terminator, then the data.
    private mutating func literal() throws(IMAPSyntaxError) -> [UInt8] {
        index += 1
        let digitsStart = index
        while let byte = current, ASCII.isDigit(byte) { index += 1 }
        let digits = bytes[digitsStart..<index]
        guard !digits.isEmpty else { throw .invalidLiteral }
        _ = skip(ASCII.plus)
        guard skip(ASCII.closeBrace) else { throw .invalidLiteral }
        _ = skip(ASCII.cr)
        guard skip(ASCII.lf) else { throw .invalidLiteral }
        let size = IMAPFramer.parseSize(digits)
        guard size <= bytes.count - index else { throw .invalidLiteral }
        defer { index += size }
        return Array(bytes[index..<index + size])
    }

    /// Any CHAR (7-bit, not NUL) except atom-specials: ( ) { SP CTL % * " \ ]
    static func isAtomChar(_ byte: UInt8) -> Bool {
        isAstringChar(byte) && byte != ASCII.closeBracket
    }

    /// ATOM-CHAR or "]".
    static func isAstringChar(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        switch byte {
        case ASCII.openParen, ASCII.closeParen, ASCII.openBrace, 0x25 /* % */, ASCII.asterisk,
             ASCII.quote, ASCII.backslash:
            return false
        default:
            return true
        }
    }

    static func isTagChar(_ byte: UInt8) -> Bool {
        isAstringChar(byte) && byte != ASCII.plus
    }
}

/// Why a command could not be read. Descriptions go to the client in a BAD reply, so they
/// never quote the command.
enum IMAPSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCommand
    case invalidTag
    case missingCommand
    case nulByte
    case expectedSpace
    case missingArguments
    case unexpectedArguments
    case invalidAtom
    case expectedString
    case invalidQuotedString
    case invalidLiteral
    case invalidList
    case invalidUTF8
    case invalidUsername

    var description: String {
        switch self {
        case .emptyCommand: "Empty command line"
        case .invalidTag: "Invalid tag"
        case .missingCommand: "Missing command"
        case .nulByte: "NUL byte in command"
        case .expectedSpace: "Syntax error: expected a space"
        case .missingArguments: "Missing arguments"
        case .unexpectedArguments: "Unexpected arguments"
        case .invalidAtom: "Syntax error: invalid characters"
        case .expectedString: "Syntax error: expected a string"
        case .invalidQuotedString: "Syntax error: invalid quoted string"
        case .invalidLiteral: "Syntax error: invalid literal"
        case .invalidList: "Syntax error: invalid list"
        case .invalidUTF8: "Invalid UTF-8 in arguments"
        case .invalidUsername: "Invalid username"
        }
    }
}
