import Dispatch
import PosternConfig
import PosternCore
import PosternIPC
import PosternRADIUS

/// What an AAA server group said about a user.
enum AAAVerdict: Sendable {
    case accepted(AAAAttributes, server: String)
    /// The group answered no: wrong password, unknown user.
    case rejected(reason: String, server: String)
    /// No server answered, or the group cannot be used: a temporary failure, not a wrong password.
    case unavailable(String)
}

/// The attributes a group returns for a user (SPEC §3): the group policy it names (RADIUS
/// Class, an LDAP group through `group-map`, the local file's column) and the limits it sets.
struct AAAAttributes: Sendable {
    var policy: String?
    var source: PolicySource?
    var limits: ReplyLimits
    /// RADIUS Class values, echoed in the session's accounting.
    var classes: [[UInt8]] = []

    static let none = AAAAttributes(policy: nil, source: nil, limits: .none)
}

/// Session-Timeout and Idle-Timeout from an Access-Accept, in seconds: they only tighten.
struct ReplyLimits: Sendable {
    var idle: UInt32?
    var session: UInt32?
    static let none = ReplyLimits(idle: nil, session: nil)

    func tighten(_ milliseconds: Int64, with seconds: UInt32?) -> UInt64 {
        let configured = UInt64(max(0, milliseconds))
        guard let seconds, seconds > 0 else { return configured }
        let fromReply = UInt64(seconds) * 1000
        return configured == 0 ? fromReply : min(configured, fromReply)
    }
}

extension AuthDaemon {
    /// Asks `group` about `user`: with a password, authentication; without, authorization (a
    /// look-up of the user's attributes, as for a certificate user). Called on `queue`;
    /// `completion` may run on any thread.
    func ask(_ group: ServerGroup, user: String, password: String?, clientAddress: String, session: SessionID,
             completion: @escaping @Sendable (AAAVerdict) -> Void) {
        switch group.backend {
        case .local(let usersFile):
            let answer: @Sendable (LocalUserStore.Verdict) -> Void = { verdict in
                switch verdict {
                case .accepted(let policy):
                    completion(.accepted(AAAAttributes(policy: policy, source: policy.map { _ in .localFile }, limits: .none),
                                         server: "local"))
                case .rejected(let reason): completion(.rejected(reason: reason, server: "local"))
                case .unavailable(let reason): completion(.unavailable(reason))
                }
            }
            // A client reconnecting with a password verified lately needs no worker thread.
            if let password, let remembered = localUsers.rememberedSuccess(user: user, password: password, file: usersFile) {
                return answer(remembered)
            }
            workers.async { [localUsers] in
                answer(password.map { localUsers.verify(user: user, password: $0, file: usersFile) }
                    ?? localUsers.lookUp(user: user, file: usersFile))
            }
        case .radius(let servers):
            // Authorization alone sends the username as the password, as appliances do; the
            // RADIUS server's policy for such requests decides what comes back.
            radius.authenticate(group: group, servers: servers, secrets: secrets, user: user, password: password ?? user,
                                clientAddress: clientAddress, session: session) { outcome in
                switch outcome {
                case .accepted(let access, let server):
                    completion(.accepted(AAAAttributes(policy: access.groupPolicy,
                                                       source: access.groupPolicy.map { _ in .radiusClass },
                                                       limits: ReplyLimits(idle: access.idleTimeout, session: access.sessionTimeout),
                                                       classes: access.classes),
                                         server: server))
                case .rejected(let server): completion(.rejected(reason: "Access-Reject", server: server))
                case .unavailable(let reason), .acknowledged(server: let reason): completion(.unavailable(reason))
                }
            }
        case .ldap(let servers, let groupMap):
            let secrets = secrets
            workers.async { [directory] in
                let purpose: LDAPDirectory.Purpose = password.map { .authenticate(password: $0) } ?? .lookUp
                switch directory.query(group: group, servers: servers, secrets: secrets, user: user, purpose: purpose) {
                case .found(let groups, let server):
                    let mapped = LDAPGroupMap(groupMap).policy(forGroups: groups)
                    completion(.accepted(AAAAttributes(policy: mapped?.policy, source: mapped.map { _ in .ldapGroup },
                                                       limits: .none), server: server))
                case .rejected(let reason, let server): completion(.rejected(reason: reason, server: server))
                case .unavailable(let reason): completion(.unavailable(reason))
                }
            }
        }
    }

