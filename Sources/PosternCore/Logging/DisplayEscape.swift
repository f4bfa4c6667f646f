/// How text from outside (usernames, host names, reasons) is shown to a person, in a log field
/// or a `posternctl` table, so that it cannot end a line, move the cursor, reorder what follows
/// (bidi controls, as in Trojan Source) or hide in plain sight: every control, format,
/// line/paragraph separator or unassigned character becomes a visible escape. docs/events.md
/// documents the form.
public enum DisplayEscape {
    /// C0, DEL and C1 (Cc); U+2028, U+2029 (Zl, Zp); every format character (Cf: the bidi
    /// controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, zero-width joiners,
    /// U+FEFF...); and code points this Unicode version does not assign (Cn).
    public static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned: true
        default: false
        }
    }

    /// `\n`, `\r`, `\t`; `\xHH` for the other ASCII controls and DEL; `\u{HHHH}` (upper-case
    /// hex, no leading zeros) beyond ASCII; a backslash is doubled so an escape cannot be faked.
    public static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x80 && isEscaped(scalar) {
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else if isEscaped(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    /// `text` with every escaped character (and backslash) written as its escape.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || isEscaped($0) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars { append(scalar, to: &out) }
        return out
    }
}
