/// Writes `tag LOGIN username password` for a mail host, choosing per argument a quoted
/// string when the value can be one and a literal otherwise, and splitting the command
/// where a synchronising literal makes us wait for the server's "+".
struct IMAPLoginCommand: Sendable, Equatable {
    /// What the server supports for literals, from its capabilities.
    enum LiteralSupport: Sendable, Equatable {
        /// Only synchronising literals.
        case synchronising
        /// RFC 7888 LITERAL+: non-synchronising literals of any size.
        case nonSynchronising
        /// RFC 7888 LITERAL- (implied by IMAP4rev2): non-synchronising up to 4096 bytes.
        case nonSynchronisingUpTo4096

        init(capabilities: Set<String>) {
            if capabilities.contains("LITERAL+") {
                self = .nonSynchronising
            } else if capabilities.contains("LITERAL-") || capabilities.contains("IMAP4REV2") {
                self = .nonSynchronisingUpTo4096
            } else {
                self = .synchronising
            }
        }

        func allowsNonSynchronising(size: Int) -> Bool {
            switch self {
            case .synchronising: false
            case .nonSynchronising: true
            case .nonSynchronisingUpTo4096: size <= 4096
            }
        }
    }

    /// The command in pieces: send the first now, each next one after a continuation request.
    let segments: [[UInt8]]

    init(tag: String, credentials: LoginCredentials, literals: LiteralSupport) {
        var segments: [[UInt8]] = []
        var current = Array("\(tag) LOGIN ".utf8)
        for (position, value) in [credentials.username, credentials.password].enumerated() {
            if position == 1 { current.append(ASCII.space) }
            let bytes = Array(value.utf8)
            if let quoted = Self.quoted(bytes) {
                current += quoted
            } else if literals.allowsNonSynchronising(size: bytes.count) {
                current += Array("{\(bytes.count)+}\r\n".utf8) + bytes
            } else {
                current += Array("{\(bytes.count)}\r\n".utf8)
                segments.append(current)
                current = bytes
            }
        }
        current += ASCII.crlf
        segments.append(current)
        self.segments = segments
    }

    /// Whether a value must go as a literal.
    static func needsLiteral(_ value: String) -> Bool {
        quoted(Array(value.utf8)) == nil
    }

    /// The value as an IMAP4rev1 quoted string (7-bit, no CR, LF or NUL; `"` and `\` escaped),
    /// or nil when it cannot be one.
    static func quoted(_ bytes: [UInt8]) -> [UInt8]? {
        var result: [UInt8] = [ASCII.quote]
        for byte in bytes {
            guard byte != ASCII.nul, byte != ASCII.cr, byte != ASCII.lf, byte < 0x80 else { return nil }
            if byte == ASCII.quote || byte == ASCII.backslash { result.append(ASCII.backslash) }
            result.append(byte)
        }
        result.append(ASCII.quote)
        return result
    }
}
