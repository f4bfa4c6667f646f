import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One step of a non-blocking OpenSSL call, with `SSL_get_error` folded into three answers.
public enum TLSResult<Value> {
    /// OpenSSL wants more ciphertext from the peer before it can go on.
    case incomplete
    case complete(Value)
    case failed(TLSError)
}

/// What a read found: decrypted bytes, or the peer's close_notify.
public enum TLSReadOutcome: Equatable, Sendable {
    case plaintext(count: Int)
    case closeNotify
}

/// One TLS session: an `SSL` between two memory BIOs. Ciphertext from the peer is fed in,
/// ciphertext for the peer is taken out; nothing here knows about channels or event loops.
/// Not thread-safe: one owner drives it.
public final class TLSConnection {
    public enum Role: Sendable {
        case server
        /// A client verifies the server's chain and `serverHostname` (a DNS name or an IP literal).
        case client(serverHostname: String)
    }

    /// Drained memory BIOs larger than this are replaced, so an idle session keeps no large
    /// buffer behind; smaller ones (interactive traffic) are kept to avoid reallocating.
    public static let retainedBIOCapacity = 4096

    private let ssl: OpaquePointer
    /// Kept for `ssl`'s lifetime: OpenSSL counts its references to the SSL_CTX, but the ALPN
    /// and SNI callbacks read bytes the Swift context owns (a reload may drop it mid-handshake).
    private let context: TLSContext
    private let role: Role
    // Owned by `ssl`.
    private var fromPeer: OpaquePointer
    private var toPeer: OpaquePointer

