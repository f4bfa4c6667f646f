import COpenSSL

enum X509Name {
    /// The certificate's subject on one line in RFC 4514 form (`CN=alice,O=Example`), as the
    /// logs and certificate authentication use it.
    static func oneLine(subjectOf certificate: OpaquePointer) -> String? {
        guard let name = X509_get_subject_name(certificate), let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, POSTERN_XN_FLAG_RFC4514()) >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: postern_bio_ctrl_pending(bio))
        let count = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(clamping: $0.count)) }
        return String(decoding: bytes.prefix(max(0, Int(count))), as: UTF8.self)
    }
}
