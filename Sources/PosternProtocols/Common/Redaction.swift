extension LoginCredentials {
    /// A mail host's words made fit for a log line or the client: one printable line, bounded,
    /// with the password gone in every form the relay may have sent it in — as is, base64,
    /// inside our AUTH PLAIN response, and as an IMAP quoted string — in case the mail host
    /// echoes the command. Compared byte for byte (as characters, a password followed by a
    /// combining mark would not match) and with control characters folded to spaces on both
    /// sides (the printable form folds them, so an echo with a tab for a space would otherwise
    /// come out as the password).
    public func redacting(_ text: String) -> String {
        guard !password.isEmpty else { return ASCII.printable(text) }
        let plain = Array(password.utf8)
        var secrets = [plain, StrictBase64.encode(plain), StrictBase64.encode(SASLPlain.encode(self))]
        if let quoted = IMAPLoginCommand.quoted(plain) {
            secrets.append(Array(quoted.dropFirst().dropLast()))
        }
        var bytes = Self.foldingControls(Array(text.utf8))
        for secret in secrets.map(Self.foldingControls) {
            bytes = bytes.replacing(secret, with: Array("<redacted>".utf8))
        }
        return ASCII.printable(String(decoding: bytes, as: UTF8.self))
    }

    private static func foldingControls(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 < 0x20 || $0 == 0x7F ? 0x20 : $0 }
    }
}
