/// The argument of EHLO and HELO (RFC 5321 section 4.1.1.1: a domain or an address literal),
/// checked loosely: clients send odd names (NetBIOS names, bare words) that mail hosts
/// accept, so only what could not be repeated safely in postern's own EHLO upstream is refused.
enum SMTPHelloName {
    static let maxLength = FieldBounds.ehloName

    /// One token of visible ASCII, at most 255 bytes; an address literal's brackets balanced.
    static func isAcceptable(_ name: some BidirectionalCollection<UInt8>) -> Bool {
        guard !name.isEmpty, name.count <= maxLength, name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return false
        }
        if name.first == ASCII.openBracket { return name.count > 2 && name.last == ASCII.closeBracket }
        return true
    }

    static func isAcceptable(_ name: String) -> Bool {
        isAcceptable(name.utf8)
    }
}
