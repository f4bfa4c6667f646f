import COpenSSL

/// An OpenSSL `SSL_CTX` configured for one side: the listener's server identity, or the relay's
/// trust in upstream mail hosts. Immutable once built, so connections on any thread may share it.
public final class TLSContext: @unchecked Sendable {
    /// TLS 1.2 suites: AEAD only, forward secret only. TLS 1.3 suites are all AEAD already.
    public static let defaultCiphers = "ECDHE+AESGCM:ECDHE+CHACHA20"

    let context: OpaquePointer
    /// Bytes the context's callbacks read (the ALPN id, the accepted server names); freed with it.
    private var callbackArguments: [UnsafeMutableRawPointer] = []
    /// Where client certificates are verified (`client-ca` and `crl`); nil when none is asked for.
    var clientStore: OpaquePointer?
    var clientDepth: Int32 = 4

    private init(method: OpaquePointer?, minimumVersion: TLSVersion) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(method) else {
            throw .invalidConfiguration("SSL_CTX_new: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
        self.context = context
        guard postern_ssl_ctx_set_min_proto(context, minimumVersion.openSSLValue) == 1 else {
            throw .invalidConfiguration("minimum version \(minimumVersion.rawValue) refused")
        }
        _ = postern_ssl_ctx_set_options(context, POSTERN_SSL_OP_NO_COMPRESSION() | POSTERN_SSL_OP_NO_RENEGOTIATION())
        // Release buffers: an idle session keeps no 16 KiB record buffers. Partial and moving
        // writes: the handler hands OpenSSL each buffered write as it stands.
        _ = postern_ssl_ctx_set_mode(context, POSTERN_SSL_MODE_RELEASE_BUFFERS()
            | POSTERN_SSL_MODE_ENABLE_PARTIAL_WRITE() | POSTERN_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER())
    }

    deinit {
        SSL_CTX_free(context)
        if let clientStore { X509_STORE_free(clientStore) }
        callbackArguments.forEach { $0.deallocate() }
    }

    /// The listener's context: the server's chain (leaf first) and its key, both PEM.
    /// `ciphers` is a TLS 1.2 list in OpenSSL syntax, `ciphersuites` the TLS 1.3 one.
    /// `applicationProtocol`: the ALPN id a client that offers ALPN must offer (ALPACA, SPEC §4).
    /// `serverNames`: when not empty, an SNI the client sends must be one of them.
    /// `clientCertificates`: ask every client for a certificate and check it against these.
    public static func server(
        certificateChainPEM: [UInt8],
        privateKeyPEM: [UInt8],
        minimumVersion: TLSVersion = .v1_2,
        ciphers: String? = nil,
        ciphersuites: String? = nil,
        applicationProtocol: String? = nil,
        serverNames: [String] = [],
        clientCertificates: ClientCertificateTrust? = nil
    ) throws(TLSError) -> TLSContext {
        let tls = try TLSContext(method: TLS_server_method(), minimumVersion: minimumVersion)
        try tls.setCiphers(ciphers ?? defaultCiphers, ciphersuites: ciphersuites)
        _ = postern_ssl_ctx_set_options(tls.context, POSTERN_SSL_OP_CIPHER_SERVER_PREFERENCE())
        // No server-side session cache: its memory grows with clients; stateless tickets still
        // let clients resume.
        _ = postern_ssl_ctx_set_session_cache_mode(tls.context, Int(SSL_SESS_CACHE_OFF))
        try tls.useCertificateChain(certificateChainPEM)
        try tls.usePrivateKey(privateKeyPEM)
        if let applicationProtocol {
            try tls.serveOnly(applicationProtocol: applicationProtocol)
        }
        if !serverNames.isEmpty {
            try tls.acceptOnly(serverNames: serverNames)
        }
        if let clientCertificates {
            try tls.requestClientCertificates(clientCertificates)
        }
        return tls
    }

    private func serveOnly(applicationProtocol: String) throws(TLSError) {
        let id = Array(applicationProtocol.utf8)
        guard (1...255).contains(id.count) else {
            throw .invalidConfiguration("ALPN id \"\(applicationProtocol)\" must be 1 to 255 bytes")
        }
        let wire = retain([UInt8(id.count)] + id)
        postern_ssl_ctx_serve_alpn(context, wire.assumingMemoryBound(to: UInt8.self))
    }

    private func acceptOnly(serverNames: [String]) throws(TLSError) {
        var list: [UInt8] = []
        for name in serverNames {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, !bytes.contains(0) else {
                throw .invalidConfiguration("server name \"\(name)\" is empty or holds a NUL")
            }
            list += bytes + [0]
        }
        let names = retain(list + [0])
        postern_ssl_ctx_require_servername(context, names.assumingMemoryBound(to: CChar.self))
    }

    /// A copy of `bytes` that lives as long as the context.
    private func retain(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 1)
        copy.copyMemory(from: bytes, byteCount: bytes.count)
        callbackArguments.append(copy)
        return copy
    }

