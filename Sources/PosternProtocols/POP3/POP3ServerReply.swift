/// One line from a POP3 server, read as far as logging in needs: the status indicator
/// (RFC 1939), the response code (RFC 2449 section 8, RFC 3206), or an AUTH continuation
/// (RFC 5034). Indicators are matched case-insensitively, as forgiving clients do.
struct POP3ServerReply: Sendable, Equatable {
    enum Status: Sendable, Equatable {
        case ok
        case error
        /// "+ " and a base64 challenge, inside AUTH.
        case continuation
        /// Not a POP3 reply at all.
        case unknown
    }

    var status: Status
    /// The response code in brackets after the indicator, upper-cased ("SYS/TEMP", "IN-USE",
    /// "AUTH"); nil when there is none.
    var code: String?
    /// The whole line as received, without its CRLF.
    var line: String

    init(_ bytes: [UInt8]) {
        line = String(decoding: bytes, as: UTF8.self)
        var rest = bytes[...]
        if Self.takeIndicator("+OK", &rest) {
            status = .ok
        } else if Self.takeIndicator("-ERR", &rest) {
            status = .error
        } else if bytes.first == ASCII.plus, bytes.count == 1 || bytes[1] == ASCII.space {
            status = .continuation
            code = nil
            return
        } else {
            status = .unknown
            code = nil
            return
        }
        code = Self.code(rest)
    }

    /// A refusal that is not the credentials' fault: the server is busy or broken (SYS/TEMP),
    /// the maildrop is locked (IN-USE), or the user logged in too recently (LOGIN-DELAY).
    var isTemporaryRefusal: Bool {
        guard status == .error, let code else { return false }
        return code == "SYS/TEMP" || code.hasPrefix("SYS/TEMP/") || code == "IN-USE" || code == "LOGIN-DELAY"
    }

    /// Takes the indicator when the line starts with it, followed by a space or the end.
    private static func takeIndicator(_ indicator: String, _ rest: inout ArraySlice<UInt8>) -> Bool {
        let count = indicator.utf8.count
        guard rest.count >= count, ASCII.equalsIgnoringCase(rest.prefix(count), indicator) else { return false }
        let after = rest.dropFirst(count)
        guard after.isEmpty || after.first == ASCII.space else { return false }
        rest = after.dropFirst()
        return true
    }

    private static func code(_ rest: ArraySlice<UInt8>) -> String? {
        guard rest.first == ASCII.openBracket, let close = rest.firstIndex(of: ASCII.closeBracket) else { return nil }
        return ASCII.uppercasedString(rest[(rest.startIndex + 1)..<close])
    }
}
