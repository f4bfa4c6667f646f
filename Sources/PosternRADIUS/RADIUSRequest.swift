/// A request as sent: the datagram, and what its reply is verified against.
public struct RADIUSRequest: Hashable, Sendable {
    public let code: RADIUSCode
    public let identifier: UInt8
    /// The Request Authenticator; replies are signed over it.
    public let authenticator: [UInt8]
    public let datagram: [UInt8]
}

/// Builds the two requests postern sends. Message-Authenticator goes first in Access-Requests
/// so that no attribute an attacker might prefix can precede it (BlastRADIUS, CVE-2024-3596).
public enum RADIUSRequestBuilder {
    /// An Access-Request with User-Name, hidden User-Password and `attributes` (any
    /// Message-Authenticator, User-Name or User-Password among them is dropped).
    /// `requestAuthenticator` is for tests; by default 16 random bytes.
    public static func accessRequest(identifier: UInt8, userName: String, password: [UInt8],
                                     attributes: [RADIUSAttribute], secret: [UInt8],
                                     requestAuthenticator: [UInt8]? = nil) throws(RADIUSError) -> RADIUSRequest {
        let reserved: Set<RADIUSAttributeType> = [.messageAuthenticator, .userName, .userPassword]
        return try signed(.accessRequest, identifier: identifier, secret: secret,
                          requestAuthenticator: requestAuthenticator) { (authenticator) throws(RADIUSError) in
            let hidden = try UserPasswordHiding.hide(password: password, secret: secret, requestAuthenticator: authenticator)
            return [.string(.userName, userName), .octets(.userPassword, hidden)] + attributes.filter { !reserved.contains($0.type) }
        }
    }

    /// A Status-Server (RFC 5997 §3): a random Request Authenticator, Message-Authenticator
    /// first (the RFC requires it) and `attributes`. Asks whether a server is alive without
    /// asking about any user.
    public static func statusServer(identifier: UInt8, attributes: [RADIUSAttribute], secret: [UInt8],
                                    requestAuthenticator: [UInt8]? = nil) throws(RADIUSError) -> RADIUSRequest {
        try signed(.statusServer, identifier: identifier, secret: secret, requestAuthenticator: requestAuthenticator) {
            (_: [UInt8]) throws(RADIUSError) in attributes.filter { $0.type != .messageAuthenticator }
        }
    }

    /// A request with a random (or given) Request Authenticator and Message-Authenticator first,
    /// then the attributes `rest` builds from the authenticator.
    private static func signed(_ code: RADIUSCode, identifier: UInt8, secret: [UInt8], requestAuthenticator: [UInt8]?,
                               rest: ([UInt8]) throws(RADIUSError) -> [RADIUSAttribute]) throws(RADIUSError) -> RADIUSRequest {
        guard !secret.isEmpty else { throw .emptySecret }
        let authenticator: [UInt8]
        if let requestAuthenticator {
            authenticator = requestAuthenticator
        } else {
            authenticator = try RADIUSCrypto.randomBytes(RADIUSPacket.authenticatorLength)
        }
        guard authenticator.count == RADIUSPacket.authenticatorLength else { throw .invalidAuthenticator }
        var packet = RADIUSPacket(code: code, identifier: identifier, authenticator: authenticator,
                                  attributes: [.octets(.messageAuthenticator, Array(repeating: 0, count: 16))]
                                      + (try rest(authenticator)))
        let mac = try MessageAuthenticator.compute(for: packet, authenticator: authenticator, secret: secret)
        packet.attributes[0] = .octets(.messageAuthenticator, mac)
        return RADIUSRequest(code: code, identifier: identifier, authenticator: authenticator,
                             datagram: try packet.encoded())
    }

    /// An Accounting-Request (RFC 2866 §3): Request Authenticator = MD5(packet with a zero
    /// authenticator + secret). Any Message-Authenticator in `attributes` is dropped: the
    /// authenticator already covers the whole packet with the secret.
    public static func accountingRequest(identifier: UInt8, attributes: [RADIUSAttribute],
                                         secret: [UInt8]) throws(RADIUSError) -> RADIUSRequest {
        guard !secret.isEmpty else { throw .emptySecret }
        let zero = [UInt8](repeating: 0, count: RADIUSPacket.authenticatorLength)
        var packet = RADIUSPacket(code: .accountingRequest, identifier: identifier, authenticator: zero,
                                  attributes: attributes.filter { $0.type != .messageAuthenticator })
        let authenticator = try RADIUSCrypto.md5(packet.encoded(), secret)
        packet.authenticator = authenticator
        return RADIUSRequest(code: .accountingRequest, identifier: identifier, authenticator: authenticator,
                             datagram: try packet.encoded())
    }
}
