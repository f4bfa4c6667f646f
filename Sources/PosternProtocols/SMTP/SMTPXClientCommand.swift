/// Postfix's XCLIENT command (https://www.postfix.org/XCLIENT_README.html), by which postern
/// tells a mail host that trusts it who the client really is, for the mail host's logs and
/// policies. Dovecot's submission service understands it too.
enum SMTPXClientCommand {
    /// The command line for `client`, with the attributes the mail host offered in its EHLO
    /// (`XCLIENT NAME ADDR PORT ...`); nil when it lacks ADDR or PORT. The session id goes as
    /// SESSION only to a mail host that offers it (Dovecot), so the two logs can be joined.
    /// `login`: the name for LOGIN (the SASL login name, which Postfix then logs and checks
    /// sender addresses against), sent only to a mail host that offers it.
    static func line(for client: ForwardedClient, offered attributes: [String], login: String? = nil) -> String? {
        guard attributes.contains("ADDR"), attributes.contains("PORT") else { return nil }
        var line = "XCLIENT ADDR=\(xtext(address(client.address))) PORT=\(client.port)"
        if attributes.contains("SESSION"), !client.sessionID.isEmpty {
            line += " SESSION=\(xtext(client.sessionID))"
        }
        if attributes.contains("LOGIN"), let login, !login.isEmpty {
            line += " LOGIN=\(xtext(login))"
        }
        return line + "\r\n"
    }

    /// IPv6 addresses carry the "IPV6:" prefix of RFC 5321 address literals.
    static func address(_ address: String) -> String {
        guard address.contains(":"), !ASCII.uppercasedString(address.utf8).hasPrefix("IPV6:") else { return address }
        return "IPV6:" + address
    }

    /// RFC 3461 xtext, which XCLIENT values use: "+", "=", and bytes outside "!".."~" as "+XX".
    static func xtext(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            if byte > 0x20, byte < 0x7F, byte != ASCII.plus, byte != ASCII.equals {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "+" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
