import Dispatch
import PosternConfig
import PosternCore
import PosternIPC
import PosternRADIUS
import PosternSandbox
#if canImport(Glibc)
import Glibc
#endif

/// The AAA role (SPEC §1, §3): decides logins for the listener, holds the session registry for
/// simultaneous logins, and answers only what each session's state permits. It accepts no
/// connections and never sees a client socket. Its state lives on `queue`; slow checks run on
/// `workers` so one user's crypt(3) never holds up another's login.
final class AuthDaemon: @unchecked Sendable {
    private let logger = EventLogger(role: Role.authd.rawValue)
    private let queue = DispatchQueue(label: "postern.authd")
    private let workers = DispatchQueue(label: "postern.authd.workers", attributes: .concurrent)
    private let localUsers = LocalUserStore()
    private var configuration: PosternConfiguration?
    private var listener: IPCChannel?
    private var table = AuthSessionTable<SessionID>(maxAttempts: 3)
    private var penalty = FailurePenalty()
    /// RADIUS shared secrets and LDAP bind passwords, by file path, from the supervisor.
    private var secrets: [String: [UInt8]] = [:]
    private lazy var radius = RADIUSClient(queue: queue, logger: logger)
    /// Who each granted session is, so a login the mail host refuses counts against them too.
    private var grantedTo: [SessionID: (address: String, user: String)] = [:]
    /// Sessions whose Accounting Start went out, for their Stop.
    private var accounted: [SessionID: AccountedSession] = [:]
    private var accountingStarted = false
    private let user: String

    init(user: String) {
        self.user = user
    }

    func run() -> Never {
        logger.log(.roleStarted, ["user": LogValue(user)])
        let link = SupervisorLink(role: .authd, logger: logger)
        link.start(.init(commit: { [self] generation in
            queue.async { [self] in
                configuration = generation.configuration
                secrets = generation.material.pieces(generation: generation.number, kind: .secret)
                if !accountingStarted {
                    accountingStarted = true
                    accountOn(generation.configuration)
                }
                table.maxAttempts = generation.configuration.limits.maxFailedAttempts
            }
        }, peer: { [self] info, fd in
            guard info.role == .listener else {
                close(fd)
                return
            }
            queue.async { [self] in attachListener(fd) }
        }, shutdown: { [self] in
            queue.async { [self] in stop() }
        }))
        dispatchMain()
    }

    private func attachListener(_ fd: Int32) {
        listener?.close()
        // A new listener channel means a new listener: its predecessor's sessions are gone.
        table.removeAll()
        grantedTo.removeAll()
        let channel = IPCChannel(descriptor: fd, localRole: .authd, label: "listener")
        listener = channel
        channel.start(onMessage: { [self] frame in
            queue.async { [self] in received(frame, on: channel) }
        }, onClose: { [self] reason in
            logger.log(.peerLost, ["peer": "listener", "reason": LogValue(reason.description)])
            queue.async { [self] in
                if listener === channel {
                    listener = nil
                    table.removeAll()
                    grantedTo.removeAll()
                }
            }
        })
        logger.log(.peerConnected, ["peer": "listener"])
    }

    private func received(_ frame: IPCFrame, on channel: IPCChannel) {
        guard channel === listener else { return }
        switch frame.message {
        case .authRequest(let request):
            authenticate(request, on: channel)
        case .sessionEstablished(let message):
            do {
                try table.establish(message.session, user: message.vpnUser)
            } catch {
                logger.log(.ipcViolation, session: message.session.description, ["peer": "listener", "error": LogValue("\(error)")])
                return
            }
            accountStart(message)
        case .sessionEnded(let message):
            let failedAtMailHost = message.reason == "login-failed"
            if failedAtMailHost, let who = grantedTo[message.session] {
                penalty.recordFailure(address: who.address, user: who.user, now: monotonicSeconds())
            }
            if !failedAtMailHost { accountStop(message) }
            grantedTo[message.session] = nil
            table.end(message.session, keepForRetry: failedAtMailHost)
        default:
            logger.log(.ipcViolation, ["peer": "listener", "record": LogValue(frame.message.name)])
            channel.close()
        }
    }

