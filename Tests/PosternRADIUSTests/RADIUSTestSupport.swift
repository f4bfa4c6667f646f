@testable import PosternRADIUS

/// Hex helpers and a server's side of the exchange, built from raw bytes rather than through
/// the encoder under test.
enum TestSupport {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    static let secret = Array("xyzzy5461".utf8)

    enum MessageAuth { case correct, missing, wrongKey, atEnd, twice }

    /// A reply as a RADIUS server writes it: Message-Authenticator computed with the request's
    /// authenticator in the header, then the Response Authenticator over the result.
    static func serverReply(code: UInt8, identifier: UInt8, requestAuthenticator: [UInt8],
                            attributes: [(UInt8, [UInt8])], secret: [UInt8] = secret,
                            messageAuth: MessageAuth = .correct) throws -> [UInt8] {
        let zero = [UInt8](repeating: 0, count: 16)
        var body: [UInt8] = []
        var macOffsets: [Int] = []
        func addMAC() { macOffsets.append(20 + body.count + 2); body += [80, 18] + zero }
        switch messageAuth {
        case .correct, .wrongKey: addMAC()
        case .twice: addMAC(); addMAC()
        case .missing, .atEnd: break
        }
        for (type, value) in attributes { body += [type, UInt8(value.count + 2)] + value }
        if messageAuth == .atEnd { addMAC() }
        let length = 20 + body.count
        var bytes = [code, identifier, UInt8(length >> 8), UInt8(length & 0xff)] + requestAuthenticator + body
        if !macOffsets.isEmpty {
            let key = messageAuth == .wrongKey ? Array("not-the-secret".utf8) : secret
            let mac = try RADIUSCrypto.hmacMD5(key: key, bytes)
            for offset in macOffsets { bytes.replaceSubrange(offset..<offset + 16, with: mac) }
        }
        let response = try RADIUSCrypto.md5(bytes, secret)
        bytes.replaceSubrange(4..<20, with: response)
        return bytes
    }
}
