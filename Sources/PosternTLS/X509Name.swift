import COpenSSL
import PosternCore

/// A certificate's names and serial as PosternCore's pure types hold them.
enum X509Name {
    /// The name's attributes in the certificate's order, grouped by RDN (a multi-valued RDN
    /// shares its set index).
    static func distinguishedName(_ name: OpaquePointer?) -> DistinguishedName {
        guard let name else { return DistinguishedName(rdns: []) }
        var rdns: [[DistinguishedName.Attribute]] = []
        var lastSet: Int32 = -1
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index) else { continue }
            let attribute = DistinguishedName.Attribute(oid: dottedOID(X509_NAME_ENTRY_get_object(entry)),
                                                        text: text(X509_NAME_ENTRY_get_data(entry)),
                                                        der: der(X509_NAME_ENTRY_get_data(entry)))
            let set = X509_NAME_ENTRY_set(entry)
            if set == lastSet, !rdns.isEmpty {
                rdns[rdns.count - 1].append(attribute)
            } else {
                rdns.append([attribute])
            }
            lastSet = set
        }
        return DistinguishedName(rdns: rdns)
    }

    /// The serial number in upper-case hex.
    static func serial(of certificate: OpaquePointer) -> String {
        guard let number = ASN1_INTEGER_to_BN(X509_get_serialNumber(certificate), nil) else { return "" }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return "" }
        defer { postern_openssl_free(hex) }
        return String(cString: hex)
    }

    private static func dottedOID(_ object: OpaquePointer?) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard length > 0, Int(length) < buffer.count else { return "" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The value as UTF-8 text (OpenSSL converts the string types), or nil when it is not one
    /// or does not decode.
    private static func text(_ value: UnsafeMutablePointer<ASN1_STRING>?) -> String? {
        guard let value else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, value)
        guard length >= 0, let out else { return nil }
        defer { postern_openssl_free(out) }
        return String(validating: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }

    /// The value's DER: its universal tag, a definite length, the contents.
    private static func der(_ value: UnsafeMutablePointer<ASN1_STRING>?) -> [UInt8] {
        guard let value, let data = ASN1_STRING_get0_data(value) else { return [] }
        let count = Int(ASN1_STRING_length(value))
        let tag = UInt8(truncatingIfNeeded: ASN1_STRING_type(value) & 0x1f)
        var length: [UInt8]
        if count < 0x80 {
            length = [UInt8(count)]
        } else {
            var bytes: [UInt8] = []
            var rest = count
            while rest > 0 { bytes.insert(UInt8(rest & 0xff), at: 0); rest >>= 8 }
            length = [0x80 | UInt8(bytes.count)] + bytes
        }
        return [tag] + length + Array(UnsafeBufferPointer(start: data, count: count))
    }
}
