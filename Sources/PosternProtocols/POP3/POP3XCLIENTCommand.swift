/// `XCLIENT ADDR=… PORT=…`: tells a mail host that trusts postern (Dovecot's
/// `login_trusted_networks`) who the client is. Dovecot's POP3 takes an IPv6 address plainly
/// (`ADDR=2001:db8::1`), not in Postfix's `IPV6:` form.
enum POP3XCLIENTCommand {
    /// The command line, or nil when the address is not a plain IP address. Values go
    /// unencoded, so anything beyond hex digits, "." and ":" (spaces, controls, "+", "=", a zone
    /// id) could change the command's meaning: refuse it rather than guess.
    static func line(for client: ForwardedClient) -> [UInt8]? {
        guard isPlainAddress(client.address) else { return nil }
        return Array("XCLIENT ADDR=\(client.address) PORT=\(client.port)\r\n".utf8)
    }

    static func isPlainAddress(_ address: String) -> Bool {
        // 45 is the longest IPv6 text form (an IPv4-mapped address written out in full).
        !address.isEmpty && address.utf8.count <= 45 && address.utf8.allSatisfy { byte in
            ASCII.isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
                || byte == 0x2E || byte == 0x3A
        }
    }
}
