import PosternCrypto

/// The digests RADIUS is built on, as RADIUS errors; MD5 is what the RFCs fix, not a choice.
enum RADIUSCrypto {
    static func md5(_ parts: [UInt8]...) throws(RADIUSError) -> [UInt8] {
        guard let digest = Crypto.digest(.md5, parts.flatMap { $0 }) else { throw .cryptoFailure("EVP_Digest(MD5)") }
        return digest
    }

    static func hmacMD5(key: [UInt8], _ data: [UInt8]) throws(RADIUSError) -> [UInt8] {
        guard let mac = Crypto.hmac(.md5, key: key, data) else { throw .cryptoFailure("HMAC(MD5)") }
        return mac
    }

    /// Request Authenticators must be unpredictable (RFC 2865 §3).
    static func randomBytes(_ count: Int) throws(RADIUSError) -> [UInt8] {
        guard let bytes = Crypto.randomBytes(count) else { throw .randomUnavailable }
        return bytes
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        Crypto.constantTimeEqual(a, b)
    }
}