    /// The relay's context for upstream TLS. `trustRootsPEM` nil trusts the system's CA store.
    /// Every connection verifies the chain; the handler adds the host name.
    public static func client(
        trustRootsPEM: [UInt8]?, minimumVersion: TLSVersion = .v1_2
    ) throws(TLSError) -> TLSContext {
        let tls = try TLSContext(method: TLS_client_method(), minimumVersion: minimumVersion)
        try tls.setCiphers(defaultCiphers, ciphersuites: nil)
        if let trustRootsPEM {
            try tls.trust(trustRootsPEM)
        } else {
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_set_default_verify_paths(tls.context) == 1 else {
                throw .certificateLoad("system trust store: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
            }
        }
        SSL_CTX_set_verify(tls.context, SSL_VERIFY_PEER, nil)
        return tls
    }

    /// The ALPN ids a client context offers, in order; tests use it to play a browser or a mail client.
    func offerApplicationProtocols(_ ids: [String]) {
        let wire = ids.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        _ = SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count))
    }

    /// A certificate this client context presents when asked; tests use it to play a user with
    /// a client certificate.
    func presentCertificate(chainPEM: [UInt8], keyPEM: [UInt8]) throws(TLSError) {
        try useCertificateChain(chainPEM)
        try usePrivateKey(keyPEM)
    }

    /// Caps the protocol version; tests use it to play an old client.
    func setMaximumVersion(_ version: TLSVersion) {
        _ = postern_ssl_ctx_set_max_proto(context, version.openSSLValue)
    }

    private func setCiphers(_ ciphers: String, ciphersuites: String?) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_set_cipher_list(context, ciphers) == 1 else {
            throw .invalidConfiguration("no usable cipher in \"\(ciphers)\"")
        }
        if let ciphersuites {
            guard SSL_CTX_set_ciphersuites(context, ciphersuites) == 1 else {
                throw .invalidConfiguration("no usable TLS 1.3 cipher suite in \"\(ciphersuites)\"")
            }
        }
        OpenSSLErrorQueue.clear()
    }

    private func useCertificateChain(_ pem: [UInt8]) throws(TLSError) {
        let chain = try PEM.certificates(in: pem, what: "certificate chain")
        var extras = chain.dropFirst()
        defer { extras.forEach { X509_free($0) } }
        OpenSSLErrorQueue.clear()
        let leafUsed = SSL_CTX_use_certificate(context, chain[0])
        X509_free(chain[0])
        guard leafUsed == 1 else {
            throw .certificateLoad("certificate refused: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
        while let intermediate = extras.first {
            // On success the context owns the intermediate.
            guard postern_ssl_ctx_add_extra_chain_cert(context, intermediate) == 1 else {
                let reasons = OpenSSLErrorQueue.drain().joined(separator: "; ")
                throw .certificateLoad("intermediate certificate refused: \(reasons)")
            }
            extras = extras.dropFirst()
        }
    }

    private func usePrivateKey(_ pem: [UInt8]) throws(TLSError) {
        let key = try PEM.privateKey(in: pem)
        defer { EVP_PKEY_free(key) }
        OpenSSLErrorQueue.clear()
        guard X509_check_private_key(SSL_CTX_get0_certificate(context), key) == 1 else {
            OpenSSLErrorQueue.clear()
            throw .certificateLoad("the private key does not match the certificate")
        }
        guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            throw .certificateLoad("private key refused: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
    }

    private func trust(_ pem: [UInt8]) throws(TLSError) {
        let roots = try PEM.certificates(in: pem, what: "trust roots")
        defer { roots.forEach { X509_free($0) } }
        let store = SSL_CTX_get_cert_store(context)
        OpenSSLErrorQueue.clear()
        for root in roots where X509_STORE_add_cert(store, root) != 1 {
            throw .certificateLoad("trust root refused: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
    }
}
