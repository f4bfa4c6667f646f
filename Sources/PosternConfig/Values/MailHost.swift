/// A mail host and port: `server` and the entries of `allowed-servers`. Written `host`,
/// `host:port`, `[v6-address]` or `[v6-address]:port`; a bare IPv6 address is accepted
/// without a port. `host` is kept without brackets.
public struct MailHost: Codable, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `text`, using `defaultPort` when it names none. Returns nil when the host is
    /// neither an IP address nor a DNS name, or the port is not 1–65535.
    public init?(parsing text: String, defaultPort: UInt16) {
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            guard IPAddressLiteral(String(host))?.family == .ipv6 else { return nil }
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if host.filter({ $0 == ":" }).count > 1 {
            guard IPAddressLiteral(String(host))?.family == .ipv6 else { return nil }
        } else if let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
            guard Self.isHostName(host) else { return nil }
        } else {
            guard Self.isHostName(host) else { return nil }
        }
        var port = defaultPort
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let parsed = UInt16(portText),
                  parsed > 0 else { return nil }
            port = parsed
        }
        self.init(host: String(host), port: port)
    }

    /// A DNS name (letters, digits, hyphens, underscores; dot-separated labels of 1–63) or
    /// an IPv4 address. Trailing dots are not accepted.
    static func isHostName(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        // A numeric last label is no top-level domain: such a name must be an IPv4 address.
        if let last = labels.last, last.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return IPAddressLiteral(String(text))?.family == .ipv4
        }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
