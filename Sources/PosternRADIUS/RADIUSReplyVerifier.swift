/// Checks a reply against the request it answers: code, identifier, Response Authenticator
/// (RFC 2865 §3) and Message-Authenticator (RFC 3579), required on every Access reply unless
/// `requireMessageAuthenticator` is false (the group's `require-message-authenticator`). The
/// Response Authenticator is checked first, so `.missingMessageAuthenticator` means the reply is
/// authentic by it and merely unsigned: its server did answer. A Message-Authenticator that is
/// present is always checked.
public enum RADIUSReplyVerifier {
    public static func verify(reply datagram: [UInt8], to request: RADIUSRequest, secret: [UInt8],
                              requireMessageAuthenticator: Bool = true) throws(RADIUSError) -> RADIUSPacket {
        guard !secret.isEmpty else { throw .emptySecret }
        let reply = try RADIUSPacket(decoding: datagram)
        guard request.code.acceptableReplies.contains(reply.code) else {
            throw .unexpectedReply(reply.code, request: request.code)
        }
        guard reply.identifier == request.identifier else {
            throw .identifierMismatch(reply: reply.identifier, request: request.identifier)
        }
        let expected = try RADIUSCrypto.md5(Array(datagram[0..<4]), request.authenticator,
                                            Array(datagram[RADIUSPacket.headerLength...]), secret)
        guard RADIUSCrypto.constantTimeEqual(expected, reply.authenticator) else { throw .badResponseAuthenticator }

        let macs = reply.values(of: .messageAuthenticator)
        if macs.isEmpty {
            let accessReply = request.code == .accessRequest || reply.code == .accessAccept
            if requireMessageAuthenticator && accessReply { throw .missingMessageAuthenticator }
            return reply
        }
        guard macs.count == 1, macs[0].count == 16 else { throw .badMessageAuthenticator }
        let mac = try MessageAuthenticator.compute(for: reply, authenticator: request.authenticator, secret: secret)
        guard RADIUSCrypto.constantTimeEqual(mac, macs[0]) else { throw .badMessageAuthenticator }
        return reply
    }
}

extension RADIUSPacket {
    /// Whether this packet could answer `request`: its identifier and a fitting code. Says
    /// nothing about authenticity; for that, `RADIUSReplyVerifier.verify`.
    public func matches(request: RADIUSRequest) -> Bool {
        identifier == request.identifier && request.code.acceptableReplies.contains(code)
    }
}
