import FuzzDialogues
import FuzzSupport
import PosternProtocols

/// POP3's lines for the shared checks: `+OK` and `-ERR` status lines, `+` continuations inside
/// AUTH, and multi-line replies (CAPA, AUTH's list) whose lines end with "." alone (RFC 1939).
enum POP3Syntax: MailSyntax {
    /// A `+OK` followed by a line that is no status line opens a multi-line reply; its lines
    /// must be byte-stuffed and end with ".".
    static func replyLineCounts(_ lines: [[UInt8]]) -> [Int]? {
        var counts: [Int] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard isStatus(line, "+OK") || isStatus(line, "-ERR") || isContinuation(line) else { return nil }
            let body = index + 1
            guard isStatus(line, "+OK"), body < lines.count, !isStarter(lines[body]) else {
                counts.append(1)
                index += 1
                continue
            }
            guard let end = lines[body...].firstIndex(of: [0x2E]),
                  lines[body..<end].allSatisfy({ $0.first != 0x2E || $0.dropFirst().first == 0x2E }) else { return nil }
            counts.append(end - index + 1)
            index = end + 1
        }
        return counts
    }

    static func isGreeting(_ reply: ClientReply) -> Bool {
        isStatus(reply.firstLine, "+OK")
    }

    static func isPositive(_ reply: ClientReply) -> Bool {
        isStatus(reply.firstLine, "+OK") || isContinuation(reply.firstLine)
    }

    static func isRefusal(_ reply: ClientReply, tag _: String) -> Bool {
        reply.lines.count == 1 && isStatus(reply.firstLine, "-ERR")
    }

    /// POP3 has no tags.
    static func isTag(_ tag: String) -> Bool {
        tag.isEmpty
    }

    static func makeRelay(_ config: UpstreamConfig) -> POP3UpstreamLogin {
        POP3UpstreamLogin(credentials: config.credentials, useStartTLS: config.useStartTLS, forward: config.forward,
                          maxLineLength: config.maxLineLength)
    }

    static func classify(_ command: [UInt8]) -> RelayCommand {
        let line = command.prefix { $0 != 0x0D && $0 != 0x0A }
        if line.elementsEqual("CAPA".utf8) { return .probe }
        if line.elementsEqual("STLS".utf8) { return .startTLS }
        if ByteChecks.hasPrefix(line, ignoringCase: "XCLIENT ") { return .forward }
        if ByteChecks.hasPrefix(line, ignoringCase: "USER ") || line.elementsEqual("AUTH PLAIN".utf8)
            || ByteChecks.hasPrefix(line, ignoringCase: "AUTH PLAIN ") { return .login(tag: "") }
        return .unexpected
    }

    static func isSuccess(_ replyText: String) -> Bool {
        isStatus(Array(replyText.utf8), "+OK")
    }

    static func forwardingAccepted(_ relay: POP3UpstreamLogin) -> Bool {
        relay.forwardingAccepted
    }

    static let reader = POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 65536))

    /// "+OK" or "-ERR" (in any case, as forgiving clients read it), then a space or the end.
    private static func isStatus(_ line: [UInt8], _ indicator: String) -> Bool {
        ByteChecks.hasPrefix(line, ignoringCase: indicator)
            && (line.count == indicator.utf8.count || line[indicator.utf8.count] == 0x20)
    }

    private static func isContinuation(_ line: [UInt8]) -> Bool {
        line.first == 0x2B && (line.count == 1 || line[1] == 0x20)
    }

    private static func isStarter(_ line: [UInt8]) -> Bool {
        isStatus(line, "+OK") || isStatus(line, "-ERR") || isContinuation(line)
    }
}
