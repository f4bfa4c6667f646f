import PosternConfig
import PosternCore
import PosternIPC

/// What one authentication request means under its protocol's settings: the split credentials,
/// the mail host (the default server, or an allowed-servers entry the user named) and the checks.
struct LoginPlan {
    let credentials: SplitCredentials
    let mailHost: MailHost
    let usesAAA: Bool
    let serverGroupName: String?
    /// Why the login is refused before anything is asked, if it is.
    let refusal: String?
    /// Why the VPN user cannot be checked by an AAA group at all, known before any server is
    /// asked: an empty VPN part (`:bob`) would go to the server as an empty User-Name.
    let vpnUserRefusal: String?

    init(request: AuthRequest, settings: ProtocolSettings) {
        let splitter = CredentialSplitter(nameSeparator: Character(settings.nameSeparator), serverSeparator: Character(settings.serverSeparator))
        let allowed = settings.allowedServers
        var split = splitter.split(username: request.username, password: request.password,
                                   isAllowedServer: { name in allowed.contains { $0.matches(name: name) } })
        // `["mailhost"]` alone (SPEC §3): no VPN identity. The mail user the mail host accepts is
        // the identity for policy, limits, logs and accounting, and the whole password is the mail
        // password; a VPN part would be a name nobody checked, so it is refused.
        let mailhostOnly = settings.authentication == [.mailhost]
        if mailhostOnly {
            split.vpnUser = split.mailUser
            split.vpnPassword = ""
            split.mailPassword = request.password
        }
        credentials = split
        refusal = mailhostOnly && request.username.contains(Character(settings.nameSeparator))
            ? "a VPN user in the username, but authentication is [\"mailhost\"] alone: the mail user is the identity"
            : nil
        if let named = credentials.server, let host = allowed.first(where: { $0.matches(name: named) }) {
            mailHost = host
        } else {
            mailHost = settings.server
        }
        usesAAA = settings.authentication.contains(.aaa)
        serverGroupName = settings.authenticationServerGroup
        vpnUserRefusal = credentials.vpnUser.isEmpty
            ? "empty VPN user (nothing before name-separator \"\(settings.nameSeparator)\")" : nil
    }
}
