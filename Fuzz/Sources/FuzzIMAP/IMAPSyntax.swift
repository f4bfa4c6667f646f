import FuzzDialogues
import FuzzSupport
import PosternProtocols

/// IMAP's lines for the shared checks: the listener answers in single lines, tagged
/// (`tag OK|NO|BAD`), untagged (`* WORD`) or continuations (`+`); the relay's commands carry
/// its `P<n>` tags.
enum IMAPSyntax: MailSyntax {
    // The listener sends no literals, so every line is a reply of its own.
    static func replyLineCounts(_ lines: [[UInt8]]) -> [Int]? {
        lines.allSatisfy(isReplyLine) ? lines.map { _ in 1 } : nil
    }

    private static func isReplyLine(_ line: [UInt8]) -> Bool {
        if line.first == 0x2B { return line.count == 1 || line[1] == 0x20 }
        let words = words(line)
        guard words.count >= 2 else { return false }
        if words[0] == "*" {
            return !words[1].isEmpty && words[1].utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
        }
        return isTag(words[0]) && ["OK", "NO", "BAD"].contains(words[1])
    }

    static func isGreeting(_ reply: ClientReply) -> Bool {
        words(reply.firstLine).prefix(2) == ["*", "OK"]
    }

    static func isPositive(_ reply: ClientReply) -> Bool {
        let words = words(reply.firstLine)
        return reply.firstLine.first == 0x2B || (words.count >= 2 && !["NO", "BAD", "BYE"].contains(words[1]))
    }

    static func isRefusal(_ reply: ClientReply, tag: String) -> Bool {
        words(reply.firstLine).prefix(2) == [tag, "NO"]
    }

    /// tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051), so a tag we echo cannot break a line.
    static func isTag(_ tag: String) -> Bool {
        !tag.isEmpty && tag.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"(){%*\"\\+".utf8.contains(byte)
        }
    }

    static func makeRelay(_ config: UpstreamConfig) -> IMAPUpstreamLogin {
        IMAPUpstreamLogin(credentials: config.credentials, useStartTLS: config.useStartTLS, forward: config.forward,
                          maxLineLength: config.maxLineLength)
    }

    static func classify(_ command: [UInt8]) -> RelayCommand {
        let line = command.prefix { $0 != 0x0D && $0 != 0x0A }
        let words = words(Array(line))
        guard words.count >= 2, words[0].hasPrefix("P") else { return .unexpected }
        switch (words[1], words.count) {
        case ("CAPABILITY", 2): return .probe
        case ("STARTTLS", 2): return .startTLS
        case ("ID", _): return .forward
        case ("LOGIN", _): return .login(tag: words[0])
        default: return .unexpected
        }
    }

    /// The first word, up to the first SP byte, is OK. Bytes, not Characters: a combining mark
    /// after the space ("OK \u{301}ne") joins it into one Character, yet the reply is an OK.
    static func isSuccess(_ replyText: String) -> Bool {
        let word = replyText.utf8.prefix { $0 != 0x20 }
        return String(decoding: word, as: UTF8.self).uppercased() == "OK"
    }

    static func forwardingAccepted(_ relay: IMAPUpstreamLogin) -> Bool {
        relay.forwardingAccepted
    }

    /// The inside of the quoted string LOGIN carries a password in, "\" and "\"" escaped.
    static func writtenForms(ofPassword password: String) -> [[UInt8]] {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(password.utf8.count * 2)
        for byte in password.utf8 {
            if byte == 0x22 || byte == 0x5C { escaped.append(0x5C) }
            escaped.append(byte)
        }
        return escaped.count == password.utf8.count ? [] : [escaped]
    }

    static let reader = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 65536, maxLiteralSize: 65536))

    private static func words(_ line: [UInt8]) -> [String] {
        line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}
