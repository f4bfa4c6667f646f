import COpenSSL

/// Reads certificates and keys from PEM bytes in memory (the supervisor hands the listener the
/// files' contents; the listener opens no files).
enum PEM {
    /// Every certificate in `pem`, in order; the caller owns them (`X509_free`).
    static func certificates(in pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        try all(in: pem, what: what, kind: "certificate", read: { PEM_read_bio_X509($0, nil, nil, nil) }, free: X509_free)
    }

    /// Every CRL in `pem`, in order; the caller owns them (`X509_CRL_free`).
    static func revocationLists(in pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        try all(in: pem, what: what, kind: "CRL (X509 CRL)", read: { PEM_read_bio_X509_CRL($0, nil, nil, nil) }, free: X509_CRL_free)
    }

    static func free(certificates: [OpaquePointer]) { certificates.forEach { X509_free($0) } }
    static func free(revocationLists: [OpaquePointer]) { revocationLists.forEach { X509_CRL_free($0) } }

    /// Every PEM block `read` takes from `pem`; a damaged block, or none, is an error.
    private static func all(in pem: [UInt8], what: String, kind: String, read: (OpaquePointer) -> OpaquePointer?,
                            free: (OpaquePointer) -> Void) throws(TLSError) -> [OpaquePointer] {
        let bio = try memoryBIO(holding: pem)
        defer { BIO_free(bio) }
        OpenSSLErrorQueue.clear()
        var items: [OpaquePointer] = []
        while let item = read(bio) {
            items.append(item)
        }
        // Running out of PEM blocks ends the loop with "no start line"; anything else is damage.
        let last = ERR_peek_last_error()
        let cleanEnd = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)
        guard cleanEnd, !items.isEmpty else {
            let reasons = OpenSSLErrorQueue.drain()
            items.forEach(free)
            throw .certificateLoad(items.isEmpty && cleanEnd
                ? "no PEM \(kind) found in the \(what)"
                : "the \(what) is damaged: \(reasons.joined(separator: "; "))")
        }
        OpenSSLErrorQueue.clear()
        return items
    }

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
