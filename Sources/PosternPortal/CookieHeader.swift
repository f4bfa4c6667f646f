/// The `Cookie` request header (RFC 6265 §4.2, §5.4): `name=value` pairs separated by `; `.
public enum CookieHeader {
    /// The value of the cookie `name` among every `Cookie` header line the request carried; nil
    /// when it is absent, or present more than once (a `__Host-` cookie can be set for one path
    /// only, so a second copy was planted, and neither is trusted).
    public static func value(of name: String, in headers: [String]) -> String? {
        var found: [Substring] = []
        for header in headers {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " || $0 == "\t" })
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                var value = trimmed[trimmed.index(after: equals)...]
                while value.last == " " || value.last == "\t" { value = value.dropLast() }
                // RFC 6265 §4.1.1: a value may be quoted.
                if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
                found.append(value)
            }
        }
        return found.count == 1 ? String(found[0]) : nil
    }
}
