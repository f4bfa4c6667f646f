/// `[tls]`: the server certificate every e-mail proxy presents, and client verification.
public struct TLSSettings: Codable, Sendable, Equatable {
    /// PEM chain. Absent only when no proxy is enabled.
    public var certificate: String?
    /// PEM private key; the certificate file when not set (a PEM holding both).
    public var privateKey: String?
    public var minVersion: TLSVersion
    /// TLS 1.2 cipher list in OpenSSL syntax (TLS 1.3 suites are OpenSSL's own).
    public var ciphers: String
    /// CA bundle for client certificates (certificate authentication).
    public var clientCA: String?
    /// PEM CRLs, one per CA of a client chain; re-read on reload.
    public var crl: String?
    /// The most intermediate CAs between a client certificate and `client-ca`.
    public var verifyDepth: Int

    public init(certificate: String? = nil, privateKey: String? = nil, minVersion: TLSVersion = .v1_2,
                ciphers: String = TLSSettings.defaultCiphers, clientCA: String? = nil, crl: String? = nil,
                verifyDepth: Int = 4) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.minVersion = minVersion
        self.ciphers = ciphers
        self.clientCA = clientCA
        self.crl = crl
        self.verifyDepth = verifyDepth
    }

    /// Forward-secret AEAD suites only.
    public static let defaultCiphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")
}

public enum TLSVersion: String, Codable, Sendable, CaseIterable {
    case v1_2 = "1.2"
    case v1_3 = "1.3"
}
