import COpenSSL

/// HMAC-SHA-256 through OpenSSL, the one keyed digest the roles use (grant tokens, authd's
/// memory of verified passwords).
public enum HMACSHA256 {
    public static let size = 32

    /// nil only if OpenSSL fails.
    public static func digest(key: [UInt8], _ message: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { key in
            message.withUnsafeBytes { data in
                output.withUnsafeMutableBytes { out in
                    HMAC(EVP_sha256(), key.baseAddress, Int32(key.count),
                         data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count,
                         out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
                }
            }
        }
        return result != nil && length == UInt32(size) ? output : nil
    }

    /// Compares in time independent of where the two differ.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }

    /// `count` random bytes from OpenSSL's CSPRNG; nil if it has no entropy.
    public static func randomKey(count: Int = size) -> [UInt8]? {
        var key = [UInt8](repeating: 0, count: count)
        let ok = key.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        return ok == 1 ? key : nil
    }
}
