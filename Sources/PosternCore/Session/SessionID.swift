import CPostern

/// The id every role logs for one client session: 16 hex digits from the kernel's random source.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func random() -> SessionID {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { postern_random_bytes($0.baseAddress, $0.count) }
        return SessionID(rawValue: value)
    }

    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
