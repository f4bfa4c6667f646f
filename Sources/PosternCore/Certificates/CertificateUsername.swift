/// The VPN username a client certificate stands for (SPEC §3, `authorization-dn-attributes`):
/// the primary field's value, a space and the secondary's when it has one, or the entire
/// subject in RFC 4514 form.
public enum CertificateUsername {
    public static func of(subject: DistinguishedName, upns: [String], source: DNUsernameSource)
        -> Result<String, CertificateRefusal> {
        let name: String
        switch source {
        case .entireDN:
            guard !subject.rdns.isEmpty else { return .failure(.emptySubject) }
            // Checked in the values: the RFC 4514 form would hide a NUL as `\00`.
            let texts = subject.rdns.joined().compactMap(\.text)
            guard !texts.contains(where: { $0.unicodeScalars.contains(where: isRefused) }) else {
                return .failure(.controlCharacter)
            }
            name = subject.rfc4514
        case .fields(let primary, let secondary):
            guard let first = value(of: primary, subject: subject, upns: upns) else {
                return .failure(.missingField(primary))
            }
            if let secondary, let second = value(of: secondary, subject: subject, upns: upns) {
                name = first + " " + second
            } else {
                name = first
            }
        }
        guard !name.unicodeScalars.contains(where: isRefused) else { return .failure(.controlCharacter) }
        return .success(name)
    }

    /// The field's first value in the subject's order; nil when that value is empty or not text
    /// (a later one is not taken instead), or the field is missing.
    static func value(of field: DNField, subject: DistinguishedName, upns: [String]) -> String? {
        let text: String?
        if field.isSubjectAttribute {
            guard case .some(let found) = subject.firstText(of: field.oid) else { return nil }
            text = found
        } else {
            text = upns.first
        }
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// What the logs would escape (DisplayEscape): a control character, a line or paragraph
    /// separator, a format character (bidi controls, zero-width characters, the soft hyphen) or
    /// an unassigned code point. Such a name could end a line, reorder what follows it, or look
    /// like another user's in RADIUS, LDAP and accounting.
    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        DisplayEscape.isEscaped(scalar)
    }
}

/// Why a client certificate gives no username (the log's `reason`; the client sees only the
/// protocol's generic failure).
public enum CertificateRefusal: Error, Sendable, Equatable {
    /// The client sent no certificate.
    case noCertificate
    /// The chain does not lead to `client-ca` (OpenSSL's words in `detail`).
    case untrusted(detail: String)
    case revoked
    case expired
    /// Not yet valid.
    case notYetValid
    /// Longer than `verify-depth`.
    case tooDeep
    /// A CRL of a CA in the chain is missing or out of date.
    case crlUnavailable(detail: String)
    case missingField(DNField)
    case emptySubject
    case controlCharacter

    public var reason: String {
        switch self {
        case .noCertificate: "no client certificate"
        case .untrusted(let detail): "client certificate not trusted: \(detail)"
        case .revoked: "client certificate revoked"
        case .expired: "client certificate expired"
        case .notYetValid: "client certificate not yet valid"
        case .tooDeep: "client certificate chain longer than verify-depth"
        case .crlUnavailable(let detail): "client certificate not checked against a CRL: \(detail)"
        case .missingField(let field): "client certificate subject lacks \(field.rawValue), the first of authorization-dn-attributes"
        case .emptySubject: "client certificate subject is empty"
        case .controlCharacter: "client certificate name holds a control character"
        }
    }
}
