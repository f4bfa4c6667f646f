#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One attribute: a type and its raw value (1...253 bytes on the wire).
/// Typed constructors and readers cover the RFC 2865 data types postern uses.
public struct RADIUSAttribute: Hashable, Sendable {
    public static let maximumValueLength = 253

    public let type: RADIUSAttributeType
    public let value: [UInt8]

    public init(type: RADIUSAttributeType, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    /// text: UTF-8.
    public static func string(_ type: RADIUSAttributeType, _ text: String) -> RADIUSAttribute {
        RADIUSAttribute(type: type, value: Array(text.utf8))
    }

    public static func octets(_ type: RADIUSAttributeType, _ bytes: [UInt8]) -> RADIUSAttribute {
        RADIUSAttribute(type: type, value: bytes)
    }

    /// integer: 32 bits, network order.
    public static func integer(_ type: RADIUSAttributeType, _ number: UInt32) -> RADIUSAttribute {
        RADIUSAttribute(type: type, value: [UInt8(number >> 24), UInt8(truncatingIfNeeded: number >> 16),
                                            UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number)])
    }

    /// address: 4 bytes.
    public static func ipv4(_ type: RADIUSAttributeType, _ octets: [UInt8]) throws(RADIUSError) -> RADIUSAttribute {
        guard octets.count == 4 else { throw .invalidValue(type) }
        return RADIUSAttribute(type: type, value: octets)
    }

    /// ipv6addr: 16 bytes.
    public static func ipv6(_ type: RADIUSAttributeType, _ octets: [UInt8]) throws(RADIUSError) -> RADIUSAttribute {
        guard octets.count == 16 else { throw .invalidValue(type) }
        return RADIUSAttribute(type: type, value: octets)
    }

    /// NAS-IP-Address or NAS-IPv6-Address from a textual address; nil when the text is neither.
    public static func nasAddress(_ text: String) -> RADIUSAttribute? {
        if let v4 = Self.parseAddress(text, family: AF_INET, size: 4) {
            return RADIUSAttribute(type: .nasIPAddress, value: v4)
        }
        if let v6 = Self.parseAddress(text, family: AF_INET6, size: 16) {
            return RADIUSAttribute(type: .nasIPv6Address, value: v6)
        }
        return nil
    }

    /// The value as UTF-8 text; nil when it is not valid UTF-8.
    public var stringValue: String? {
        String(validating: value, as: UTF8.self)
    }

    /// The value as a 32-bit integer; nil unless exactly 4 bytes.
    public var integerValue: UInt32? {
        guard value.count == 4 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func parseAddress(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let ok = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return ok == 1 ? Array(buffer.prefix(size)) : nil
    }
}
