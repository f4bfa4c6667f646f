import PosternCrypto

/// The portal's session cookie (SPEC §5): 128 random bits, `__Host-` prefixed (so no Domain,
/// Path `/`, Secure), HttpOnly and SameSite=Strict. authd keeps only `hash(of:)`.
public enum SessionCookie {
    public static let name = "__Host-postern-session"
    /// A browser's cookie before it logs in, binding the login form's CSRF token.
    public static let loginName = "__Host-postern-login"

    /// A fresh id: 16 random bytes, base64url without padding (22 characters).
    public static func newValue() -> String? {
        Crypto.randomBytes(16).map(Base64URL.encode)
    }

    /// Whether `value` has the form `newValue` gives (anything else is never looked up).
    public static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 22 && Base64URL.decode(value)?.count == 16
    }

    /// What authd keys a portal session by: SHA-256 of the cookie value, hex.
    public static func hash(of value: String) -> String? {
        Crypto.digest(.sha256, Array(value.utf8)).map { $0.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined() }
    }

    /// The `Set-Cookie` value that sets `name` to `value`; `maxAge` nil makes a browser-session
    /// cookie, 0 deletes it.
    public static func setCookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }
}

/// RFC 4648 §5, without padding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil for a character outside the alphabet or a length no encoding has.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(value))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var n: UInt32 = 0
            for (offset, value) in chunk.enumerated() { n |= value << (18 - 6 * UInt32(offset)) }
            let produced = chunk.count - 1
            for offset in 0..<produced { out.append(UInt8(n >> (16 - 8 * UInt32(offset)) & 0xff)) }
            index += 4
        }
        // Canonical only: the unused low bits of the last character must be zero.
        guard encode(out) == text else { return nil }
        return out
    }
}
