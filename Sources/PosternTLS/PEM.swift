import COpenSSL

/// Reads certificates and keys from PEM bytes in memory (the supervisor hands the listener the
/// files' contents; the listener opens no files).
enum PEM {
    /// Every certificate in `pem`, in order; the caller owns them (`X509_free`).
    static func certificates(in pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        let bio = try memoryBIO(holding: pem)
        defer { BIO_free(bio) }
        OpenSSLErrorQueue.clear()
        var certificates: [OpaquePointer] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            certificates.append(certificate)
        }
        // Running out of PEM blocks ends the loop with "no start line"; anything else is damage.
        let last = ERR_peek_last_error()
        let cleanEnd = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)
        guard cleanEnd, !certificates.isEmpty else {
            let reasons = OpenSSLErrorQueue.drain()
            certificates.forEach { X509_free($0) }
            throw .certificateLoad(certificates.isEmpty && cleanEnd
                ? "no PEM certificate found in the \(what)"
                : "the \(what) is damaged: \(reasons.joined(separator: "; "))")
        }
        OpenSSLErrorQueue.clear()
        return certificates
    }

    /// Every CRL in `pem`, in order; the caller owns them (`X509_CRL_free`).
    static func revocationLists(in pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        let bio = try memoryBIO(holding: pem)
        defer { BIO_free(bio) }
        OpenSSLErrorQueue.clear()
        var lists: [OpaquePointer] = []
        while let list = PEM_read_bio_X509_CRL(bio, nil, nil, nil) {
            lists.append(list)
        }
        let last = ERR_peek_last_error()
        let cleanEnd = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)
        guard cleanEnd, !lists.isEmpty else {
            let reasons = OpenSSLErrorQueue.drain()
            lists.forEach { X509_CRL_free($0) }
            throw .certificateLoad(lists.isEmpty && cleanEnd
                ? "no PEM CRL (X509 CRL) found in the \(what)"
                : "the \(what) is damaged: \(reasons.joined(separator: "; "))")
        }
        OpenSSLErrorQueue.clear()
        return lists
    }

    static func free(certificates: [OpaquePointer]) { certificates.forEach { X509_free($0) } }
    static func free(revocationLists: [OpaquePointer]) { revocationLists.forEach { X509_CRL_free($0) } }

    /// The first private key in `pem`; the caller owns it (`EVP_PKEY_free`).
    static func privateKey(in pem: [UInt8]) throws(TLSError) -> OpaquePointer {
        let bio = try memoryBIO(holding: pem)
        defer { BIO_free(bio) }
        OpenSSLErrorQueue.clear()
        // Without a callback OpenSSL would prompt on the terminal for a passphrase; ours records
        // that one was wanted and supplies none.
        var passphraseWanted = false
        let key = withUnsafeMutablePointer(to: &passphraseWanted) { flag in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, userData in
                userData?.assumingMemoryBound(to: Bool.self).pointee = true
                return 0
            }, flag)
        }
        guard let key else {
            let reasons = OpenSSLErrorQueue.drain()
            if passphraseWanted {
                throw .certificateLoad("the private key is encrypted; postern needs it without a passphrase")
            }
            throw .certificateLoad("no usable PEM private key: \(reasons.joined(separator: "; "))")
        }
        return key
    }

    private static func memoryBIO(holding bytes: [UInt8]) throws(TLSError) -> OpaquePointer {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw .invalidConfiguration("out of memory for a PEM buffer")
        }
        let written = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32(clamping: $0.count)) }
        guard bytes.isEmpty || written == Int32(clamping: bytes.count) else {
            BIO_free(bio)
            throw .invalidConfiguration("out of memory for a PEM buffer")
        }
        return bio
    }
}
