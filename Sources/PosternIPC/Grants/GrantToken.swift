import PosternConfig
import PosternCrypto
import PosternCore

/// What a grant lets the listener do with a session (SPEC §1: grants come only from authd):
/// log in as this mail user at this mail host for this VPN user, over this protocol, with or
/// without an upstream login. authd signs them (`GrantToken`); a relay and authd itself check
/// the signature, so a compromised listener can neither invent a login nor move one to another
/// user, host or protocol.
public struct GrantClaims: Equatable, Sendable {
    public var session: SessionID
    public var proto: MailProtocol
    public var vpnUser: String
    public var mailUser: String
    public var mailHost: String
    public var mailPort: UInt16
    public var authenticateUpstream: Bool

    public init(session: SessionID, proto: MailProtocol, vpnUser: String, mailUser: String, mailHost: String,
                mailPort: UInt16, authenticateUpstream: Bool) {
        self.session = session; self.proto = proto; self.vpnUser = vpnUser; self.mailUser = mailUser
        self.mailHost = mailHost; self.mailPort = mailPort; self.authenticateUpstream = authenticateUpstream
    }

    /// One unambiguous byte string per set of claims: fixed-size numbers, length-prefixed strings.
    var signedBytes: [UInt8] {
        var w = WireWriter(type: 0x67)   // "g": a domain of its own, apart from every record type
        w.claims(self)
        return w.bytes
    }
}

/// The key authd signs grants with and the relays check them with: made by the supervisor at
/// start, handed to authd and the relays only (never the listener), kept across reloads and
/// role restarts so that a restarted authd or relay still knows the grants of live sessions.
public struct GrantKey: Sendable {
    public static let size = 32
    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        self.bytes = bytes
    }

    public static func generate() -> GrantKey? {
        Crypto.randomBytes(size).flatMap(GrantKey.init)
    }
}

public enum GrantToken {
    public static let size = Crypto.Digest.sha256.size

    /// The token for `claims`; empty only if OpenSSL fails (then nothing verifies).
    public static func sign(_ claims: GrantClaims, key: GrantKey) -> [UInt8] {
        Crypto.hmac(.sha256, key: key.bytes, claims.signedBytes) ?? []
    }

    public static func verify(_ token: [UInt8], _ claims: GrantClaims, key: GrantKey?) -> Bool {
        guard let key, token.count == size else { return false }
        return Crypto.constantTimeEqual(token, sign(claims, key: key))
    }
}

extension WireWriter {
    /// The claims as they travel in relay requests and resyncs: the same fields, in the same
    /// order, as the bytes the token signs.
    mutating func claims(_ c: GrantClaims) {
        u64(c.session.rawValue); string(c.proto.rawValue); string(c.vpnUser); string(c.mailUser)
        string(c.mailHost); u16(c.mailPort); bool(c.authenticateUpstream)
    }
}

extension WireReader {
    mutating func claims() throws(IPCError) -> GrantClaims {
        GrantClaims(session: SessionID(rawValue: try u64()), proto: try IPCCodec.decodeProto(string()),
                    vpnUser: try string(), mailUser: try string(), mailHost: try string(), mailPort: try u16(),
                    authenticateUpstream: try bool())
    }
}
