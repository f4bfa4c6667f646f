/// Small predicates the targets' invariants share.
public enum ByteChecks {
    /// Whether `needle` occurs in `haystack` (an empty needle never does, for our purposes).
    public static func contains(_ haystack: some Collection<UInt8>, _ needle: some Collection<UInt8>) -> Bool {
        let hay = Array(haystack)
        let pin = Array(needle)
        guard !pin.isEmpty, pin.count <= hay.count else { return false }
        for start in 0...(hay.count - pin.count) where hay[start..<start + pin.count].elementsEqual(pin) {
            return true
        }
        return false
    }

    /// Whether the bytes are whole protocol lines: printable ASCII, each ended by CRLF.
    /// What a peer sends us must never make us write a control character or a line break
    /// of its choosing.
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
}
