/// What the user typed, split per SPEC §3: `vpn_user<name-sep>mail_user<server-sep>server`
/// and `vpn_password<name-sep>mail_password`. Each part after the first is optional.
public struct SplitCredentials: Sendable, Equatable {
    public var vpnUser: String
    public var mailUser: String
    /// The allowed-servers entry the user named, or nil for the protocol's default server.
    public var server: String?
    public var vpnPassword: String
    public var mailPassword: String

    public init(vpnUser: String, mailUser: String, server: String?, vpnPassword: String, mailPassword: String) {
        self.vpnUser = vpnUser
        self.mailUser = mailUser
        self.server = server
        self.vpnPassword = vpnPassword
        self.mailPassword = mailPassword
    }
}

public struct CredentialSplitter: Sendable {
    public let nameSeparator: Character
    public let serverSeparator: Character

    public init(nameSeparator: Character = ":", serverSeparator: Character = "@") {
        precondition(nameSeparator != serverSeparator, "separators must differ")
        self.nameSeparator = nameSeparator
        self.serverSeparator = serverSeparator
    }

    /// `isAllowedServer` says whether a name is an entry of `allowed-servers`; a server part that is
    /// not one stays in the mail username, so `alice@example.org` still works and no user can steer
    /// the relay to a host of their choosing.
    public func split(username: String, password: String, isAllowedServer: (String) -> Bool) -> SplitCredentials {
        var vpnUser = username
        var mailPart = username
        if let cut = username.firstIndex(of: nameSeparator) {
            vpnUser = String(username[..<cut])
            mailPart = String(username[username.index(after: cut)...])
        }
        var server: String?
        if let at = mailPart.lastIndex(of: serverSeparator) {
            let candidate = String(mailPart[mailPart.index(after: at)...])
            if !candidate.isEmpty && isAllowedServer(candidate) {
                server = candidate
                mailPart = String(mailPart[..<at])
                if vpnUser == username {
                    // One name served both sides; the VPN user does not carry the server either.
                    vpnUser = mailPart
                }
            }
        }
        var vpnPassword = password
        var mailPassword = password
        if let cut = password.firstIndex(of: nameSeparator) {
            vpnPassword = String(password[..<cut])
            mailPassword = String(password[password.index(after: cut)...])
        }
        return SplitCredentials(vpnUser: vpnUser, mailUser: mailPart, server: server,
                                vpnPassword: vpnPassword, mailPassword: mailPassword)
    }
}
