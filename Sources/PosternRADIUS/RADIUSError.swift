/// Why a RADIUS packet could not be built, decoded or trusted. Carries no secret or password.
public enum RADIUSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The datagram is shorter than a header, or than its Length field says.
    case truncated(datagram: Int, needed: Int)
    /// The Length field is outside 20...4096.
    case invalidLength(Int)
    /// The datagram carries bytes beyond its Length field.
    case trailingBytes(Int)
    /// An attribute's length is below 3 or runs past the packet.
    case malformedAttribute(type: UInt8, offset: Int)
    /// An attribute value longer than 253 bytes.
    case attributeTooLong(RADIUSAttributeType, length: Int)
    /// An address value of the wrong size.
    case invalidValue(RADIUSAttributeType)
    /// The encoded packet would exceed 4096 bytes.
    case packetTooLong(Int)
    /// The shared secret is empty (RFC 2865 §3 forbids it).
    case emptySecret
    /// The password is longer than 128 bytes (RFC 2865 §5.2).
    case passwordTooLong(Int)
    /// The authenticator is not 16 bytes.
    case invalidAuthenticator
    /// The kernel random source failed.
    case randomUnavailable
    /// A digest failed inside OpenSSL.
    case cryptoFailure(String)
    /// The reply's code does not answer the request's.
    case unexpectedReply(RADIUSCode, request: RADIUSCode)
    /// The reply's identifier is not the request's.
    case identifierMismatch(reply: UInt8, request: UInt8)
    /// The Response Authenticator is wrong: wrong secret, or forged.
    case badResponseAuthenticator
    /// An Access reply without Message-Authenticator (required since BlastRADIUS, CVE-2024-3596).
    case missingMessageAuthenticator
    /// Message-Authenticator present but wrong, misplaced in length, or repeated.
    case badMessageAuthenticator

    public var description: String {
        switch self {
        case let .truncated(datagram, needed): "RADIUS packet truncated: \(datagram) bytes, \(needed) needed"
        case let .invalidLength(length): "RADIUS Length field \(length) outside 20...4096"
        case let .trailingBytes(count): "RADIUS datagram has \(count) bytes beyond its Length field"
        case let .malformedAttribute(type, offset): "RADIUS attribute \(type) at offset \(offset) has a bad length"
        case let .attributeTooLong(type, length): "RADIUS \(type) value of \(length) bytes exceeds 253"
        case let .invalidValue(type): "RADIUS \(type) value has the wrong size"
        case let .packetTooLong(length): "RADIUS packet of \(length) bytes exceeds 4096"
        case .emptySecret: "RADIUS shared secret is empty"
        case let .passwordTooLong(length): "password of \(length) bytes exceeds RADIUS's 128"
        case .invalidAuthenticator: "RADIUS authenticator is not 16 bytes"
        case .randomUnavailable: "random bytes unavailable for the RADIUS Request Authenticator"
        case let .cryptoFailure(what): "OpenSSL \(what) failed"
        case let .unexpectedReply(code, request): "RADIUS \(code) does not answer \(request)"
        case let .identifierMismatch(reply, request): "RADIUS reply identifier \(reply) does not match request \(request)"
        case .badResponseAuthenticator: "RADIUS Response Authenticator wrong (shared secret mismatch or forged reply)"
        case .missingMessageAuthenticator: "RADIUS reply lacks Message-Authenticator (required, RFC 3579 / CVE-2024-3596)"
        case .badMessageAuthenticator: "RADIUS Message-Authenticator wrong (shared secret mismatch or forged reply)"
        }
    }
}
