import Dispatch
import PosternConfig
import PosternCore
import PosternIPC
import PosternRADIUS
#if canImport(Glibc)
import Glibc
#endif

extension AuthDaemon {
    // MARK: - Accounting (SPEC §3, RFC 2866)

    /// postern is stopping: Stop for every session still accounted (NAS-Reboot), Accounting-Off
    /// for each accounting group, then exit once they are answered or after two seconds.
    func stop() {
        var outstanding = 0
        let finished = {
            outstanding -= 1
            if outstanding <= 0 { exit(0) }
        }
        for session in accounted.keys {
            outstanding += 1
            accountStop(session, bytesIn: 0, bytesOut: 0, cause: RADIUSValues.terminateNASReboot, then: finished)
        }
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
        /// When the mail host accepted the login (monotonic seconds): Acct-Session-Time counts from here.
        var loggedInAt: Double
        var classes: [[UInt8]]
    }

    /// The listener authd served is gone, and its sessions with it: Stop (Lost-Service) for each
    /// accounted one, and every login slot is free.
    func listenerLost() {
        for session in accounted.keys {
            accountStop(session, bytesIn: 0, bytesOut: 0, cause: RADIUSValues.terminateLostService)
        }
        table.removeAll()
        grants.removeAll()
    }

    private func accountingGroup(for proto: MailProtocol) -> (ServerGroup, [RadiusServer])? {
        guard let name = configuration?.protocols[proto]?.accountingServerGroup,
              let group = configuration?.serverGroups[name], case .radius(let servers) = group.backend else { return nil }
        return (group, servers)
    }

    /// Accounting-On for every accounting group, once authd has its first configuration.
    func accountOn(_ configuration: PosternConfiguration) {
        let names = Set(configuration.protocols.values.compactMap(\.accountingServerGroup))
        for name in names.sorted() {
            guard let group = configuration.serverGroups[name], case .radius(let servers) = group.backend else { continue }
            send(.accountingOn, group: group, servers: servers, session: nil, attributes: [
                .integer(.acctStatusType, 7), .string(.acctSessionId, "postern-\(getpid())"),
            ])
        }
    }

    func accountStart(_ session: SessionID, proto: MailProtocol, grant: GrantRecord) {
        guard let (group, servers) = accountingGroup(for: proto) else { return }
        accounted[session] = AccountedSession(group: group.name, user: grant.user, clientAddress: grant.address,
                                              loggedInAt: monotonicSeconds(), classes: grant.classes)
        send(.start, group: group, servers: servers, session: session, attributes: [
            .integer(.acctStatusType, RADIUSValues.acctStatusStart), .string(.acctSessionId, session.description),
            .string(.userName, grant.user), .string(.callingStationId, grant.address),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
        ] + grant.classes.map { .octets(.class, $0) })
    }

    /// A session the authd before this one accounted (its Start went out then): remembered for
    /// its Stop, with no second Start.
    func accountResynced(_ message: SessionResync) {
        guard let (group, _) = accountingGroup(for: message.claims.proto) else { return }
        accounted[message.claims.session] = AccountedSession(
            group: group.name, user: message.claims.vpnUser, clientAddress: message.clientAddress,
            loggedInAt: monotonicSeconds() - Double(message.authenticatedMilliseconds) / 1000, classes: message.classes)
    }

    func accountStop(_ id: SessionID, bytesIn: UInt64, bytesOut: UInt64, cause: UInt32, then: @escaping () -> Void = {}) {
        guard let session = accounted.removeValue(forKey: id),
              let group = configuration?.serverGroups[session.group], case .radius(let servers) = group.backend else {
            then()
            return
        }
        let seconds = max(0, monotonicSeconds() - session.loggedInAt)
        send(.stop, group: group, servers: servers, session: id, attributes: [
            .integer(.acctStatusType, RADIUSValues.acctStatusStop), .string(.acctSessionId, id.description),
            .string(.userName, session.user), .string(.callingStationId, session.clientAddress),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
            .integer(.acctInputOctets, UInt32(truncatingIfNeeded: bytesIn)),
            .integer(.acctInputGigawords, UInt32(truncatingIfNeeded: bytesIn >> 32)),
            .integer(.acctOutputOctets, UInt32(truncatingIfNeeded: bytesOut)),
            .integer(.acctOutputGigawords, UInt32(truncatingIfNeeded: bytesOut >> 32)),
            .integer(.acctSessionTime, UInt32(clamping: UInt64(seconds))),
            .integer(.acctTerminateCause, cause),
        ] + session.classes.map { .octets(.class, $0) }, then: then)
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
    static func terminateCause(_ reason: SessionCloseReason) -> UInt32 {
        switch reason {
        case .clientClosed, .clientLogout, .closedByDialogue: RADIUSValues.terminateUserRequest
        case .idleTimeout, .preauthIdleTimeout: RADIUSValues.terminateIdleTimeout
        case .maxSessionTime: RADIUSValues.terminateSessionTimeout
        case .adminReset: RADIUSValues.terminateAdminReset
        case .mailHostClosed: RADIUSValues.terminateLostService
        case .shutdown: RADIUSValues.terminateNASReboot
        case .evicted, .preauthMaxTime, .tlsFailed, .tlsError, .clientError, .tooManyFailures, .internalError: RADIUSValues.terminateLostCarrier
        }
    }
}

/// A grant authd gave and the listener has not yet used.
struct GrantRecord: Sendable {
    var address: String
    var user: String
    var token: [UInt8]
    var classes: [[UInt8]]
}
