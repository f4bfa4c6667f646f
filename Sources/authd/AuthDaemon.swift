import CPostern
import Dispatch
import PosternConfig
import PosternCore
import PosternCrypto
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
    let logger = EventLogger(role: Role.authd.rawValue)
    let queue = DispatchQueue(label: "postern.authd")
    let workers = DispatchQueue(label: "postern.authd.workers", attributes: .concurrent)
    let localUsers = LocalUserStore()
    var configuration: PosternConfiguration?
    private var listener: IPCChannel?
    var table = AuthSessionTable<SessionID>(maxAttempts: 3)
    var penalty = FailurePenalty()
    /// RADIUS shared secrets and LDAP bind passwords, by file path, from the supervisor.
    var secrets: [String: [UInt8]] = [:]
    private(set) lazy var radius = RADIUSClient(queue: queue, logger: logger)
    private(set) lazy var directory = LDAPDirectory(report: { [logger] events in
        for event in events {
            logger.log(event)
        }
    })
    /// Sessions granted and not yet established: who they are (a login the mail host refuses
    /// counts against them too), the token the listener must show, what accounting echoes.
    var grants: [SessionID: GrantRecord] = [:]
    /// Sessions whose Accounting Start went out (here or in the authd before), for their Stop.
    var accounted: [SessionID: AccountedSession] = [:]
    /// Signs grants; from the supervisor.
    var grantKey: GrantKey?
    /// The listener process whose sessions the tables hold.
    private var listenerPID: Int32?
    private var accountingStarted = false
    private let user: String
    private let link: SupervisorLink

    init(user: String) {
        self.user = user
        link = SupervisorLink(role: .authd, logger: logger)
    }

    func run() -> Never {
        logger.log(.roleStarted, ["user": LogValue(user)])
        link.start(.init(commit: { [self] generation in
            queue.async { [self] in
                configuration = generation.configuration
                secrets = generation.material.pieces(generation: generation.number, kind: .secret)
                grantKey = generation.material.piece(generation: generation.number, kind: .grantKey).flatMap(GrantKey.init)
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
            queue.async { [self] in attachListener(fd, pid: info.pid) }
        }, tables: { [self] report in
            queue.async { [self] in report(tableCounts()) }
        }, shutdown: { [self] in
            queue.async { [self] in stop() }
        }))
        forgetExpiredPenalties()
        dispatchMain()
    }

    private func attachListener(_ fd: Int32, pid: Int32) {
        listener?.close()
        if pid == listenerPID {
            // The same listener, paired again: what was in flight failed there; its established
            // sessions go on, and it tells them again (session-resync).
            table.removeUnestablished()
            grants.removeAll()
        } else {
            // Another listener: its predecessor's sessions are gone (SPEC §3: Stop, Lost-Service).
            listenerLost()
        }
        listenerPID = pid
        // Records arrive on authd's own queue: no hand-off between the socket and the state.
        let channel = IPCChannel(descriptor: fd, localRole: .authd, peer: .listener, queue: queue)
        listener = channel
        channel.start(handling: [.authRequest, .sessionEstablished, .sessionResync, .grantReleased, .sessionEnded],
                      onMessage: { [self] frame in
            received(frame, on: channel)
        }, onClose: { [self] reason in
            logger.log(.peerLost, ["peer": "listener", "reason": LogValue(reason.description)])
            queue.async { [self] in
                if listener === channel {
                    listener = nil
                    // Closed while this role lives: the supervisor pairs us with the listener again
                    // (or with its successor; the tables are settled then, by the peer's pid).
                    link.send(.channelLost(PeerChannel(role: .listener, index: 0)))
                }
            }
        })
        logger.log(.peerConnected, ["peer": "listener"])
    }

    private func received(_ frame: IPCFrame, on channel: IPCChannel) {
        guard channel === listener else { return }
        do {
            switch frame.message {
            case .authRequest(let request):
                authenticate(request, on: channel)
            case .sessionEstablished(let message):
                guard let granted = grants[message.session], Crypto.constantTimeEqual(message.token, granted.token) else {
                    throw AuthSessionTable<SessionID>.Refusal.notPermitted("session-established without authd's grant token")
                }
                try table.establish(message.session, user: CanonicalUsername.of(message.vpnUser))
                grants[message.session] = nil
                accountStart(message.session, proto: message.proto, grant: granted)
            case .sessionResync(let message):
                guard GrantToken.verify(message.token, message.claims, key: grantKey) else {
                    throw AuthSessionTable<SessionID>.Refusal.notPermitted("session-resync without a valid grant token")
                }
                if try table.adopt(message.claims.session, user: CanonicalUsername.of(message.claims.vpnUser)) {
                    grants[message.claims.session] = nil
                    accountResynced(message)
                }
            case .grantReleased(let message):
                try table.releaseGrant(message.session)
                if message.reason.isFailedLogin, let who = grants[message.session] {
                    penalty.recordFailure(address: who.address, user: CanonicalUsername.of(who.user), now: monotonicSeconds())
                }
                grants[message.session] = nil
            case .sessionEnded(let message):
                grants[message.session] = nil
                accountStop(message.session, bytesIn: message.bytesIn, bytesOut: message.bytesOut,
                            cause: Self.terminateCause(message.reason))
                table.end(message.session)
            default:
                // The charter keeps other records from arriving here.
                break
            }
        } catch {
            logger.log(.ipcViolation, session: frame.message.session?.description,
                       ["peer": "listener", "record": LogValue(frame.message.name), "error": LogValue("\(error)")])
        }
    }

    private func authenticate(_ request: AuthRequest, on channel: IPCChannel) {
        let sessionID = request.session.description
        @Sendable func reply(_ decision: AuthDecision) {
            let sent = channel.send(.authReply(AuthReply(session: request.session, attempt: request.attempt, decision: decision)))
            if !sent, case .allow = decision {
                // A grant that could not be sent (the field bounds keep it from being too large):
                // its slot goes back, and the listener hears a temporary refusal instead.
                queue.async { [self] in
                    grants[request.session] = nil
                    try? table.releaseGrant(request.session)
                    channel.send(.authReply(AuthReply(session: request.session, attempt: request.attempt,
                                                      decision: .deny(.temporary))))
                }
            }
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
            table.fail(request.session, attempt: request.attempt)
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
            "client-subject": .capped(plan.usesCertificate ? request.certificate?.subject?.rfc4514 : nil),
        ])
        if let refusal = plan.refusal ?? Self.radiusNameRefusal(plan, settings: settings, configuration: configuration) {
            table.fail(request.session, attempt: request.attempt)
            logger.log(.authResult, session: sessionID, ["result": "failure", "reason": LogValue(refusal)])
            reply(.deny(.refused))
            return
        }
        let slot = penalty.schedule(address: request.clientAddress, user: CanonicalUsername.of(plan.credentials.vpnUser),
                                    now: monotonicSeconds())
        guard case .wait(let delay) = slot else {
            // More guesses in flight than the rate lets through within the maximum wait.
            table.fail(request.session, attempt: request.attempt)
            logger.log(.authResult, session: sessionID, [
                "result": "temporary-failure", "vpn-user": LogValue(plan.credentials.vpnUser),
                "reason": "too many failed logins from this address in flight: refused unchecked, try later",
            ])
            reply(.deny(.temporary))
            return
        }
        if delay > 0 {
            logger.log(.authPenalty, session: sessionID, ["client": LogValue(request.clientAddress),
                                                           "vpn-user": LogValue(plan.credentials.vpnUser),
                                                           "delay-ms": .int(Int(delay * 1000))])
        }
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            // The session ended, or asked again, while it waited out its penalty: nothing to check.
            guard table.isAuthenticating(request.session, attempt: request.attempt) else { return }
            check(request, plan: plan, configuration: configuration, reply: reply)
        }
    }

    /// A certificate's mapped name (`entire-dn` above all) can be longer than a RADIUS
    /// User-Name may be (253 bytes): refused up front when a RADIUS group would have to send it,
    /// rather than failing later as an unreachable server or a missing accounting record.
    static func radiusNameRefusal(_ plan: LoginPlan, settings: ProtocolSettings, configuration: PosternConfiguration) -> String? {
        guard plan.usesCertificate, plan.identity.utf8.count > RADIUSAttribute.maximumValueLength else { return nil }
        let groups = [settings.authenticationServerGroup, settings.authorizationServerGroup, settings.accountingServerGroup]
        let radius = groups.compactMap { $0.flatMap { configuration.serverGroups[$0] } }.contains {
            if case .radius = $0.backend { return true } else { return false }
        }
        return radius ? "the client certificate's name is \(plan.identity.utf8.count) bytes, more than a RADIUS User-Name holds (253); "
            + "choose shorter authorization-dn-attributes" : nil
    }

    /// Authentication (SPEC §3) by the protocol's method; then authorization and the grant.
    private func check(_ request: AuthRequest, plan: LoginPlan, configuration: PosternConfiguration,
                       reply: @escaping @Sendable (AuthDecision) -> Void) {
        let sessionID = request.session.description
        if plan.usesCertificate {
            // LoginPlan refused any certificate that does not verify or map.
            logger.log(.authResult, session: sessionID, ["result": "success", "method": "certificate",
                                                         "vpn-user": LogValue(plan.identity),
                                                         "client-subject": .capped(request.certificate?.subject?.rfc4514)])
        }
        guard plan.usesAAA else {
            // `mailhost` alone: the mail host is the only check.
            authorize(request, plan: plan, authenticated: .none, configuration: configuration, reply: reply)
            return
        }
        if let refusal = plan.vpnUserRefusal {
            // Refused here, so that no server of the group ever sees the request.
            table.fail(request.session, attempt: request.attempt)
            penalty.recordFailure(address: request.clientAddress, user: CanonicalUsername.of(plan.credentials.vpnUser),
                                  now: monotonicSeconds())
            logger.log(.authResult, session: sessionID, ["result": "failure", "method": "aaa",
                                                         "server-group": LogValue(plan.serverGroupName),
                                                         "reason": LogValue(refusal)])
            reply(.deny(.refused))
            return
        }
        guard let groupName = plan.serverGroupName, let group = configuration.serverGroups[groupName] else {
            table.fail(request.session, attempt: request.attempt)
            logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "reason": "no authentication-server-group"])
            reply(.deny(.temporary))
            return
        }
        let user = plan.credentials.vpnUser
        let finish: @Sendable (AAAVerdict) -> Void = { [self] verdict in
            queue.async { [self] in
                switch verdict {
                case .accepted(let attributes, let server):
                    penalty.recordSuccess(address: request.clientAddress, user: CanonicalUsername.of(user), now: monotonicSeconds())
                    logger.log(.authResult, session: sessionID, ["result": "success", "method": "aaa", "vpn-user": LogValue(user),
                                                                 "server-group": LogValue(groupName), "server": LogValue(server)])
                    authorize(request, plan: plan, authenticated: attributes, configuration: configuration, reply: reply)
                case .rejected(let reason, let server):
                    table.fail(request.session, attempt: request.attempt)
                    penalty.recordFailure(address: request.clientAddress, user: CanonicalUsername.of(user), now: monotonicSeconds())
                    logger.log(.authResult, session: sessionID, ["result": "failure", "method": "aaa", "vpn-user": LogValue(user),
                                                                 "server-group": LogValue(groupName), "server": LogValue(server),
                                                                 "reason": LogValue(reason)])
                    reply(.deny(.refused))
                case .unavailable(let reason):
                    table.fail(request.session, attempt: request.attempt)
                    logger.log(.authResult, session: sessionID, ["result": "temporary-failure", "method": "aaa",
                                                                 "vpn-user": LogValue(user), "server-group": LogValue(groupName),
                                                                 "reason": LogValue(reason)])
                    reply(.deny(.temporary))
                }
            }
        }
        ask(group, user: user, password: plan.credentials.vpnPassword, clientAddress: request.clientAddress,
            session: request.session, completion: finish)
    }

    /// The sizes of authd's per-session tables (queue only).
    private func tableCounts() -> StateTableCounts {
        let penalties = penalty.liveRecords(now: monotonicSeconds())
        return StateTableCounts([
            .permits: UInt64(table.states.count), .loginSlots: UInt64(table.slotsHeld),
            .granted: UInt64(grants.count), .accounted: UInt64(accounted.count),
            .penaltyAddresses: UInt64(penalties.addresses), .penaltyUsers: UInt64(penalties.users),
        ])
    }

    /// Failed-login records older than the penalty window delay nothing: dropped once a minute,
    /// so a flood of failures from many addresses gives its memory back.
    private func forgetExpiredPenalties() {
        queue.asyncAfter(deadline: .now() + 60) { [self] in
            let before = penalty.recordCount
            penalty.forgetExpired(now: monotonicSeconds())
            if penalty.recordCount != before {
                // A flood of failures from many addresses leaves free chunks all over the heap,
                // which malloc keeps; hand the whole free pages back.
                _ = postern_release_free_memory()
            }
            forgetExpiredPenalties()
        }
    }

    func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
