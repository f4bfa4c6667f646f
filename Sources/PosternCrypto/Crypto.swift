import COpenSSL

/// The few primitives postern takes from OpenSSL's libcrypto outside TLS, in one place: keyed
/// digests (grant tokens, authd's memory of verified passwords, RADIUS Message-Authenticator),
/// plain digests (RADIUS authenticators), random bytes, constant-time comparison.
public enum Crypto {
    public enum Digest: Sendable {
        /// What RADIUS fixes (RFC 2865, 3579), not a choice.
        case md5
        case sha256

        public var size: Int {
            switch self {
            case .md5: 16
            case .sha256: 32
            }
        }

        fileprivate var evp: OpaquePointer? {
            switch self {
            case .md5: EVP_md5()
            case .sha256: EVP_sha256()
            }
        }
    }

    /// nil only if OpenSSL fails.
    public static func digest(_ digest: Digest, _ data: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: digest.size)
        var size: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress?.assumingMemoryBound(to: UInt8.self),
                           &size, digest.evp, nil)
            }
        }
        return ok == 1 && size == UInt32(digest.size) ? output : nil
    }

    /// HMAC (RFC 2104); nil only if OpenSSL fails.
    public static func hmac(_ digest: Digest, key: [UInt8], _ data: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: digest.size)
        var size: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { input in
                output.withUnsafeMutableBytes { out in
                    HMAC(digest.evp, keyBytes.baseAddress, Int32(keyBytes.count),
                         input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count,
                         out.baseAddress?.assumingMemoryBound(to: UInt8.self), &size)
                }
            }
        }
        return result != nil && size == UInt32(digest.size) ? output : nil
    }

    /// `count` bytes from OpenSSL's CSPRNG, seeded by the kernel; nil if it has no entropy.
    public static func randomBytes(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        return ok == 1 ? bytes : nil
    }

    /// Compares in time independent of where the two differ; empty never equals.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}
