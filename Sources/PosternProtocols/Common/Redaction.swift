extension LoginCredentials {
    /// A mail host's words made fit for a log line or the client: one printable line, bounded,
    /// with the password gone — as sent, base64-encoded, and inside our AUTH PLAIN response, in
    /// case the mail host echoes the command. Replaced byte for byte: compared as characters, a
    /// password followed by a combining mark in the echo would not match and would get through.
    public func redacting(_ text: String) -> String {
        var bytes = Array(text.utf8)
        if !password.isEmpty {
            let secrets = [StrictBase64.encode(SASLPlain.encode(self)), StrictBase64.encode(password.utf8),
                           Array(password.utf8)]
            for secret in secrets {
                bytes = bytes.replacing(secret, with: Array("<redacted>".utf8))
            }
        }
        return ASCII.printable(String(decoding: bytes, as: UTF8.self))
    }
}
