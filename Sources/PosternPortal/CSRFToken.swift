import PosternCrypto

/// CSRF tokens for the portal's forms (SPEC §5): HMAC-SHA-256 under a key the listener makes at
/// start, over what the form is bound to (the login cookie before login, the session cookie
/// after) and the form's name, so a token from one browser or one form is worthless elsewhere.
/// Stateless: nothing is stored per page.
public struct CSRFTokens: Sendable {
    private let key: [UInt8]

    public init(key: [UInt8]) {
        self.key = key
    }

    public func token(form: String, boundTo cookie: String) -> String {
        Base64URL.encode(mac(form: form, cookie: cookie))
    }

    /// Whether `token` is the one `token(form:boundTo:)` gives, compared in constant time.
    public func accepts(_ token: String?, form: String, boundTo cookie: String?) -> Bool {
        guard let token, let cookie, let given = Base64URL.decode(token) else { return false }
        return Crypto.constantTimeEqual(given, mac(form: form, cookie: cookie))
    }

    private func mac(form: String, cookie: String) -> [UInt8] {
        // Lengths first: ("ab", "c") and ("a", "bc") must not sign the same bytes.
        let message = [UInt8(truncatingIfNeeded: form.utf8.count)] + Array(form.utf8) + Array(cookie.utf8)
        return Crypto.hmac(.sha256, key: key, message) ?? []
    }
}
