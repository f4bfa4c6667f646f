import FuzzSupport
import PosternCore

/// SPEC §3's mapping, checked against a second, plain reading of the same subject: the first
/// value in the subject's order, the secondary joined by one space or left out, a control
/// character refused; and the entire DN read back from its RFC 4514 form gives the subject.
enum MappingInvariants {
    static func check(_ input: SubjectInput) {
        let result = CertificateUsername.of(subject: input.subject, upns: input.upns, source: input.source)
        switch input.source {
        case .fields(let primary, let secondary):
            let expected: Result<String, CertificateRefusal>
            if let first = value(primary, input) {
                let name = [first, secondary.flatMap { value($0, input) }].compactMap { $0 }.joined(separator: " ")
                expected = name.unicodeScalars.contains(where: isControl) ? .failure(.controlCharacter) : .success(name)
            } else {
                expected = .failure(.missingField(primary))
            }
            require(result == expected, "mapping: \(result) where \(expected) was expected")
        case .entireDN:
            guard case .success(let name) = result else {
                let texts = input.subject.rdns.joined().compactMap(\.text)
                require(input.subject.rdns.isEmpty || texts.contains { $0.unicodeScalars.contains(where: isControl) },
                        "entire DN refused: \(result)")
                return
            }
            require(name == input.subject.rfc4514, "entire DN is not the RFC 4514 form")
            let readBack = RFC4514Reading.rdns(of: name)
            require(readBack.count == input.subject.rdns.count,
                    "RFC 4514 form reads back as \(readBack.count) RDNs, not \(input.subject.rdns.count): \(name.debugDescription)")
            for (rdn, read) in zip(input.subject.rdns.reversed(), readBack) {
                require(rdn.count == read.count, "an RDN reads back with \(read.count) attributes, not \(rdn.count)")
                for (attribute, value) in zip(rdn, read) where attribute.text != nil && !value.hasPrefix("#") {
                    require(value == attribute.text!, "value \(attribute.text!.debugDescription) reads back as \(value.debugDescription)")
                }
            }
        }
    }

    /// The first non-empty text of `field` in the subject's order (or the first UPN).
    private static func value(_ field: DNField, _ input: SubjectInput) -> String? {
        if field == .upn { return input.upns.first.flatMap { $0.isEmpty ? nil : $0 } }
        for rdn in input.subject.rdns {
            for attribute in rdn where attribute.oid == field.oid {
                guard let text = attribute.text, !text.isEmpty else { return nil }
                return text
            }
        }
        return nil
    }

    /// SPEC §3's control characters, as the logs see them: Cc, Zl, Zp, Cf (bidi controls and
    /// the invisible ones) and unassigned code points.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format, .unassigned: return true
        default: return false
        }
    }
}

/// A plain RFC 4514 reader for the oracle: RDNs split at unescaped `,`, attributes at unescaped
/// `+`, each value after the first `=` with its escapes undone (`\X`, and `\HH` for a byte).
enum RFC4514Reading {
    static func rdns(of text: String) -> [[String]] {
        var rdns: [[String]] = [[]]
        var value: [UInt8] = []
        var inValue = false
        var scalars = Array(text.unicodeScalars)[...]
        func endAttribute() {
            rdns[rdns.count - 1].append(String(decoding: value, as: UTF8.self))
            value = []
            inValue = false
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\\":
                guard let next = scalars.popFirst() else { return [] }
                if let high = hexValue(next), let following = scalars.first, let low = hexValue(following) {
                    scalars = scalars.dropFirst()
                    value.append(UInt8(high * 16 + low))
                } else {
                    value += Array(String(next).utf8)
                }
            case "=" where !inValue:
                inValue = true
            case "," where inValue:
                endAttribute()
                rdns.append([])
            case "+" where inValue:
                endAttribute()
            default:
                if inValue { value += Array(String(scalar).utf8) }
            }
        }
        if inValue { endAttribute() }
        return rdns
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> Int? {
        scalar.isASCII ? Int(String(scalar), radix: 16) : nil
    }
}