    public init(context: TLSContext, role: Role) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.context) else {
            throw .invalidConfiguration("SSL_new: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
        guard let fromPeer = Self.newMemoryBIO(), let toPeer = Self.newMemoryBIO() else {
            SSL_free(ssl)
            throw .invalidConfiguration("out of memory for TLS buffers")
        }
        SSL_set_bio(ssl, fromPeer, toPeer)
        self.ssl = ssl
        self.context = context
        self.role = role
        self.fromPeer = fromPeer
        self.toPeer = toPeer
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(let serverHostname):
            SSL_set_connect_state(ssl)
            try expectPeer(named: serverHostname)
        }
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs
    }

    // MARK: Ciphertext in and out

    /// Hands OpenSSL ciphertext received from the peer.
    public func feed(_ ciphertext: UnsafeRawBufferPointer) {
        guard let base = ciphertext.baseAddress, ciphertext.count > 0 else { return }
        // A memory BIO grows to take everything; it fails only when memory runs out, and then the
        // next SSL call reports the damage.
        _ = BIO_write(fromPeer, base, Int32(clamping: ciphertext.count))
    }

    /// Bytes waiting to be sent to the peer.
    public var pendingCiphertextCount: Int {
        postern_bio_ctrl_pending(toPeer)
    }

    /// Moves up to `buffer.count` pending bytes into `buffer`; returns how many.
    public func takeCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return max(0, Int(BIO_read(toPeer, base, Int32(clamping: buffer.count))))
    }

    /// Replaces drained BIOs whose buffers grew beyond `limit` bytes (after a burst of bulk data,
    /// or the handshake with 0), so an idle session holds no buffer of that size. Cheap to call
    /// after every burst.
    public func releaseIdleBuffers(keepingUpTo limit: Int = retainedBIOCapacity) {
        if let bio = Self.replacement(for: fromPeer, limit: limit) {
            SSL_set0_rbio(ssl, bio)
            fromPeer = bio
        }
        if let bio = Self.replacement(for: toPeer, limit: limit) {
            SSL_set0_wbio(ssl, bio)
            toPeer = bio
        }
    }

    /// What each memory BIO has allocated (for tests of `releaseIdleBuffers`).
    var bufferedCapacity: (fromPeer: Int, toPeer: Int) {
        (postern_bio_get_mem_ptr(fromPeer)?.pointee.max ?? 0, postern_bio_get_mem_ptr(toPeer)?.pointee.max ?? 0)
    }

    // MARK: TLS operations

    public func handshake() -> TLSResult<Void> {
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return .complete(()) }
        switch classify(rc) {
        case .retry:
            return .incomplete
        case .closeNotify:
            return .failed(.handshakeFailed(reasons: ["peer closed the connection during the handshake"]))
        case .error(let reasons):
            let verification = SSL_get_verify_result(ssl)
            if case .client = role, verification != Int(X509_V_OK) {
                let reason = String(cString: X509_verify_cert_error_string(verification))
                return .failed(.certificateRejected(reason: reason))
            }
            return .failed(.handshakeFailed(reasons: reasons))
        }
    }

    /// Decrypts what has arrived, without consuming it, and says how much plaintext is ready now.
    /// Lets a caller size its buffer before `read`, and skip allocating when nothing came.
    public func peek() -> TLSResult<TLSReadOutcome> {
        var byte: UInt8 = 0
        OpenSSLErrorQueue.clear()
        let rc = SSL_peek(ssl, &byte, 1)
        if rc > 0 { return .complete(.plaintext(count: Int(SSL_pending(ssl)))) }
        return readFailure(rc)
    }

    /// An upper bound on the plaintext a series of reads can yield now: what is decrypted plus
    /// the ciphertext not yet looked at (plaintext is never longer than its record).
    public var plaintextUpperBound: Int {
        Int(SSL_pending(ssl)) + postern_bio_ctrl_pending(fromPeer)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSResult<TLSReadOutcome> {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .complete(.plaintext(count: 0)) }
        OpenSSLErrorQueue.clear()
        let rc = SSL_read(ssl, base, Int32(clamping: buffer.count))
        if rc > 0 { return .complete(.plaintext(count: Int(rc))) }
        return readFailure(rc)
    }

    /// Encrypts from the start of `plaintext`; returns how many bytes were taken (possibly fewer
    /// than offered: call again with the rest).
    public func write(_ plaintext: UnsafeRawBufferPointer) -> TLSResult<Int> {
        guard let base = plaintext.baseAddress, plaintext.count > 0 else { return .complete(0) }
        OpenSSLErrorQueue.clear()
        let rc = SSL_write(ssl, base, Int32(clamping: plaintext.count))
        if rc > 0 { return .complete(Int(rc)) }
        switch classify(rc) {
        case .retry: return .incomplete
        case .closeNotify: return .failed(.writeFailed(reasons: ["the peer has closed the session"]))
        case .error(let reasons): return .failed(.writeFailed(reasons: reasons))
        }
    }

    /// Queues our close_notify. `.complete` once the peer's close_notify has also been seen,
    /// `.incomplete` while it has not; either way the alert is ready to take out.
    public func shutdown() -> TLSResult<Void> {
        OpenSSLErrorQueue.clear()
        let rc = SSL_shutdown(ssl)
        switch rc {
        case 1: return .complete(())
        case 0: return .incomplete
        default:
            switch classify(rc) {
            case .retry, .closeNotify: return .incomplete
            case .error(let reasons): return .failed(.writeFailed(reasons: reasons))
            }
        }
    }

    /// The negotiated parameters; meaningful once the handshake is complete.
    public func sessionInfo() -> TLSSessionInfo {
        let cipher = SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) }
        let clientCertificate = context.checkClientCertificate(of: ssl)
        // A checked client certificate has its subject read already.
        var subject = clientCertificate?.certificate?.subject.rfc4514
        if clientCertificate == nil, let certificate = SSL_get1_peer_certificate(ssl) {
            subject = X509Name.distinguishedName(X509_get_subject_name(certificate)).rfc4514
            X509_free(certificate)
        }
        let version = String(cString: SSL_get_version(ssl))
        return TLSSessionInfo(version: version, cipher: cipher ?? "", peerSubject: subject,
                              clientCertificate: clientCertificate)
    }

    // MARK: Helpers

    private enum Failure {
        case retry
        case closeNotify
        case error(reasons: [String])
    }

    private func classify(_ rc: Int32) -> Failure {
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .retry
        case SSL_ERROR_ZERO_RETURN:
            return .closeNotify
        case SSL_ERROR_SYSCALL:
            let reasons = OpenSSLErrorQueue.drain()
            return .error(reasons: reasons.isEmpty ? ["unexpected end of the TLS stream"] : reasons)
        default:
            return .error(reasons: OpenSSLErrorQueue.drain())
        }
    }

    private func readFailure(_ rc: Int32) -> TLSResult<TLSReadOutcome> {
        switch classify(rc) {
        case .retry: .incomplete
        case .closeNotify: .complete(.closeNotify)
        case .error(let reasons): .failed(.readFailed(reasons: reasons))
        }
    }

    /// Sets SNI (names only; RFC 6066 forbids literals) and what the certificate must match.
    private func expectPeer(named name: String) throws(TLSError) {
        guard !name.isEmpty, !name.utf8.contains(0) else { throw .invalidServerName(name) }
        let parameters = SSL_get0_param(ssl)
        OpenSSLErrorQueue.clear()
        if Self.isIPLiteral(name) {
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, name) == 1 else { throw .invalidServerName(name) }
        } else {
            guard postern_ssl_set_tlsext_host_name(ssl, name) == 1 else { throw .invalidServerName(name) }
            X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard X509_VERIFY_PARAM_set1_host(parameters, name, 0) == 1 else { throw .invalidServerName(name) }
        }
        OpenSSLErrorQueue.clear()
    }

    static func isIPLiteral(_ name: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1
    }

    private static func newMemoryBIO() -> OpaquePointer? {
        BIO_new(BIO_s_mem())
    }

    /// A fresh BIO to stand in for `bio`, when `bio` is drained but holds more than `limit`.
    private static func replacement(for bio: OpaquePointer, limit: Int) -> OpaquePointer? {
        guard postern_bio_ctrl_pending(bio) == 0,
              let memory = postern_bio_get_mem_ptr(bio),
              memory.pointee.max > limit
        else { return nil }
        return newMemoryBIO()
    }
}
