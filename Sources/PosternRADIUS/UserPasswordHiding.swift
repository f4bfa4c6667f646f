/// User-Password hiding (RFC 2865 §5.2): the password, NUL-padded to a multiple of 16,
/// XORed with the chain MD5(secret + RA), MD5(secret + c1), ...
public enum UserPasswordHiding {
    public static let maximumPasswordLength = 128

    public static func hide(password: [UInt8], secret: [UInt8], requestAuthenticator: [UInt8]) throws(RADIUSError) -> [UInt8] {
        guard !secret.isEmpty else { throw .emptySecret }
        guard requestAuthenticator.count == 16 else { throw .invalidAuthenticator }
        guard password.count <= maximumPasswordLength else { throw .passwordTooLong(password.count) }
        // An empty password still occupies one block: the attribute may not be empty.
        let paddedLength = max(16, (password.count + 15) / 16 * 16)
        let padded = password + [UInt8](repeating: 0, count: paddedLength - password.count)
        var hidden: [UInt8] = []
        hidden.reserveCapacity(paddedLength)
        var previous = requestAuthenticator
        for start in stride(from: 0, to: paddedLength, by: 16) {
            let pad = try RADIUSCrypto.md5(secret, previous)
            let block = (0..<16).map { padded[start + $0] ^ pad[$0] }
            hidden += block
            previous = block
        }
        return hidden
    }

    /// The server's side, for tests and for symmetry: the padded password, NULs stripped.
    public static func reveal(hidden: [UInt8], secret: [UInt8], requestAuthenticator: [UInt8]) throws(RADIUSError) -> [UInt8] {
        guard !secret.isEmpty else { throw .emptySecret }
        guard requestAuthenticator.count == 16 else { throw .invalidAuthenticator }
        guard !hidden.isEmpty, hidden.count % 16 == 0, hidden.count <= maximumPasswordLength else {
            throw .invalidValue(.userPassword)
        }
        var plain: [UInt8] = []
        var previous = requestAuthenticator
        for start in stride(from: 0, to: hidden.count, by: 16) {
            let pad = try RADIUSCrypto.md5(secret, previous)
            let block = Array(hidden[start..<(start + 16)])
            plain += (0..<16).map { block[$0] ^ pad[$0] }
            previous = block
        }
        while plain.last == 0 { plain.removeLast() }
        return plain
    }
}
