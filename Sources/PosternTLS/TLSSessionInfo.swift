/// What the handshake settled, for the "TLS established" log line (SPEC §6).
public struct TLSSessionInfo: Sendable, Equatable {
    /// `TLSv1.2` or `TLSv1.3`.
    public var version: String
    /// OpenSSL's name for the cipher, e.g. `TLS_AES_256_GCM_SHA384`.
    public var cipher: String
    /// The peer certificate's subject, RFC 4514 one-line; nil when the peer sent none.
    public var peerSubject: String?
    /// What a context that asks for client certificates found; nil when it asks for none.
    public var clientCertificate: ClientCertificateCheck?

    public init(version: String, cipher: String, peerSubject: String?, clientCertificate: ClientCertificateCheck? = nil) {
        self.version = version
        self.cipher = cipher
        self.peerSubject = peerSubject
        self.clientCertificate = clientCertificate
    }
}

/// User inbound events fired by `OpenSSLHandler`.
public enum TLSEvent: Sendable, Equatable {
    /// Fired before the last handshake bytes are flushed: a greeting written (and flushed) while
    /// handling this event leaves in the same packet as the end of the handshake.
    case handshakeCompleted(TLSSessionInfo)
}
