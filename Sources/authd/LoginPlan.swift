import PosternConfig
import PosternCore
import PosternIPC

/// What one authentication request means under its protocol's settings: the split credentials,
/// the mail host (the default server, or an allowed-servers entry the user named) and the checks.
struct LoginPlan {
    let credentials: SplitCredentials
    let mailHost: MailHost
    let usesAAA: Bool
    let usesCertificate: Bool
    /// Who the session is for policy, authorization, limits and accounting: the certificate's
    /// mapped name with `certificate`, else the VPN user.
    let identity: String
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
        usesCertificate = settings.authentication.contains(.certificate)
        var refusal: String? = mailhostOnly && request.username.contains(Character(settings.nameSeparator))
            ? "a VPN user in the username, but authentication is [\"mailhost\"] alone: the mail user is the identity"
            : nil
        var identity = split.vpnUser
        if usesCertificate {
            switch Self.certificateName(request.certificate, settings: settings) {
            case .failure(let reason):
                refusal = reason
            case .success(let mapped):
                identity = mapped
                let typedVPNPart = request.username.contains(Character(settings.nameSeparator))
                if settings.authentication.contains(.aaa) || typedVPNPart {
                    // SPEC §3: a typed VPN user must be the certificate's, compared without case.
                    if CanonicalUsername.of(split.vpnUser) != CanonicalUsername.of(mapped) {
                        refusal = "typed VPN user is not the client certificate's name"
                    }
                }
                // The certificate's spelling is the one the AAA group and accounting see.
                split.vpnUser = mapped
                if !settings.authentication.contains(.aaa) {
                    // No VPN password: the whole password is the mail password.
                    split.vpnPassword = ""
                    split.mailPassword = request.password
                }
            }
        }
        credentials = split
        self.refusal = refusal
        self.identity = identity
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

    /// The VPN username the request's client certificate stands for, or why there is none.
    static func certificateName(_ claim: CertificateClaim?, settings: ProtocolSettings) -> CertificateName {
        guard let claim else { return .failure("the listener sent no client certificate check") }
        if let refusal = claim.refusal { return .failure(refusal) }
        guard let subject = claim.subject else { return .failure(CertificateRefusal.noCertificate.reason) }
        switch CertificateUsername.of(subject: subject, upns: claim.userPrincipalNames, source: settings.authorizationDNAttributes) {
        case .success(let name): return .success(name)
        case .failure(let refusal): return .failure(refusal.reason)
        }
    }

    enum CertificateName {
        case success(String)
        /// The reason, for the log.
        case failure(String)
    }
}
