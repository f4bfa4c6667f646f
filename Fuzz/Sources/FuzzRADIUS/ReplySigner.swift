import FuzzSupport
import PosternCrypto

/// Makes an input into the reply a server holding the secret would send to a request: its
/// identifier and Length field set, each 16-byte Message-Authenticator filled in (RFC 3579
/// §3.2, over the packet with the request's authenticator in the header), then the Response
/// Authenticator (RFC 2865 §3). Written from the RFCs, not through the code under test.
enum ReplySigner {
    /// Nil for an input too short or too long to be a packet at all.
    static func signed(_ input: [UInt8], identifier: UInt8, requestAuthenticator: [UInt8],
                       secret: [UInt8]) -> [UInt8]? {
        guard (20...4096).contains(input.count) else { return nil }
        var bytes = input
        bytes[1] = identifier
        bytes[2] = UInt8(bytes.count >> 8)
        bytes[3] = UInt8(bytes.count & 0xFF)
        return sign(bytes, requestAuthenticator: requestAuthenticator, secret: secret)
    }

    /// Signs `bytes` as they are (Code, Identifier and Length untouched).
    static func sign(_ packet: [UInt8], requestAuthenticator: [UInt8], secret: [UInt8]) -> [UInt8] {
        var bytes = packet
        bytes.replaceSubrange(4..<20, with: requestAuthenticator)
        let macs = messageAuthenticatorValues(bytes)
        if !macs.isEmpty {
            for offset in macs { bytes.replaceSubrange(offset..<offset + 16, with: repeatElement(0, count: 16)) }
            guard let mac = Crypto.hmac(.md5, key: secret, bytes) else { violation("harness: HMAC-MD5 failed") }
            for offset in macs { bytes.replaceSubrange(offset..<offset + 16, with: mac) }
        }
        guard let response = Crypto.digest(.md5, bytes + secret) else { violation("harness: MD5 failed") }
        bytes.replaceSubrange(4..<20, with: response)
        return bytes
    }

    /// Offsets of the values of the Message-Authenticators that are 16 bytes long, in a packet
    /// whose attributes are well formed; none otherwise (decoding refuses it anyway).
    static func messageAuthenticatorValues(_ bytes: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        var offset = 20
        while offset + 1 < bytes.count {
            let length = Int(bytes[offset + 1])
            guard length >= 3, offset + length <= bytes.count else { return [] }
            if bytes[offset] == 80, length == 18 { offsets.append(offset + 2) }
            offset += length
        }
        return offset == bytes.count ? offsets : []
    }
}
