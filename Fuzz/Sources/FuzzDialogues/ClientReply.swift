import FuzzSupport

/// One reply the listener sent: its bytes with CRLFs, and its lines without.
public struct ClientReply: Equatable {
    public let bytes: [UInt8]
    public let lines: [[UInt8]]

    public var firstLine: [UInt8] { lines.first ?? [] }
}

/// A run of bytes the listener sent, cut into replies by a protocol's syntax.
enum ClientReplies {
    /// Nil when the bytes are not whole CRLF lines making whole, well-formed replies.
    static func parse<Syntax: MailSyntax>(_ bytes: [UInt8], as _: Syntax.Type) -> [ClientReply]? {
        guard let lines = ByteChecks.crlfLines(bytes)?.map({ Array($0) }),
              let counts = Syntax.replyLineCounts(lines),
              counts.allSatisfy({ $0 > 0 }), counts.reduce(0, +) == lines.count else { return nil }
        var replies: [ClientReply] = []
        var line = 0
        var offset = 0
        for count in counts {
            let replyLines = Array(lines[line..<line + count])
            let length = replyLines.reduce(0) { $0 + $1.count + 2 }
            replies.append(ClientReply(bytes: Array(bytes[offset..<offset + length]), lines: replyLines))
            line += count
            offset += length
        }
        return replies
    }
}
