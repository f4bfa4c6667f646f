#if canImport(Glibc)
import Glibc
#endif

/// What a client address counts as for the limits kept per address (the failed-login penalty,
/// `outstanding-per-address`): the address itself, or for IPv6 its /64. One host is given a
/// whole /64 and could otherwise come from a fresh address for every connection.
public enum ClientAddressScope {
    public static func of(_ address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        // An IPv4-mapped address is the IPv4 host it maps.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        return stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":") + "::/64"
    }
}
