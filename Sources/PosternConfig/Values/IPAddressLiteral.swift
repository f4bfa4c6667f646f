#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A numeric IPv4 or IPv6 address, parsed by `inet_pton` (so IPv4 must be a dotted quad and
/// IPv6 carries no zone). Its bytes let two spellings of one address compare equal.
struct IPAddressLiteral: Hashable, Sendable {
    enum Family: Sendable { case ipv4, ipv6 }

    let family: Family
    let bytes: [UInt8]

    init?(_ text: String) {
        if let bytes = Self.presentationToBytes(text, family: AF_INET, count: 4) {
            family = .ipv4
            self.bytes = bytes
        } else if let bytes = Self.presentationToBytes(text, family: AF_INET6, count: 16) {
            family = .ipv6
            self.bytes = bytes
        } else {
            return nil
        }
    }

    /// `0.0.0.0` or `::`: listening there covers every address of the family.
    var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// 127.0.0.0/8 or ::1: traffic that never leaves the machine.
    var isLoopback: Bool {
        switch family {
        case .ipv4: bytes[0] == 127
        case .ipv6: bytes.dropLast().allSatisfy { $0 == 0 } && bytes[15] == 1
        }
    }

    private static func presentationToBytes(_ text: String, family: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { buffer in
            inet_pton(family, text, buffer.baseAddress)
        }
        return result == 1 ? bytes : nil
    }
}
