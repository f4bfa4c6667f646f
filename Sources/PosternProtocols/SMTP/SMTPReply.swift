/// One reply from a mail host (RFC 5321 section 4.2): a three-digit code on one or more lines,
/// every line but the last marked with "-" after the code.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    /// The lines as received, without their CRLF ("250-PIPELINING").
    var lines: [String]
    /// Each line's text after the code and its separator ("PIPELINING").
    var texts: [String]

    var isPositiveCompletion: Bool { (200..<300).contains(code) }
    var isTransientFailure: Bool { (400..<500).contains(code) }
    var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// The whole reply on one line, for a log.
    var summary: String { lines.joined(separator: " ") }
}

/// Assembles a mail host's replies from its byte stream, bounding a line and a whole reply.
struct SMTPReplyReader: Sendable {
    enum Event: Sendable, Equatable {
        case reply(SMTPReply)
        /// Not an SMTP reply; the reason quotes what was received (callers redact it).
        case malformed(String)
        case tooLong
    }

    private let maxReplySize: Int
    private var reader: LineReader
    private var lines: [String] = []
    private var texts: [String] = []
    private var code: Int?
    private var size = 0

    init(maxReplySize: Int) {
        self.maxReplySize = maxReplySize
        reader = LineReader(maxLineLength: maxReplySize)
    }

    mutating func push(_ byte: UInt8) -> Event? {
        switch reader.push(byte) {
        case nil:
            return nil
        case .tooLong?:
            return .tooLong
        case .line(let line)?:
            size += line.count + 2
            guard size <= maxReplySize else { return .tooLong }
            return add(line)
        }
    }

    /// Forgets a partial reply (a new TLS layer starts a new stream).
    mutating func reset() {
        reader.reset()
        startReply()
    }

    private mutating func add(_ line: [UInt8]) -> Event? {
        let text = String(decoding: line, as: UTF8.self)
        // reply-line = Reply-code [ ( "-" / SP ) textstring ] CRLF; the code is 2yz to 5yz.
        guard line.count >= 3, line[0] >= 0x32, line[0] <= 0x35, ASCII.isDigit(line[1]), ASCII.isDigit(line[2]),
              line.count == 3 || line[3] == ASCII.space || line[3] == 0x2D /* - */ else {
            return .malformed("not an SMTP reply: \(text)")
        }
        let lineCode = Int(line[0] - 0x30) * 100 + Int(line[1] - 0x30) * 10 + Int(line[2] - 0x30)
        if let code, code != lineCode {
            return .malformed("reply code changed within a reply: \(text)")
        }
        code = lineCode
        lines.append(text)
        texts.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard line.count == 3 || line[3] == ASCII.space else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines, texts: texts)
        startReply()
        return .reply(reply)
    }

    private mutating func startReply() {
        lines = []
        texts = []
        code = nil
        size = 0
    }
}
