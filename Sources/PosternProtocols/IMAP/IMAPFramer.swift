/// Splits an IMAP byte stream into messages: a line, extended by literals (`{n}` or `{n+}`
/// at the end of a line, then n bytes, then more line) until a line ends without one.
/// Used for client commands and, with quote tracking off, for server responses.
/// Every buffer is bounded: a line, a literal and a whole message.
struct IMAPFramer: Sendable {
    struct Configuration: Sendable {
        var maxLineLength: Int
        var maxLiteralSize: Int
        var maxMessageSize: Int
        /// Client commands have no free text, so a `}` inside a quoted string is not a literal
        /// announcement; server response text may hold a stray quote, so servers are not tracked.
        var tracksQuotedStrings: Bool
        /// Client commands: an ID command may grow to this many bytes, line and literals
        /// together, past the line and message limits (RFC 2971 allows 30 pairs of 30-octet
        /// fields and 1024-octet values); nil for servers.
        var maxIDCommandSize: Int? = nil
    }

    enum Event: Sendable, Equatable {
        /// A complete message, without its final line terminator (CRLF, or a bare LF).
        /// Literal announcements and data stay inline, terminators included.
        case message([UInt8])
        /// A literal of acceptable size was announced; a synchronising one waits for "+".
        case literalAnnounced(synchronising: Bool)
        /// A synchronising literal too large to accept: the message so far is dropped, and
        /// the peer, refused its "+", will not send the data.
        case literalRefused(droppedMessage: [UInt8])
        /// The stream cannot be resynchronised.
        case failed(IMAPFramingError)
    }

    private let configuration: Configuration
    /// When false, lines are plain (SASL responses): no literals.
    var literalsAllowed = true
    private var buffer: [UInt8] = []
    private var lineStart = 0
    private var literalRemaining = 0
    private var inQuotedString = false
    private var escaped = false
    /// Whether the message being read is an ID command, decided once it outgrows the limits.
    private var isIDCommand: Bool?

    init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    mutating func push(_ byte: UInt8) -> Event? {
        if literalRemaining > 0 {
            buffer.append(byte)
            literalRemaining -= 1
            if literalRemaining == 0 { startLine() }
            return nil
        }
        if byte == ASCII.lf { return endOfLine() }
        buffer.append(byte)
        // Content plus a possible CR; a longer run can never become an acceptable line.
        if buffer.count - lineStart > configuration.maxLineLength + 1, !withinIDAllowance() { return .failed(.lineTooLong) }
        if buffer.count > configuration.maxMessageSize, !withinIDAllowance() { return .failed(.messageTooLong) }
        if configuration.tracksQuotedStrings { trackQuotes(byte) }
        return nil
    }

    private mutating func endOfLine() -> Event? {
        var end = buffer.count
        if end > lineStart, buffer[end - 1] == ASCII.cr { end -= 1 }
        guard end - lineStart <= configuration.maxLineLength || withinIDAllowance() else { return .failed(.lineTooLong) }
        if literalsAllowed, !inQuotedString, let literal = Self.literalAnnouncement(buffer[lineStart..<end]) {
            let messageLimit = withinIDAllowance() ? configuration.maxIDCommandSize ?? 0 : configuration.maxMessageSize
            let fits = literal.size <= configuration.maxLiteralSize
                && literal.size <= messageLimit - buffer.count - 1
            guard fits else {
                guard literal.synchronising else { return .failed(.literalTooLarge) }
                let dropped = buffer
                reset()
                return .literalRefused(droppedMessage: dropped)
            }
            buffer.append(ASCII.lf)
            literalRemaining = literal.size
            startLine()
            return .literalAnnounced(synchronising: literal.synchronising)
        }
        let message = Array(buffer[..<end])
        reset()
        return .message(message)
    }

    private mutating func trackQuotes(_ byte: UInt8) {
        if inQuotedString {
            if escaped {
                escaped = false
            } else if byte == ASCII.backslash {
                escaped = true
            } else if byte == ASCII.quote {
                inQuotedString = false
            }
        } else if byte == ASCII.quote {
            inQuotedString = true
        }
    }

    /// Past the ordinary limits only an ID command may go on, up to its own bound.
    private mutating func withinIDAllowance() -> Bool {
        guard let allowance = configuration.maxIDCommandSize, buffer.count <= allowance else { return false }
        if isIDCommand == nil { isIDCommand = Self.startsIDCommand(buffer) }
        return isIDCommand == true
    }

    /// `tag SP "ID" SP`, the tag made of ASTRING-CHARs other than "+".
    static func startsIDCommand(_ bytes: [UInt8]) -> Bool {
        guard let space = bytes.firstIndex(of: ASCII.space), space > 0, bytes.count >= space + 4 else { return false }
        return ASCII.equalsIgnoringCase(bytes[(space + 1)..<(space + 3)], "ID") && bytes[space + 3] == ASCII.space
    }

    private mutating func startLine() {
        lineStart = buffer.count
        inQuotedString = false
        escaped = false
    }

    private mutating func reset() {
        // A buffer grown for an ID command is not kept for the rest of the session.
        if buffer.capacity > configuration.maxMessageSize { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
        isIDCommand = nil
        literalRemaining = 0
        startLine()
    }

    struct Literal: Sendable, Equatable {
        var size: Int
        var synchronising: Bool
    }

    /// `{digits}` or `{digits+}` ending `line`. Sizes past any sane limit saturate instead of
    /// overflowing, so `{99999999999999999999}` is simply too large.
    static func literalAnnouncement(_ line: ArraySlice<UInt8>) -> Literal? {
        guard line.last == ASCII.closeBrace else { return nil }
        var end = line.endIndex - 1
        var synchronising = true
        if end > line.startIndex, line[end - 1] == ASCII.plus {
            synchronising = false
            end -= 1
        }
        var start = end
        while start > line.startIndex, ASCII.isDigit(line[start - 1]) { start -= 1 }
        guard start < end, start > line.startIndex, line[start - 1] == ASCII.openBrace else { return nil }
        return Literal(size: parseSize(line[start..<end]), synchronising: synchronising)
    }

    /// Decimal digits as an Int, saturating at `Int.max` (any literal that large is refused).
    static func parseSize(_ digits: some Collection<UInt8>) -> Int {
        var value = 0
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit - 0x30))
            if overflow1 || overflow2 { return Int.max }
            value = sum
        }
        return value
    }
}

enum IMAPFramingError: Error, Sendable, Equatable {
    case lineTooLong
    /// A non-synchronising literal too large to accept: its data is already on the way.
    case literalTooLarge
    case messageTooLong
}
