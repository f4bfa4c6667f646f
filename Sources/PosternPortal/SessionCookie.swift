import Foundation
import PosternCore
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
        Crypto.digest(.sha256, Array(value.utf8)).map(Hex.lowercase)
    }

    /// The `Set-Cookie` value that sets `name` to `value`; `maxAge` nil makes a browser-session
    /// cookie, 0 deletes it.
    public static func setCookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }
}

/// RFC 4648 §5, without padding, through Foundation's base64.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.last == "=" { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// nil for a character outside the alphabet, a length no encoding has, or a form `encode`
    /// would not give (unused low bits set).
    public static func decode(_ text: String) -> [UInt8]? {
        // Foundation would take the standard alphabet's + and / too.
        guard text.utf8.count % 4 != 1, text.utf8.allSatisfy(isInAlphabet) else { return nil }
        let standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        let padded = standard + String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = [UInt8](data)
        return encode(bytes) == text ? bytes : nil
    }

    private static func isInAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
