// Byte values and ASCII-only case folding. Protocol keywords are ASCII; folding them with
// String.uppercased() would let non-ASCII letters (the Turkish dotless i) match "PLAIN".

enum ASCII {
    static let nul: UInt8 = 0x00
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let asterisk: UInt8 = 0x2A
    static let plus: UInt8 = 0x2B
    static let equals: UInt8 = 0x3D
    static let backslash: UInt8 = 0x5C
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let crlf: [UInt8] = [cr, lf]

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Control characters (C0 and DEL).
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    static func uppercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
    }

    /// The bytes upper-cased as ASCII, as a String (bytes outside ASCII are decoded leniently,
    /// which only matters for keywords that then match nothing).
    static func uppercasedString(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map(uppercased), as: UTF8.self)
    }

    /// Case-insensitive comparison of bytes against an upper-case ASCII keyword.
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ keyword: String) -> Bool {
        bytes.count == keyword.utf8.count && zip(bytes, keyword.utf8).allSatisfy { uppercased($0) == $1 }
    }

    /// Text safe to put in a protocol line or a log: control characters become spaces and
    /// the length is capped, so a peer's text can never inject a line or flood a log.
    static func printable(_ text: String, limit: Int = 300) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            result.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        }
        return result
    }
}
