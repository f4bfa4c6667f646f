/// Splits a byte stream into lines for the line-based dialogues (POP3, SMTP: RFC 1939,
/// RFC 5321 section 2.3.8). Lines end in CRLF; a bare LF is accepted too, as most servers do.
/// A line is bounded: a peer that never sends a line end cannot make us hold more than
/// `maxLineLength` bytes. POP3 and SMTP have no literals, so a line is the whole unit of the
/// dialogue, in both directions.
struct LineReader: Sendable {
    enum Event: Sendable, Equatable {
        /// A complete line, without its terminator.
        case line([UInt8])
        /// The line is longer than the limit; the stream cannot be resynchronised.
        case tooLong
    }

    private let maxLineLength: Int
    private var buffer: [UInt8] = []

    init(maxLineLength: Int) {
        self.maxLineLength = maxLineLength
    }

    mutating func push(_ byte: UInt8) -> Event? {
        if byte == ASCII.lf {
            var end = buffer.count
            if end > 0, buffer[end - 1] == ASCII.cr { end -= 1 }
            guard end <= maxLineLength else { return overflow() }
            let line = Array(buffer[..<end])
            buffer.removeAll(keepingCapacity: true)
            return .line(line)
        }
        buffer.append(byte)
        // Content plus a possible CR; a longer run can never become an acceptable line.
        if buffer.count > maxLineLength + 1 { return overflow() }
        return nil
    }

    /// Forgets a partial line (a new TLS layer starts a new stream).
    mutating func reset() {
        buffer.removeAll()
    }

    private mutating func overflow() -> Event {
        buffer = []
        return .tooLong
    }
}
