/// What postern takes from a verified Access-Accept/Reject/Challenge.
public struct RADIUSAccessReply: Hashable, Sendable {
    public let code: RADIUSCode
    /// From the first Class attribute that parses (see `groupPolicyName(fromClass:)`).
    public let groupPolicy: String?
    /// Every Class value as received, to echo in accounting (RFC 2865 §5.25).
    public let classes: [[UInt8]]
    public let sessionTimeout: UInt32?
    public let idleTimeout: UInt32?
    /// Reply-Message texts, in order; ones not valid UTF-8 are left out.
    public let replyMessages: [String]

    public init(_ packet: RADIUSPacket) {
        code = packet.code
        classes = packet.values(of: .class)
        groupPolicy = classes.lazy.compactMap(Self.groupPolicyName(fromClass:)).first
        sessionTimeout = packet.first(.sessionTimeout)?.integerValue
        idleTimeout = packet.first(.idleTimeout)?.integerValue
        replyMessages = packet.attributes.filter { $0.type == .replyMessage }.compactMap(\.stringValue)
    }

    /// The group policy a Class value names, in the forms `OU=name;`, `OU=name` and `name`
    /// (SPEC §3; the prefix case-insensitive, the name ending at the first `;`). Nil for
    /// values that are not UTF-8, carry control characters, or name nothing.
    public static func groupPolicyName(fromClass value: [UInt8]) -> String? {
        guard var text = String(validating: value, as: UTF8.self) else { return nil }
        if text.utf8.count >= 3, text.prefix(3).uppercased() == "OU=" {
            text = String(text.dropFirst(3))
        }
        if let semicolon = text.firstIndex(of: ";") {
            text = String(text[..<semicolon])
        }
        let name = text.trimmingSpaces
        guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              !name.contains("=") else { return nil }
        return name
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
