import COpenSSL
import PosternCore

/// What a server context needs to ask for and check client certificates (SPEC §2 `[tls]`
/// `client-ca`, `crl`, `verify-depth`): the files' contents, read by the supervisor.
public struct ClientCertificateTrust: Sendable {
    public var certificateAuthoritiesPEM: [UInt8]
    /// One or more CRLs; when set, every CA of a client chain must have a current one.
    public var revocationListsPEM: [UInt8]?
    /// The most intermediate CAs between a client certificate and its trusted CA.
    public var depth: Int

    public init(certificateAuthoritiesPEM: [UInt8], revocationListsPEM: [UInt8]?, depth: Int) {
        self.certificateAuthoritiesPEM = certificateAuthoritiesPEM
        self.revocationListsPEM = revocationListsPEM
        self.depth = depth
    }
}

extension ClientCertificateTrust {
    /// Reads the files as a server context will, so that the supervisor fails a start or a
    /// reload on a damaged client-ca or crl instead of the listener (SPEC §2: refused like any
    /// bad configuration; a reload keeps the running one).
    public func validate() throws(TLSError) {
        PEM.free(certificates: try PEM.certificates(in: certificateAuthoritiesPEM, what: "client-ca"))
        if let revocationListsPEM {
            PEM.free(revocationLists: try PEM.revocationLists(in: revocationListsPEM, what: "crl"))
        }
    }
}

/// A client's certificate as the log and the username mapping see it.
public struct ClientCertificate: Sendable, Equatable {
    public var subject: DistinguishedName
    public var issuer: DistinguishedName
    /// Upper-case hex, no separators.
    public var serial: String
    /// subjectAltName's Microsoft UPNs, in order.
    public var userPrincipalNames: [String]
}

/// The outcome for a context that asks for client certificates: what was sent, and why it is
/// not trusted (nil: the chain verified).
public struct ClientCertificateCheck: Sendable, Equatable {
    public var certificate: ClientCertificate?
    public var refusal: CertificateRefusal?
}

extension TLSContext {
    /// Asks every client for a certificate (naming `client-ca`'s subjects) and keeps what the
    /// chain is checked against.
    func requestClientCertificates(_ trust: ClientCertificateTrust) throws(TLSError) {
        let authorities = try PEM.certificates(in: trust.certificateAuthoritiesPEM, what: "client-ca")
        defer { authorities.forEach { X509_free($0) } }
        guard let store = X509_STORE_new() else { throw .invalidConfiguration("out of memory for the client-ca store") }
        clientStore = store
        OpenSSLErrorQueue.clear()
        for authority in authorities {
            guard X509_STORE_add_cert(store, authority) == 1, SSL_CTX_add_client_CA(context, authority) == 1 else {
                throw .certificateLoad("client-ca: a certificate was refused: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
            }
        }
        if let pem = trust.revocationListsPEM {
            let lists = try PEM.revocationLists(in: pem, what: "crl")
            defer { lists.forEach { X509_CRL_free($0) } }
            for list in lists where X509_STORE_add_crl(store, list) != 1 {
                throw .certificateLoad("crl: a CRL was refused: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
            }
            _ = X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        clientDepth = Int32(clamping: trust.depth)
        postern_ssl_ctx_request_client_certificate(context)
        // No resumption: a resumed session keeps the client's certificate but not the chain it
        // sent, so the check after the handshake could not verify it again (and a CRL read since
        // must apply). Every connection makes a full handshake and sends its chain.
        _ = postern_ssl_ctx_set_options(context, POSTERN_SSL_OP_NO_TICKET())
        _ = SSL_CTX_set_num_tickets(context, 0)
        let id = Array("postern-client-certificate".utf8)
        _ = SSL_CTX_set_session_id_context(context, id, UInt32(id.count))
    }

    /// The check of `ssl`'s client certificate after the handshake; nil when this context asks
    /// for none. The chain is verified here, stopping at the first problem, with the purpose
    /// "TLS client".
    func checkClientCertificate(of ssl: OpaquePointer) -> ClientCertificateCheck? {
        guard let store = clientStore else { return nil }
        guard let leaf = SSL_get1_peer_certificate(ssl) else {
            return ClientCertificateCheck(certificate: nil, refusal: .noCertificate)
        }
        defer { X509_free(leaf) }
        let certificate = ClientCertificate(of: leaf)
        guard let verification = X509_STORE_CTX_new() else {
            return ClientCertificateCheck(certificate: certificate, refusal: .untrusted(detail: "out of memory"))
        }
        defer { X509_STORE_CTX_free(verification) }
        OpenSSLErrorQueue.clear()
        guard X509_STORE_CTX_init(verification, store, leaf, postern_ssl_peer_chain(ssl)) == 1 else {
            return ClientCertificateCheck(certificate: certificate,
                                          refusal: .untrusted(detail: OpenSSLErrorQueue.drain().joined(separator: "; ")))
        }
        X509_STORE_CTX_set_depth(verification, clientDepth)
        _ = X509_STORE_CTX_set_purpose(verification, X509_PURPOSE_SSL_CLIENT)
        let verified = X509_verify_cert(verification) == 1
        OpenSSLErrorQueue.clear()
        let refusal = verified ? nil : Self.refusal(X509_STORE_CTX_get_error(verification),
                                                    inCA: X509_STORE_CTX_get_error_depth(verification) > 0)
        return ClientCertificateCheck(certificate: certificate, refusal: refusal)
    }

    /// `inCA`: the problem is with a CA of the chain, not the client's own certificate.
    static func refusal(_ code: Int32, inCA: Bool) -> CertificateRefusal {
        let detail = String(cString: X509_verify_cert_error_string(Int(code)))
        if inCA, [X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_REVOKED].contains(code) {
            return .untrusted(detail: "a CA of the chain: \(detail)")
        }
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED: return .expired
        case X509_V_ERR_CERT_NOT_YET_VALID: return .notYetValid
        case X509_V_ERR_CERT_REVOKED: return .revoked
        case X509_V_ERR_CERT_CHAIN_TOO_LONG: return .tooDeep
        case X509_V_ERR_UNABLE_TO_GET_CRL, X509_V_ERR_CRL_HAS_EXPIRED, X509_V_ERR_CRL_NOT_YET_VALID,
             X509_V_ERR_CRL_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
            return .crlUnavailable(detail: detail)
        default: return .untrusted(detail: detail)
        }
    }
}

extension ClientCertificate {
    init(of certificate: OpaquePointer) {
        subject = X509Name.distinguishedName(X509_get_subject_name(certificate))
        issuer = X509Name.distinguishedName(X509_get_issuer_name(certificate))
        serial = X509Name.serial(of: certificate)
        var names: [String] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        for index in 0..<16 {
            let length = buffer.withUnsafeMutableBufferPointer {
                postern_x509_upn(certificate, Int32(index), $0.baseAddress, Int32($0.count))
            }
            guard length >= 0 else { break }
            // Not UTF-8 after all: no name (a replacement character would make one up).
            if let name = String(validating: buffer.prefix(Int(length)), as: UTF8.self) { names.append(name) }
        }
        userPrincipalNames = names
    }
}
