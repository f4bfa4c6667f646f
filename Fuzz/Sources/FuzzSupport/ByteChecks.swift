/// Small predicates the targets' invariants share.
public enum ByteChecks {
    /// Whether `needle` occurs in `haystack` (an empty needle never does, for our purposes).
    public static func contains(_ haystack: some Collection<UInt8>, _ needle: some Collection<UInt8>) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        let hay = Array(haystack)
        let pin = Array(needle)
        for start in 0...(hay.count - pin.count) where hay[start..<start + pin.count].elementsEqual(pin) {
            return true
        }
        return false
    }

    /// Whether the bytes are whole protocol lines: printable ASCII, each ended by CRLF.
    /// What a peer sends us must never make us write a control character or a line break
    /// of its choosing.
    @inlinable
    public static func arePrintableCRLFLines(_ bytes: some Collection<UInt8>) -> Bool {
        var previousWasCR = false
        var last: UInt8?
        for byte in bytes {
            last = byte
            switch byte {
            case 0x0D:
                guard !previousWasCR else { return false }
                previousWasCR = true
            case 0x0A:
                guard previousWasCR else { return false }
                previousWasCR = false
            case 0x20...0x7E:
                guard !previousWasCR else { return false }
            default:
                return false
            }
        }
        return last == nil || last == 0x0A
    }

    /// The lines of `bytes` without their CRLF, or nil unless the bytes are whole CRLF lines
    /// (a CR only before LF, an LF only after CR, and a CRLF at the end).
    public static func crlfLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case 0x0D:
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { return nil }
            case 0x0A:
                guard index > start, bytes[index - 1] == 0x0D else { return nil }
                lines.append(bytes[start..<index - 1])
                start = index + 1
            default:
                break
            }
        }
        return start == bytes.count ? lines : nil
    }

    /// Whether the bytes are whole CRLF lines of text: like `arePrintableCRLFLines`, but
    /// letting through UTF-8 beyond ASCII (a mail host's words may hold it), never a control
    /// character.
    public static func areTextCRLFLines(_ bytes: [UInt8]) -> Bool {
        guard let lines = crlfLines(bytes) else { return false }
        return lines.allSatisfy { line in
            String(validating: line, as: UTF8.self).map { text in
                !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            } ?? false
        }
    }

    /// Whether `bytes` start with the ASCII `prefix`, ignoring the case of ASCII letters.
    /// Inlinable, and a plain loop rather than `zip`/`allSatisfy`: called unspecialised from
    /// the protocol targets, it was a tenth of POP3's time.
    @inlinable
    public static func hasPrefix(_ bytes: some Collection<UInt8>, ignoringCase prefix: String) -> Bool {
        var index = bytes.startIndex
        for expected in prefix.utf8 {
            guard index != bytes.endIndex, upper(bytes[index]) == upper(expected) else { return false }
            bytes.formIndex(after: &index)
        }
        return true
    }

    @usableFromInline
    static func upper(_ byte: UInt8) -> UInt8 {
        byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
    }
}
