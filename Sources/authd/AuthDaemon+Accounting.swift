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
    func accountOn(_ configuration: PosternConfiguration) {
        let names = Set(configuration.protocols.values.compactMap(\.accountingServerGroup))
        for name in names.sorted() {
            guard let group = configuration.serverGroups[name], case .radius(let servers) = group.backend else { continue }
            send(.accountingOn, group: group, servers: servers, session: nil, attributes: [
                .integer(.acctStatusType, 7), .string(.acctSessionId, "postern-\(getpid())"),
            ])
        }
    }

    func accountStart(_ message: SessionEstablished) {
        guard let (group, servers) = accountingGroup(for: message.proto) else { return }
        let address = grantedTo[message.session]?.address ?? ""
        accounted[message.session] = AccountedSession(group: group.name, user: message.vpnUser, clientAddress: address)
        send(.start, group: group, servers: servers, session: message.session, attributes: [
            .integer(.acctStatusType, RADIUSValues.acctStatusStart), .string(.acctSessionId, message.session.description),
            .string(.userName, message.vpnUser), .string(.callingStationId, address),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
        ])
    }

    func accountStop(_ message: SessionEnded) {
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
