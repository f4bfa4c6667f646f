/// Base64 as RFC 4648 section 4 defines it, decoded strictly: padding is required, no
/// whitespace or line breaks, no characters outside the alphabet, and the unused bits of
/// the last group must be zero (RFC 4648 section 3.5), so every input has one reading.
public enum StrictBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Value of each byte in the alphabet, or 0xFF.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = input[index]
            let b1 = remaining > 1 ? input[index + 1] : 0
            let b2 = remaining > 2 ? input[index + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(remaining > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : ASCII.equals)
            output.append(remaining > 2 ? alphabet[Int(b2 & 0x3F)] : ASCII.equals)
            index += 3
        }
        return output
    }

    public static func encodeToString(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: encode(bytes), as: UTF8.self)
    }

    public static func decode(_ text: some Collection<UInt8>) throws(Base64Error) -> [UInt8] {
        let input = Array(text)
        guard input.count % 4 == 0 else { throw .invalidLength(input.count) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var offset = 0
        while offset < input.count {
            let isLastGroup = offset + 4 == input.count
            var group: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            var padding = 0
            for position in 0..<4 {
                let byte = input[offset + position]
                var value: UInt8 = 0
                if byte == ASCII.equals {
                    // "=" only in the last two positions of the last group, and only as a tail.
                    guard isLastGroup, position >= 2 else { throw .misplacedPadding(offset: offset + position) }
                    padding += 1
                } else {
                    guard padding == 0 else { throw .misplacedPadding(offset: offset + position - 1) }
                    value = values[Int(byte)]
                    guard value != 0xFF else { throw .invalidCharacter(offset: offset + position) }
                }
                switch position {
                case 0: group.0 = value
                case 1: group.1 = value
                case 2: group.2 = value
                default: group.3 = value
                }
            }
            output.append(group.0 << 2 | group.1 >> 4)
            switch padding {
            case 0:
                output.append(group.1 << 4 | group.2 >> 2)
                output.append(group.2 << 6 | group.3)
            case 1:
                guard group.2 & 0x03 == 0 else { throw .nonZeroPaddingBits }
                output.append(group.1 << 4 | group.2 >> 2)
            default:
                guard group.1 & 0x0F == 0 else { throw .nonZeroPaddingBits }
            }
            offset += 4
        }
        return output
    }
}

/// Why input is not strict base64. Offsets count bytes of the input; the input itself is
/// never quoted, as it may hold a password.
public enum Base64Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The length is not a multiple of four.
    case invalidLength(Int)
    /// A byte outside the base64 alphabet (whitespace included).
    case invalidCharacter(offset: Int)
    /// "=" somewhere other than the end.
    case misplacedPadding(offset: Int)
    /// The bits that padding leaves unused are not zero: a non-canonical encoding.
    case nonZeroPaddingBits

    public var description: String {
        switch self {
        case .invalidLength(let length): "base64 length \(length) is not a multiple of 4"
        case .invalidCharacter(let offset): "invalid base64 character at offset \(offset)"
        case .misplacedPadding(let offset): "misplaced base64 padding at offset \(offset)"
        case .nonZeroPaddingBits: "non-canonical base64 (non-zero padding bits)"
        }
    }
}
