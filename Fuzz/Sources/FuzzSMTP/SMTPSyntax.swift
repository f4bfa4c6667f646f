import FuzzDialogues
import FuzzSupport
import PosternProtocols

/// SMTP's lines for the shared checks (RFC 5321 section 4.2): a reply is lines of one
/// three-digit code, each but the last marked with "-" after it, the last with a space.
enum SMTPSyntax: MailSyntax {
    static func replyLineCounts(_ lines: [[UInt8]]) -> [Int]? {
        var counts: [Int] = []
        var current = 0
        /// The code of the reply whose lines are being read; every line has it.
        var replyCode: Int?
        for line in lines {
            guard let lineCode = code(line), line.count >= 4, line[3] == 0x20 || line[3] == 0x2D,
                  replyCode == nil || replyCode == lineCode else { return nil }
            current += 1
            if line[3] == 0x20 {
                counts.append(current)
                current = 0
                replyCode = nil
            } else {
                replyCode = lineCode
            }
        }
        return current == 0 ? counts : nil
    }

    static func isGreeting(_ reply: ClientReply) -> Bool {
        code(reply.firstLine) == 220
    }

    static func isPositive(_ reply: ClientReply) -> Bool {
        code(reply.firstLine).map { (200..<400).contains($0) } == true
    }

    static func isRefusal(_ reply: ClientReply, tag _: String) -> Bool {
        code(reply.firstLine).map { (400..<600).contains($0) } == true
    }

    /// SMTP has no tags.
    static func isTag(_ tag: String) -> Bool {
        tag.isEmpty
    }

    static let mayOmitCredentials = true

    static func makeRelay(_ config: UpstreamConfig) -> SMTPUpstreamLogin {
        SMTPUpstreamLogin(credentials: config.authenticates ? config.credentials : nil, clientName: config.clientName,
                          useStartTLS: config.useStartTLS, forward: config.forward, maxLineLength: config.maxLineLength)
    }

    static func classify(_ command: [UInt8]) -> RelayCommand {
        let line = command.prefix { $0 != 0x0D && $0 != 0x0A }
        if ByteChecks.hasPrefix(line, ignoringCase: "EHLO ") || ByteChecks.hasPrefix(line, ignoringCase: "HELO ") {
            return .probe
        }
        if line.elementsEqual("STARTTLS".utf8) { return .startTLS }
        if ByteChecks.hasPrefix(line, ignoringCase: "XCLIENT ") { return .forward }
        if ByteChecks.hasPrefix(line, ignoringCase: "AUTH ") { return .login(tag: "") }
        return .unexpected
    }

    /// The mail host's 235 (lines joined with CRLF), or postern's own for a mail host that trusts
    /// it. Only the codes and marks are the relay's doing; the text is the mail host's to choose.
    static func isSuccess(_ replyText: String) -> Bool {
        var lines: [[UInt8]] = [[]]
        for byte in replyText.utf8 {
            if byte == 0x0A, lines[lines.count - 1].last == 0x0D {
                lines[lines.count - 1].removeLast()
                lines.append([])
            } else {
                lines[lines.count - 1].append(byte)
            }
        }
        return lines.enumerated().allSatisfy { index, line in
            let last = index == lines.count - 1
            return code(line) == 235 && (line.count == 3 ? last : line[3] == (last ? 0x20 : 0x2D))
        }
    }

    static func forwardingAccepted(_ relay: SMTPUpstreamLogin) -> Bool {
        relay.forwardingAccepted
    }

    static let reader = SMTPPreAuthMachine(limits: SMTPLimits(maxLineLength: 65536))

    /// AUTH needs EHLO first.
    static let readerPreamble = Array("EHLO relay.example\r\n".utf8)

    /// The reply code of a line: three digits, the first 2 to 5.
    private static func code(_ line: [UInt8]) -> Int? {
        guard line.count >= 3, (0x32...0x35).contains(line[0]), line[1...2].allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        return line[0...2].reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
