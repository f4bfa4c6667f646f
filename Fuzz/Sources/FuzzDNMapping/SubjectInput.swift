import PosternCore

/// A fuzz input read as a certificate's names and a mapping setting, in lines (lenient UTF-8):
/// the first names the source (`CN OU`, `UID none`, `UPN`, `entire-dn`); each other line is one
/// RDN, its attributes `TYPE=value` separated by TAB (TYPE a field name such as CN, or a dotted
/// OID); a line `UPN=value` adds a subjectAltName UPN instead.
struct SubjectInput {
    var source: DNUsernameSource
    var subject: DistinguishedName
    var upns: [String]

    init(_ bytes: [UInt8]) {
        let lines = bytes.split(separator: 0x0A, maxSplits: 40, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        source = Self.source(lines.first ?? "")
        var rdns: [[DistinguishedName.Attribute]] = []
        var upns: [String] = []
        for line in lines.dropFirst() {
            if line.hasPrefix("UPN=") {
                upns.append(String(line.dropFirst(4)))
                continue
            }
            let attributes = line.split(separator: "\t", omittingEmptySubsequences: true).prefix(8).map(Self.attribute)
            if !attributes.isEmpty { rdns.append(attributes) }
        }
        subject = DistinguishedName(rdns: rdns)
        self.upns = upns
    }

    private static func source(_ line: String) -> DNUsernameSource {
        let words = line.split(separator: " ").map { String($0).uppercased() }
        if words.first == "ENTIRE-DN" { return .entireDN }
        let primary = words.first.flatMap(DNField.init(rawValue:)) ?? .cn
        let secondary = words.count > 1 ? DNField(rawValue: words[1]) : nil
        return .fields(primary: primary, secondary: secondary)
    }

    /// `TYPE=value`: a field's OID, else TYPE itself when dotted; the value is text (a missing
    /// `=` gives a value that is not text, with TYPE's bytes as its DER).
    private static func attribute(_ text: Substring) -> DistinguishedName.Attribute {
        guard let equals = text.firstIndex(of: "=") else {
            return DistinguishedName.Attribute(oid: DNField.cn.oid, text: nil, der: Array(text.utf8.prefix(64)))
        }
        let type = String(text[..<equals])
        // OpenSSL gives dotted digits only; anything else stands for an OID of its length.
        let dotted = !type.isEmpty && type.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber }
        let oid = DNField(rawValue: type.uppercased())?.oid ?? (dotted ? type : "1.3.6.1.4.1.99999.\(type.utf8.count)")
        let value = String(text[text.index(after: equals)...])
        return DistinguishedName.Attribute(oid: oid, text: value, der: [0x0c, UInt8(min(value.utf8.count, 127))] + Array(value.utf8.prefix(127)))
    }
}
