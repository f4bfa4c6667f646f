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
    /// Why the VPN user cannot be checked by an AAA group at all, known before any server is
    /// asked: an empty VPN part (`:bob`) would go to the server as an empty User-Name.
    let vpnUserRefusal: String?

    init(request: AuthRequest, settings: ProtocolSettings) {
        let splitter = CredentialSplitter(nameSeparator: Character(settings.nameSeparator), serverSeparator: Character(settings.serverSeparator))
        let allowed = settings.allowedServers
        credentials = splitter.split(username: request.username, password: request.password,
                                     isAllowedServer: { name in allowed.contains { $0.matches(name: name) } })
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
