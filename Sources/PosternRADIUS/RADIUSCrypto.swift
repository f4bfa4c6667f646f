import COpenSSL

/// The digests RADIUS is built on, through OpenSSL's EVP; MD5 is what the RFCs fix, not a choice.
enum RADIUSCrypto {
    static func md5(_ parts: [UInt8]...) throws(RADIUSError) -> [UInt8] {
        let data = parts.flatMap { $0 }
        var digest = [UInt8](repeating: 0, count: 16)
        var size: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { output in
                EVP_Digest(input.baseAddress, input.count,
                           output.baseAddress?.assumingMemoryBound(to: UInt8.self), &size, EVP_md5(), nil)
            }
        }
        guard ok == 1, size == 16 else { throw .cryptoFailure("EVP_Digest(MD5)") }
        return digest
    }

    static func hmacMD5(key: [UInt8], _ data: [UInt8]) throws(RADIUSError) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 16)
        var size: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { input in
                mac.withUnsafeMutableBytes { output in
                    HMAC(EVP_md5(), keyBytes.baseAddress, Int32(keyBytes.count),
                         input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count,
                         output.baseAddress?.assumingMemoryBound(to: UInt8.self), &size)
                }
            }
        }
        guard result != nil, size == 16 else { throw .cryptoFailure("HMAC(MD5)") }
        return mac
    }

    /// Request Authenticators must be unpredictable (RFC 2865 §3): OpenSSL's CSPRNG, seeded by the kernel.
    static func randomBytes(_ count: Int) throws(RADIUSError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        guard ok == 1 else { throw .randomUnavailable }
        return bytes
    }

    /// Equal-length comparison whose time does not depend on where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }
}
