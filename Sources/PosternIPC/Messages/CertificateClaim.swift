import PosternCore

/// What the listener found about a client certificate, sent with an authentication request
/// when the protocol lists `certificate` (SPEC §3). authd maps the subject to the VPN user by
/// the protocol's `authorization-dn-attributes`.
///
/// The listener is trusted for this claim: it alone sees the handshake that proves the client
/// holds the key (docs/security.md says what a compromised listener could then claim).
public struct CertificateClaim: Equatable, Sendable {
    /// nil: the client sent no certificate.
    public var subject: DistinguishedName?
    /// RFC 4514, for the log.
    public var issuer: String
    public var serial: String
    public var userPrincipalNames: [String]
    /// Why the chain is not trusted (the log's reason); nil when it verified.
    public var refusal: String?

    public init(subject: DistinguishedName?, issuer: String, serial: String, userPrincipalNames: [String], refusal: String?) {
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.userPrincipalNames = userPrincipalNames
        self.refusal = refusal
    }

    /// The most RDNs, attributes per RDN and UPNs a claim carries: far beyond real subjects,
    /// and a bound on the record whatever a client's certificate holds.
    public static let maxRDNs = 64
    public static let maxAttributesPerRDN = 16
    public static let maxUPNs = 16
    /// The most bytes a claim takes in a record; with the largest credentials the record stays
    /// under `IPCLimits.maxRecord`.
    public static let maxEncodedBytes = 6 * 1024

    /// Itself when it fits the record's bounds; otherwise the same certificate refused as too
    /// large, with no subject (a client chooses what its certificate holds).
    public func bounded() -> CertificateClaim {
        var writer = WireWriter(type: 0)
        writer.certificateClaim(self)
        let fits = !writer.overflowed && writer.bytes.count <= Self.maxEncodedBytes
            && (subject?.rdns.count ?? 0) <= Self.maxRDNs
            && (subject?.rdns.allSatisfy { $0.count <= Self.maxAttributesPerRDN } ?? true)
            && userPrincipalNames.count <= Self.maxUPNs
        guard !fits else { return self }
        // Cut by bytes: one character can be a base and any number of combining marks.
        func cut(_ text: String, _ bytes: Int) -> String { String(decoding: Array(text.utf8.prefix(bytes)), as: UTF8.self) }
        return CertificateClaim(subject: nil, issuer: cut(issuer, 256), serial: cut(serial, 128),
                                userPrincipalNames: [], refusal: "client certificate names too large for postern (over \(Self.maxEncodedBytes) bytes)")
    }
}

extension WireWriter {
    mutating func certificateClaim(_ claim: CertificateClaim?) {
        guard let claim else { return bool(false) }
        bool(true)
        bool(claim.subject != nil)
        if let subject = claim.subject {
            u8(UInt8(clamping: subject.rdns.count))
            for rdn in subject.rdns.prefix(Int(UInt8.max)) {
                u8(UInt8(clamping: rdn.count))
                for attribute in rdn.prefix(Int(UInt8.max)) {
                    string(attribute.oid)
                    optionalString(attribute.text)
                    data(attribute.der)
                }
            }
        }
        string(claim.issuer)
        string(claim.serial)
        u8(UInt8(clamping: claim.userPrincipalNames.count))
        for name in claim.userPrincipalNames.prefix(Int(UInt8.max)) { string(name) }
        optionalString(claim.refusal)
    }
}

extension WireReader {
    mutating func certificateClaim() throws(IPCError) -> CertificateClaim? {
        guard try bool() else { return nil }
        var subject: DistinguishedName?
        if try bool() {
            let count = Int(try u8())
            guard count <= CertificateClaim.maxRDNs else { throw .malformed("certificate subject with \(count) RDNs") }
            var rdns: [[DistinguishedName.Attribute]] = []
            for _ in 0..<count {
                let attributes = Int(try u8())
                guard (1...CertificateClaim.maxAttributesPerRDN).contains(attributes) else {
                    throw .malformed("certificate RDN with \(attributes) attributes")
                }
                var rdn: [DistinguishedName.Attribute] = []
                for _ in 0..<attributes {
                    rdn.append(DistinguishedName.Attribute(oid: try string(), text: try optionalString(), der: try data()))
                }
                rdns.append(rdn)
            }
            subject = DistinguishedName(rdns: rdns)
        }
        let issuer = try string(), serial = try string()
        let upnCount = Int(try u8())
        guard upnCount <= CertificateClaim.maxUPNs else { throw .malformed("certificate with \(upnCount) UPNs") }
        var upns: [String] = []
        for _ in 0..<upnCount { upns.append(try string()) }
        return CertificateClaim(subject: subject, issuer: issuer, serial: serial, userPrincipalNames: upns,
                                refusal: try optionalString())
    }
}