    private func authenticate(_ request: AuthRequest, on channel: IPCChannel) {
        let sessionID = request.session.description
        @Sendable func reply(_ decision: AuthDecision) {
            channel.send(.authReply(AuthReply(session: request.session, attempt: request.attempt, decision: decision)))
        }
        do {
            try table.beginAuthentication(request.session, attempt: request.attempt)
        } catch .tooManyAttempts {
            logger.log(.authResult, session: sessionID, ["result": "failure", "reason": "too many attempts in one session"])
            reply(.deny(.final))
            return
        } catch {
            logger.log(.ipcViolation, session: sessionID, ["peer": "listener", "error": LogValue("\(error)")])
            reply(.deny(.final))
            return
        }
        guard let configuration, let settings = configuration.protocols[request.proto] else {
            table.fail(request.session)
            logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "reason": "no configuration for \(request.proto.rawValue)"])
            reply(.deny(.temporary))
            return
        }
        let plan = LoginPlan(request: request, settings: settings)
        logger.log(.authAttempt, session: sessionID, [
            "protocol": LogValue(request.proto.rawValue), "methods": LogValue(settings.authentication.map(\.rawValue).joined(separator: ",")),
            "vpn-user": LogValue(plan.credentials.vpnUser), "mail-user": LogValue(plan.credentials.mailUser),
            "mail-host": LogValue(plan.mailHost.description), "server-group": LogValue(plan.serverGroupName),
            "client": LogValue(request.clientAddress),
        ])
        let delay = penalty.delay(address: request.clientAddress, user: plan.credentials.vpnUser, now: monotonicSeconds())
        if delay > 0 {
            logger.log(.authPenalty, session: sessionID, ["client": LogValue(request.clientAddress),
                                                           "vpn-user": LogValue(plan.credentials.vpnUser),
                                                           "delay-ms": .int(Int(delay * 1000))])
        }
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            check(request, plan: plan, configuration: configuration, reply: reply)
        }
    }

    private func check(_ request: AuthRequest, plan: LoginPlan, configuration: PosternConfiguration,
                       reply: @escaping @Sendable (AuthDecision) -> Void) {
        let sessionID = request.session.description
        guard plan.usesAAA else {
            // `mailhost` alone: the mail host is the only check; the default group policy applies.
            authorize(request, plan: plan, aaaPolicy: nil, configuration: configuration, reply: reply)
            return
        }
        guard let groupName = plan.serverGroupName, let group = configuration.serverGroups[groupName] else {
            table.fail(request.session)
            logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "reason": "no authentication-server-group"])
            reply(.deny(.temporary))
            return
        }
        if case .radius(let servers) = group.backend {
            checkRADIUS(request, plan: plan, group: group, servers: servers, configuration: configuration, reply: reply)
            return
        }
        guard case .local(let usersFile) = group.backend else {
            table.fail(request.session)
            logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "server-group": LogValue(groupName),
                                                         "reason": "server group protocol \(group.aaaProtocol.rawValue) is not available in this version"])
            reply(.deny(.temporary))
            return
        }
        let password = plan.credentials.vpnPassword
        let user = plan.credentials.vpnUser
        workers.async { [self] in
            let verdict = localUsers.verify(user: user, password: password, file: usersFile)
            queue.async { [self] in
                switch verdict {
                case .accepted(let policy):
                    penalty.recordSuccess(address: request.clientAddress, user: user)
                    logger.log(.authResult, session: sessionID, ["result": "success", "method": "aaa", "vpn-user": LogValue(user),
                                                                 "server-group": LogValue(groupName), "server": "local"])
                    authorize(request, plan: plan, aaaPolicy: policy.map { ($0, PolicySource.localFile) },
                              configuration: configuration, reply: reply)
                case .rejected(let reason):
                    table.fail(request.session)
                    penalty.recordFailure(address: request.clientAddress, user: user, now: monotonicSeconds())
                    logger.log(.authResult, session: sessionID, ["result": "failure", "method": "aaa", "vpn-user": LogValue(user),
                                                                 "server-group": LogValue(groupName), "server": "local",
                                                                 "reason": LogValue(reason)])
                    reply(.deny(.refused))
                case .unavailable(let reason):
                    table.fail(request.session)
                    logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "method": "aaa",
                                                                 "server-group": LogValue(groupName), "reason": LogValue(reason)])
                    reply(.deny(.temporary))
                }
            }
        }
    }

    private func checkRADIUS(_ request: AuthRequest, plan: LoginPlan, group: ServerGroup, servers: [RadiusServer],
                             configuration: PosternConfiguration, reply: @escaping @Sendable (AuthDecision) -> Void) {
        let sessionID = request.session.description
        let user = plan.credentials.vpnUser
        radius.authenticate(group: group, servers: servers, secrets: secrets, user: user,
                            password: plan.credentials.vpnPassword, clientAddress: request.clientAddress,
                            session: request.session) { [self] outcome in
            switch outcome {
            case .accepted(let access, let server):
                penalty.recordSuccess(address: request.clientAddress, user: user)
                logger.log(.authResult, session: sessionID, ["result": "success", "method": "aaa", "vpn-user": LogValue(user),
                                                             "server-group": LogValue(group.name), "server": LogValue(server)])
                let limits = ReplyLimits(idle: access.idleTimeout, session: access.sessionTimeout)
                authorize(request, plan: plan, aaaPolicy: access.groupPolicy.map { ($0, PolicySource.radiusClass) },
                          configuration: configuration, replyLimits: limits, reply: reply)
            case .rejected(let server):
                table.fail(request.session)
                penalty.recordFailure(address: request.clientAddress, user: user, now: monotonicSeconds())
                logger.log(.authResult, session: sessionID, ["result": "failure", "method": "aaa", "vpn-user": LogValue(user),
                                                             "server-group": LogValue(group.name), "server": LogValue(server),
                                                             "reason": "Access-Reject"])
                reply(.deny(.refused))
            case .unavailable(let reason), .acknowledged(server: let reason):
                table.fail(request.session)
                logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "method": "aaa",
                                                             "vpn-user": LogValue(user), "server-group": LogValue(group.name),
                                                             "reason": LogValue(reason)])
                reply(.deny(.temporary))
            }
        }
    }

    /// Session-Timeout and Idle-Timeout from an Access-Accept, in seconds: they only tighten.
    struct ReplyLimits {
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

    /// Group policy (SPEC §3) and its login-time limits: protocol allowed, simultaneous logins.
    private func authorize(_ request: AuthRequest, plan: LoginPlan, aaaPolicy: (String, PolicySource)?,
                           configuration: PosternConfiguration, replyLimits: ReplyLimits = .none,
                           reply: @Sendable (AuthDecision) -> Void) {
        let sessionID = request.session.description
        let settings = configuration.protocols[request.proto]!
        let resolution = GroupPolicyResolver.resolve(fromAAA: aaaPolicy.map { (name: $0.0, source: $0.1) },
                                                     protocolDefault: settings.defaultGroupPolicy,
                                                     known: { configuration.groupPolicies[$0] != nil })
        guard case .policy(let name, let source) = resolution, let policy = configuration.groupPolicies[name] else {
            if case .refused(let reason) = resolution {
                logger.log(.authorization, session: sessionID, ["result": "refused", "vpn-user": LogValue(plan.credentials.vpnUser),
                                                                "reason": LogValue(reason)])
            }
            table.fail(request.session)
            reply(.deny(.refused))
            return
        }
        guard policy.protocols.contains(request.proto) else {
            table.fail(request.session)
            logger.log(.limitRefused, session: sessionID, ["limit": "protocols", "policy": LogValue(name),
                                                           "protocol": LogValue(request.proto.rawValue),
                                                           "vpn-user": LogValue(plan.credentials.vpnUser)])
            reply(.deny(.refused))
            return
        }
        let user = plan.credentials.vpnUser
        guard table.grant(request.session, user: user, limit: policy.simultaneousLogins) else {
            logger.log(.limitRefused, session: sessionID, ["limit": "simultaneous-logins", "policy": LogValue(name),
                                                           "vpn-user": LogValue(user), "held": .int(table.logins(of: user)),
                                                           "allowed": .int(policy.simultaneousLogins)])
            reply(.deny(.refused))
            return
        }
        grantedTo[request.session] = (request.clientAddress, user)
        logger.log(.authorization, session: sessionID, ["result": "granted", "vpn-user": LogValue(user), "policy": LogValue(name),
                                                        "source": LogValue(source.rawValue)])
        reply(.allow(Grant(vpnUser: user, mailUser: plan.credentials.mailUser, mailPassword: plan.credentials.mailPassword,
                           mailHost: plan.mailHost.host, mailPort: plan.mailHost.port, groupPolicy: name,
                           idleTimeout: replyLimits.tighten(policy.idleTimeout.milliseconds, with: replyLimits.idle),
                           maxSessionTime: replyLimits.tighten(policy.maxSessionTime.milliseconds, with: replyLimits.session))))
    }

    private func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: - Accounting (SPEC §3, RFC 2866)

    /// postern is stopping: Stop for every session still accounted (NAS-Reboot), Accounting-Off
    /// for each accounting group, then exit once they are answered or after two seconds.
    private func stop() {
        var outstanding = 0
        let finished = {
            outstanding -= 1
            if outstanding <= 0 { exit(0) }
        }
        for (session, record) in accounted {
            guard let group = configuration?.serverGroups[record.group], case .radius(let servers) = group.backend else { continue }
            outstanding += 1
            send(.stop, group: group, servers: servers, session: session, attributes: [
                .integer(.acctStatusType, RADIUSValues.acctStatusStop), .string(.acctSessionId, session.description),
                .string(.userName, record.user), .string(.callingStationId, record.clientAddress),
                .integer(.acctTerminateCause, RADIUSValues.terminateNASReboot),
            ], then: finished)
        }
        accounted.removeAll()
        if let configuration {
            for name in Set(configuration.protocols.values.compactMap(\.accountingServerGroup)).sorted() {
                guard let group = configuration.serverGroups[name], case .radius(let servers) = group.backend else { continue }
                outstanding += 1
                send(.accountingOff, group: group, servers: servers, session: nil, attributes: [
                    .integer(.acctStatusType, 8), .string(.acctSessionId, "postern-\(getpid())"),
                ], then: finished)
            }
        }
        if outstanding == 0 { exit(0) }
        queue.asyncAfter(deadline: .now() + 2) { exit(0) }
    }

    struct AccountedSession {
        var group: String
        var user: String
        var clientAddress: String
    }

    private func accountingGroup(for proto: MailProtocol) -> (ServerGroup, [RadiusServer])? {
        guard let name = configuration?.protocols[proto]?.accountingServerGroup,
              let group = configuration?.serverGroups[name], case .radius(let servers) = group.backend else { return nil }
        return (group, servers)
    }

    /// Accounting-On for every accounting group, once authd has its first configuration.
    private func accountOn(_ configuration: PosternConfiguration) {
        let names = Set(configuration.protocols.values.compactMap(\.accountingServerGroup))
        for name in names.sorted() {
            guard let group = configuration.serverGroups[name], case .radius(let servers) = group.backend else { continue }
            send(.accountingOn, group: group, servers: servers, session: nil, attributes: [
                .integer(.acctStatusType, 7), .string(.acctSessionId, "postern-\(getpid())"),
            ])
        }
    }

    private func accountStart(_ message: SessionEstablished) {
        guard let (group, servers) = accountingGroup(for: message.proto) else { return }
        let address = grantedTo[message.session]?.address ?? ""
        accounted[message.session] = AccountedSession(group: group.name, user: message.vpnUser, clientAddress: address)
        send(.start, group: group, servers: servers, session: message.session, attributes: [
            .integer(.acctStatusType, RADIUSValues.acctStatusStart), .string(.acctSessionId, message.session.description),
            .string(.userName, message.vpnUser), .string(.callingStationId, address),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
        ])
    }

    private func accountStop(_ message: SessionEnded) {
        guard let session = accounted.removeValue(forKey: message.session),
              let group = configuration?.serverGroups[session.group], case .radius(let servers) = group.backend else { return }
        send(.stop, group: group, servers: servers, session: message.session, attributes: [
            .integer(.acctStatusType, RADIUSValues.acctStatusStop), .string(.acctSessionId, message.session.description),
            .string(.userName, session.user), .string(.callingStationId, session.clientAddress),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
            .integer(.acctInputOctets, UInt32(truncatingIfNeeded: message.bytesIn)),
            .integer(.acctInputGigawords, UInt32(truncatingIfNeeded: message.bytesIn >> 32)),
            .integer(.acctOutputOctets, UInt32(truncatingIfNeeded: message.bytesOut)),
            .integer(.acctOutputGigawords, UInt32(truncatingIfNeeded: message.bytesOut >> 32)),
            .integer(.acctSessionTime, UInt32(clamping: message.durationMilliseconds / 1000)),
            .integer(.acctTerminateCause, Self.terminateCause(message.reason)),
        ])
    }

    enum AccountingRecord: String {
        case accountingOn = "accounting-on"
        case accountingOff = "accounting-off"
        case start
        case stop
    }

    /// Sent in the background: a slow or dead accounting server never holds up a session.
    private func send(_ record: AccountingRecord, group: ServerGroup, servers: [RadiusServer], session: SessionID?,
                      attributes: [RADIUSAttribute], then: @escaping () -> Void = {}) {
        radius.account(group: group, servers: servers, secrets: secrets, attributes: attributes) { [self] outcome in
            defer { then() }
            switch outcome {
            case .acknowledged(let server):
                logger.log(.accounting, session: session?.description, ["record": LogValue(record.rawValue), "result": "sent",
                                                                       "server-group": LogValue(group.name), "server": LogValue(server)])
            case .unavailable(let reason), .rejected(server: let reason), .accepted(_, server: let reason):
                logger.log(.accounting, session: session?.description, ["record": LogValue(record.rawValue), "result": "failed",
                                                                       "server-group": LogValue(group.name), "reason": LogValue(reason)])
            }
        }
    }

    /// Why a session ended, as RADIUS names it (RFC 2866 §5.10).
    static func terminateCause(_ reason: String) -> UInt32 {
        switch reason {
        case "client-closed", "client-logout", "closed-by-dialogue": RADIUSValues.terminateUserRequest
        case "idle-timeout": RADIUSValues.terminateIdleTimeout
        case "max-session-time": RADIUSValues.terminateSessionTimeout
        case "admin-reset": RADIUSValues.terminateAdminReset
        case "mail-host-closed": 3  // Lost-Service
        case "shutdown": RADIUSValues.terminateNASReboot
        default: RADIUSValues.terminateLostCarrier
        }
    }
}
