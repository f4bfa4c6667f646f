#if canImport(Glibc)
import Glibc
#endif

/// Writes one `key=value` line per event to standard error (the journal under systemd).
/// One write(2) per line keeps lines from different threads and processes whole.
public struct EventLogger: Sendable {
    public let role: String
    private let withTimestamp: Bool

    public init(role: String) {
        self.role = role
        // journald stamps every line itself; elsewhere the line carries its own time.
        self.withTimestamp = getenv("JOURNAL_STREAM") == nil
    }

    public func log(_ event: LogEvent, session: String? = nil, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(event, session: session, fields: fields.map { ($0.key, $0.value) })
    }

    public func log(_ event: LogEvent, session: String? = nil, fields: [(String, LogValue)]) {
        var line = ""
        line.reserveCapacity(160)
        if withTimestamp {
            line += "time=" + Self.timestamp() + " "
        }
        line += "role=" + role + " pid=" + String(getpid()) + " event=" + event.rawValue
        if let session {
            line += " session=" + session
        }
        for (key, value) in fields {
            guard let text = value.text else { continue }
            line += " " + key + "=" + Self.quote(text)
        }
        line += "\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    /// Quotes a value when it holds a space, quote, equals sign, backslash or a character
    /// `DisplayEscape` escapes; inside the quotes those are escaped, so a client can neither
    /// forge a line nor hide or reorder what a reader sees.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || DisplayEscape.isEscaped($0)
        }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" {
                out += "\\\""
            } else {
                DisplayEscape.append(scalar, to: &out)
            }
        }
        return out + "\""
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tm = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &tm)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(tm.tm_year + 1900, 4) + "-" + pad(tm.tm_mon + 1, 2) + "-" + pad(tm.tm_mday, 2) + "T"
            + pad(tm.tm_hour, 2) + ":" + pad(tm.tm_min, 2) + ":" + pad(tm.tm_sec, 2) + "."
            + pad(Int32(ts.tv_nsec / 1_000_000), 3) + "Z"
    }
}

/// A log field value. Passwords have no case here: there is no way to log one.
public struct LogValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringInterpolation {
    public let text: String?
    public init(_ text: String?) { self.text = text }
    public init(stringLiteral value: String) { self.text = value }
    public init(integerLiteral value: Int) { self.text = String(value) }
    public static func int<T: BinaryInteger>(_ v: T) -> LogValue { LogValue(String(v)) }
    public static func bool(_ v: Bool) -> LogValue { LogValue(v ? "yes" : "no") }

    /// Text a client chose (a certificate's names can run to the TLS limit of 100 KB), cut to
    /// `bytes` at a character boundary with a marker, so one handshake cannot flood the log.
    public static func capped(_ text: String?, bytes: Int = 1024) -> LogValue {
        guard let text, text.utf8.count > bytes else { return LogValue(text) }
        var kept = ""
        for character in text {
            guard kept.utf8.count + character.utf8.count <= bytes else { break }
            kept.append(character)
        }
        return LogValue(kept + "…(\(text.utf8.count) bytes)")
    }
}
