import FuzzSupport
import PosternProtocols

/// Strict base64 gives every input at most one reading (RFC 4648 3.5): whatever it accepts is
/// exactly what encoding the result writes, and it reads back all it writes.
enum StrictBase64Check {
    /// The decoded bytes when the input is strict base64.
    static func run(_ bytes: [UInt8]) -> [UInt8]? {
        let decoded = try? StrictBase64.decode(bytes)
        if let decoded {
            require(StrictBase64.encode(decoded) == bytes, "base64: accepted a non-canonical encoding")
        }
        let encoded = StrictBase64.encode(bytes)
        require(encoded.count == (bytes.count + 2) / 3 * 4, "base64: wrong encoded length")
        require((try? StrictBase64.decode(encoded)) == bytes, "base64: its own encoding does not read back")
        return decoded
    }
}
