import FuzzSupport
import PosternCore

/// SPEC §3, as properties of one split: nothing is lost or invented, the VPN parts never hold
/// the name separator, and the server is only ever a name the allowed-servers check accepted.
enum SplitInvariants {
    static func check(_ input: CredentialInput) {
        let splitter = CredentialSplitter(nameSeparator: input.nameSeparator, serverSeparator: input.serverSeparator)
        var asked: [String: Bool] = [:]
        // Case-insensitive like MailHost.matches(name:); empty entries never match.
        let allowed = input.allowedServers.filter { !$0.isEmpty }.map { $0.lowercased() }
        let split = splitter.split(username: input.username, password: input.password) { name in
            let verdict = allowed.contains(name.lowercased())
            asked[name] = verdict
            return verdict
        }
        require(!split.vpnUser.contains(input.nameSeparator), "split: VPN user holds the name separator")
        require(!split.vpnPassword.contains(input.nameSeparator), "split: VPN password holds the name separator")
        if let server = split.server {
            require(asked[server] == true, "split: server \(server.debugDescription) was not accepted by allowed-servers")
            require(!server.isEmpty, "split: empty server")
            require(!server.contains(input.serverSeparator), "split: server holds the server separator")
        } else if let at = split.mailUser.lastIndex(of: input.serverSeparator) {
            // A server part stays in the mail username only when allowed-servers refused it.
            let candidate = String(split.mailUser[split.mailUser.index(after: at)...])
            require(candidate.isEmpty || asked[candidate] == false,
                    "split: server part left in the mail username without asking allowed-servers")
        }

        // Username: vpn<sep>mail<ssep>server, or one name for both sides.
        var rest = Array(input.username.utf8)
        if input.username.contains(input.nameSeparator) {
            rest = after(rest, head: split.vpnUser, separator: input.nameSeparator, "username")
        } else {
            same(split.vpnUser, split.mailUser, "one name for both sides")
        }
        if let server = split.server {
            rest = after(rest, head: split.mailUser, separator: input.serverSeparator, "username")
            require(rest == Array(server.utf8), "split: the server is not what ends the username")
        } else {
            require(rest == Array(split.mailUser.utf8), "split: the mail user is not what ends the username")
        }
        // Password: vpn<sep>mail, or one password for both sides.
        if input.password.contains(input.nameSeparator) {
            let mailPassword = after(Array(input.password.utf8), head: split.vpnPassword,
                                     separator: input.nameSeparator, "password")
            require(mailPassword == Array(split.mailPassword.utf8), "split: the mail password is not what ends the password")
        } else {
            same(split.vpnPassword, input.password, "password")
            same(split.mailPassword, input.password, "password")
        }
    }

    /// `text` must be `head`, byte for byte, then one character equal to `separator`; returns
    /// what follows. Equal as Swift compares Characters (canonical equivalence): the splitter
    /// takes U+037E GREEK QUESTION MARK for ";", which is the same character once normalised.
    private static func after(_ text: [UInt8], head: String, separator: Character, _ what: String) -> [UInt8] {
        let head = Array(head.utf8)
        require(text.starts(with: head), "split: \(what) does not start with its first part")
        let remainder = String(decoding: text[head.count...], as: UTF8.self)
        require(remainder.first == separator, "split: \(what) has no separator after its first part")
        return Array(remainder.dropFirst().utf8)
    }

    /// Byte-exact: String's == is canonical equivalence, which would hide a changed byte.
    private static func same(_ part: String, _ original: String, _ what: String) {
        require(Array(part.utf8) == Array(original.utf8), "split: \(what) changed on the way")
    }
}
