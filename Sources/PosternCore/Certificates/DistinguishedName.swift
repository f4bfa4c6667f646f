/// A certificate's subject or issuer as the certificate encodes it: a sequence of relative
/// distinguished names, each one attribute or more (multi-valued), in the certificate's order.
/// Built by PosternTLS from OpenSSL's X509_NAME; pure, so the mapping and the RFC 4514 form are
/// tested without certificates.
public struct DistinguishedName: Sendable, Equatable {
    public struct Attribute: Sendable, Equatable {
        /// The attribute type, dotted (`2.5.4.3`).
        public var oid: String
        /// The value as text (UTF-8), when the value is a string type that decodes.
        public var text: String?
        /// The value's DER encoding (tag, length, contents): RFC 4514's `#hex` form.
        public var der: [UInt8]

        public init(oid: String, text: String?, der: [UInt8] = []) {
            self.oid = oid
            self.text = text
            self.der = der
        }
    }

    public var rdns: [[Attribute]]

    public init(rdns: [[Attribute]]) {
        self.rdns = rdns
    }

    /// The first value of `oid` in the certificate's order (a field present twice gives its
    /// first), whatever RDN it sits in.
    public func firstText(of oid: String) -> String?? {
        for rdn in rdns {
            for attribute in rdn where attribute.oid == oid {
                return .some(attribute.text)
            }
        }
        return .none
    }

    /// RFC 4514: the RDNs last first, separated by `,`; a multi-valued RDN's attributes joined
    /// by `+`; each type by its registered short name, else dotted with the value as `#` and
    /// the hex of its DER; special characters escaped with a backslash (§2.4).
    public var rfc4514: String {
        rdns.reversed().map { rdn in
            rdn.map { attribute in
                if let name = Self.shortNames[attribute.oid], let text = attribute.text {
                    return name + "=" + Self.escaped(text)
                }
                return attribute.oid + "=#" + Hex.lowercase(attribute.der)
            }.joined(separator: "+")
        }.joined(separator: ",")
    }

    /// RFC 4514 §3's names and the other descriptors registered for the appliance's fields.
    static let shortNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
        "2.5.4.6": "C", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
        "0.9.2342.19200300.100.1.1": "UID", "2.5.4.4": "SN", "2.5.4.5": "serialNumber",
        "2.5.4.12": "title", "2.5.4.41": "name", "2.5.4.42": "givenName", "2.5.4.43": "initials",
        "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier", "1.2.840.113549.1.9.1": "emailAddress",
    ]

    /// RFC 4514 §2.4: `"` `+` `,` `;` `<` `>` `\` always; a leading space or `#` and a trailing
    /// space; NUL as `\00`.
    static func escaped(_ value: String) -> String {
        var out = ""
        let scalars = Array(value.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\"", "+", ",", ";", "<", ">", "\\":
                out += "\\" + String(scalar)
            case "\0":
                out += "\\00"
            case " " where index == 0 || index == scalars.count - 1:
                out += "\\ "
            case "#" where index == 0:
                out += "\\#"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
