import FuzzSupport
import PosternPortal

/// SPEC §5's request handling as properties: a form that parses is within its bounds and reads
/// the same once re-encoded; a cookie is found only when named exactly once; a CSRF token is
/// accepted only as the one the portal would give for that form and cookie.
enum RequestInvariants {
    private static let tokens = CSRFTokens(key: Array(repeating: 0x5a, count: 32))

    static func check(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        let body = Array(parts[0])
        let cookieLines = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self).split(separator: "\n").map(String.init) : []
        let token = parts.count > 2 ? String(decoding: parts[2], as: UTF8.self) : nil

        if let fields = try? FormBody.parse(body) {
            require(fields.count <= FormBody.maxFields, "form: \(fields.count) fields")
            for (name, value) in fields {
                require(name.utf8.count <= FormBody.maxNameBytes && value.utf8.count <= FormBody.maxValueBytes, "form: a field over its bound")
            }
            let again = try? FormBody.parse(Array(encode(fields).utf8))
            require(again == fields, "form: re-encoded fields read back as \(String(describing: again)), not \(fields)")
        }

        let name = SessionCookie.loginName
        let cookie = CookieHeader.value(of: name, in: cookieLines)
        if let cookie {
            require(!cookie.contains(";"), "cookie: a value holding ';'")
            let copies = cookieLines.flatMap { $0.split(separator: ";") }
                .filter { $0.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(name + "=") }.count
            require(copies == 1, "cookie: found though named \(copies) times")
        }

        let expected = tokens.token(form: "login", boundTo: cookie ?? "")
        let accepted = tokens.accepts(token, form: "login", boundTo: cookie)
        require(accepted == (cookie != nil && token == expected), "csrf: accepted \(accepted) for token \(String(describing: token))")
        require(tokens.accepts(expected, form: "login", boundTo: cookie ?? ""), "csrf: the portal's own token refused")
        if let token, let decoded = Base64URL.decode(token) {
            require(Base64URL.encode(decoded) == token, "base64url: \(token) is not canonical")
        }
    }

    /// Every byte but the unreserved ones as %HH.
    private static func encode(_ fields: [String: String]) -> String {
        func escape(_ text: String) -> String {
            text.utf8.map { byte -> String in
                let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                if unreserved { return String(UnicodeScalar(byte)) }
                return "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }.joined()
        }
        return fields.sorted { $0.key < $1.key }.map { escape($0.key) + "=" + escape($0.value) }.joined(separator: "&")
    }
}
