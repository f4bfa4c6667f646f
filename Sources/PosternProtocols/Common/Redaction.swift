extension LoginCredentials {
    /// A mail host's words made fit for a log line or the client: one printable line, bounded,
    /// with the password gone in every form the relay may have sent it in — as is, base64,
    /// inside our AUTH PLAIN response, and as an IMAP quoted string — in case the mail host
    /// echoes the command. Compared byte for byte (as characters, a password followed by a
    /// combining mark would not match) and with control characters folded to spaces on both
    /// sides (the printable form folds them, so an echo with a tab for a space would otherwise
    /// come out as the password).
    public func redacting(_ text: String) -> String {
        // Every form is at least as long as the password, so a shorter text holds none of them
        // (and the base64 forms of a long password are not worth building for a short reply).
        guard !password.isEmpty, text.utf8.count >= password.utf8.count else { return ASCII.printable(text) }
        let plain = Array(password.utf8)
        var secrets = [plain, StrictBase64.encode(plain), StrictBase64.encode(SASLPlain.encode(self))]
        if let quoted = IMAPLoginCommand.quoted(plain) {
            secrets.append(Array(quoted.dropFirst().dropLast()))
        }
        var bytes = Self.foldingControls(Array(text.utf8))
        for secret in secrets where secret.count <= bytes.count {
            bytes = Self.replacing(Self.foldingControls(secret), in: bytes)
        }
        return ASCII.printable(String(decoding: bytes, as: UTF8.self))
    }

    /// Each occurrence of `secret` (not empty), leftmost first and not overlapping, as
    /// `replacing(_:with:)` does, but without building its search tables for a text that
    /// holds no secret, which is nearly every text.
    private static func replacing(_ secret: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var copied = 0
        var index = 0
        while index + secret.count <= bytes.count {
            if bytes[index] == secret[0], bytes[index..<index + secret.count].elementsEqual(secret) {
                result += bytes[copied..<index]
                result += "<redacted>".utf8
                index += secret.count
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return bytes }
        return result + bytes[copied...]
    }

    private static func foldingControls(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 < 0x20 || $0 == 0x7F ? 0x20 : $0 }
    }
}
