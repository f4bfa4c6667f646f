/// One framed response from a mail host, read just far enough for logging in:
/// who it is for, its first word, and a response code.
struct IMAPServerResponse: Sendable, Equatable {
    enum Origin: Sendable, Equatable {
        /// "+ ...": the server waits for more of our command.
        case continuation
        /// "* ..."
        case untagged
        case tagged(String)
    }

    /// `[NAME arguments]` after a status word.
    struct Code: Sendable, Equatable {
        var name: String
        var arguments: String

        /// The capability names of a CAPABILITY code, upper-cased.
        var capabilities: Set<String>? {
            name == "CAPABILITY" ? IMAPServerResponse.capabilityNames(arguments) : nil
        }
    }

    var origin: Origin
    /// First word after the tag or "*", upper-cased: "OK", "NO", "BAD", "BYE", "PREAUTH",
    /// "CAPABILITY"... Empty for a continuation.
    var keyword: String
    /// Everything after the tag or "*" and its space, e.g. "OK [CAPABILITY IMAP4rev1] Logged in".
    var text: String
    /// The response code, when `keyword` is a status word followed by one.
    var code: Code?
    /// The whole response as received, without its final CRLF.
    var line: String

    static let statusWords: Set<String> = ["OK", "NO", "BAD", "BYE", "PREAUTH"]

    init(_ bytes: [UInt8]) {
        line = String(decoding: bytes, as: UTF8.self)
        var rest = bytes[...]
        if rest.first == ASCII.plus {
            origin = .continuation
            rest = rest.dropFirst()
            if rest.first == ASCII.space { rest = rest.dropFirst() }
            keyword = ""
            text = String(decoding: rest, as: UTF8.self)
            code = nil
            return
        }
        let tag = Self.word(&rest)
        origin = tag.elementsEqual([ASCII.asterisk]) ? .untagged : .tagged(String(decoding: tag, as: UTF8.self))
        text = String(decoding: rest, as: UTF8.self)
        keyword = ASCII.uppercasedString(Self.word(&rest))
        code = Self.statusWords.contains(keyword) ? Self.code(rest) : nil
    }

    /// For an untagged CAPABILITY response, its capability names.
    var capabilities: Set<String>? {
        guard origin == .untagged else { return nil }
        if keyword == "CAPABILITY" {
            return Self.capabilityNames(String(text.dropFirst("CAPABILITY".count)))
        }
        return code?.capabilities
    }

    /// Takes bytes up to the next space, and the space.
    private static func word(_ rest: inout ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let end = rest.firstIndex(of: ASCII.space) ?? rest.endIndex
        let word = rest[..<end]
        rest = rest[end...].dropFirst()
        return word
    }

    private static func code(_ rest: ArraySlice<UInt8>) -> Code? {
        guard rest.first == ASCII.openBracket, let close = rest.firstIndex(of: ASCII.closeBracket) else { return nil }
        var inside = rest[(rest.startIndex + 1)..<close]
        let name = ASCII.uppercasedString(word(&inside))
        return Code(name: name, arguments: String(decoding: inside, as: UTF8.self))
    }

    static func capabilityNames(_ text: String) -> Set<String> {
        Set(text.utf8.split(separator: ASCII.space).map { ASCII.uppercasedString($0) })
    }
}