    /// Authorization (SPEC §3): with an `authorization-server-group`, its attributes replace the
    /// authentication's; a failed look-up refuses the session under `authorization-required`,
    /// and otherwise leaves the authentication's attributes in force.
    func authorize(_ request: AuthRequest, plan: LoginPlan, authenticated: AAAAttributes,
                   configuration: PosternConfiguration, reply: @escaping @Sendable (AuthDecision) -> Void) {
        let settings = configuration.protocols[request.proto]!
        guard let groupName = settings.authorizationServerGroup, let group = configuration.serverGroups[groupName] else {
            grant(request, plan: plan, attributes: authenticated, configuration: configuration, reply: reply)
            return
        }
        let sessionID = request.session.description
        let user = plan.identity
        ask(group, user: user, password: nil, clientAddress: request.clientAddress, session: request.session) { [self] verdict in
            queue.async { [self] in
                let failure: String
                let temporary: Bool
                switch verdict {
                case .accepted(let attributes, let server):
                    logger.log(.authorizationLookup, session: sessionID, [
                        "result": "found", "vpn-user": LogValue(user), "server-group": LogValue(groupName),
                        "server": LogValue(server), "policy": LogValue(attributes.policy),
                    ])
                    grant(request, plan: plan, attributes: attributes, configuration: configuration, reply: reply)
                    return
                case .rejected(let reason, let server):
                    failure = reason
                    temporary = false
                    logger.log(.authorizationLookup, session: sessionID, [
                        "result": "not-found", "vpn-user": LogValue(user), "server-group": LogValue(groupName),
                        "server": LogValue(server), "reason": LogValue(reason),
                    ])
                case .unavailable(let reason):
                    failure = reason
                    temporary = true
                    logger.log(.authorizationLookup, session: sessionID, [
                        "result": "unavailable", "vpn-user": LogValue(user), "server-group": LogValue(groupName),
                        "reason": LogValue(reason),
                    ])
                }
                guard settings.authorizationRequired else {
                    grant(request, plan: plan, attributes: authenticated, configuration: configuration, reply: reply)
                    return
                }
                table.fail(request.session, attempt: request.attempt)
                logger.log(.authorization, session: sessionID, [
                    "result": "refused", "vpn-user": LogValue(user),
                    "reason": LogValue("authorization-required and server group \(groupName) did not authorize: \(failure)"),
                ])
                reply(.deny(temporary ? .temporary : .refused))
            }
        }
    }

    /// The group policy (SPEC §3) and its login-time limits: protocol allowed, simultaneous logins.
    private func grant(_ request: AuthRequest, plan: LoginPlan, attributes: AAAAttributes,
                       configuration: PosternConfiguration, reply: @Sendable (AuthDecision) -> Void) {
        let sessionID = request.session.description
        let settings = configuration.protocols[request.proto]!
        let fromAAA = attributes.policy.flatMap { name in attributes.source.map { (name: name, source: $0) } }
        let resolution = GroupPolicyResolver.resolve(fromAAA: fromAAA, protocolDefault: settings.defaultGroupPolicy,
                                                     known: { configuration.groupPolicies[$0] != nil })
        guard case .policy(let name, let source) = resolution, let policy = configuration.groupPolicies[name] else {
            if case .refused(let reason) = resolution {
                logger.log(.authorization, session: sessionID, ["result": "refused", "vpn-user": LogValue(plan.identity),
                                                                "reason": LogValue(reason)])
            }
            table.fail(request.session, attempt: request.attempt)
            reply(.deny(.refused))
            return
        }
        guard policy.protocols.contains(request.proto) else {
            table.fail(request.session, attempt: request.attempt)
            logger.log(.limitRefused, session: sessionID, ["limit": "protocols", "policy": LogValue(name),
                                                           "protocol": LogValue(request.proto.rawValue),
                                                           "vpn-user": LogValue(plan.identity)])
            reply(.deny(.refused))
            return
        }
        let user = plan.identity
        guard table.isAuthenticating(request.session, attempt: request.attempt) else {
            // The session ended while it was checked: nothing to grant, no slot to take.
            reply(.deny(.temporary))
            return
        }
        // Counted by the canonical name: `Alice` and ` alice` are one account to the AAA server.
        let account = CanonicalUsername.of(user)
        guard table.grant(request.session, attempt: request.attempt, user: account, limit: policy.simultaneousLogins) else {
            logger.log(.limitRefused, session: sessionID, ["limit": "simultaneous-logins", "policy": LogValue(name),
                                                           "vpn-user": LogValue(user), "held": .int(table.logins(of: account)),
                                                           "allowed": .int(policy.simultaneousLogins)])
            reply(.deny(.refused))
            return
        }
        let limits = attributes.limits
        // SMTPS logs in upstream only with the `mailhost` method; IMAP4S and POP3S always do.
        var granted = Grant(vpnUser: user, mailUser: plan.credentials.mailUser, mailPassword: plan.credentials.mailPassword,
                            mailHost: plan.mailHost.host, mailPort: plan.mailHost.port, groupPolicy: name,
                            idleTimeout: limits.tighten(policy.idleTimeout.milliseconds, with: limits.idle),
                            maxSessionTime: limits.tighten(policy.maxSessionTime.milliseconds, with: limits.session),
                            authenticateUpstream: request.proto != .smtps || settings.authentication.contains(.mailhost),
                            classes: attributes.classes)
        guard let grantKey else {
            try? table.releaseGrant(request.session)
            logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "reason": "no grant key from the supervisor"])
            reply(.deny(.temporary))
            return
        }
        granted.token = GrantToken.sign(granted.claims(session: request.session, proto: request.proto), key: grantKey)
        grants[request.session] = GrantRecord(address: request.clientAddress, user: user, token: granted.token,
                                              classes: granted.classes)
        logger.log(.authorization, session: sessionID, ["result": "granted", "vpn-user": LogValue(user), "policy": LogValue(name),
                                                        "source": LogValue(source.rawValue)])
        reply(.allow(granted))
    }
}
