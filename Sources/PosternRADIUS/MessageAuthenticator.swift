/// Message-Authenticator (RFC 3579 §3.2): HMAC-MD5 keyed by the secret over the packet with
/// this attribute's value zeroed and, in replies, the request's authenticator in the header.
enum MessageAuthenticator {
    static func compute(for packet: RADIUSPacket, authenticator: [UInt8], secret: [UInt8]) throws(RADIUSError) -> [UInt8] {
        var zeroed = packet
        zeroed.authenticator = authenticator
        zeroed.attributes = packet.attributes.map {
            $0.type == .messageAuthenticator ? .octets(.messageAuthenticator, Array(repeating: 0, count: 16)) : $0
        }
        return try RADIUSCrypto.hmacMD5(key: secret, zeroed.encoded())
    }
}
