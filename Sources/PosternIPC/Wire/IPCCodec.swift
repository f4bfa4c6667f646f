import PosternConfig
import PosternCore

/// The wire form of `IPCMessage`: one record a message, a type byte, then the fields in order.
public enum IPCCodec {
    public static func encode(_ message: IPCMessage) throws(IPCError) -> [UInt8] {
        var w: WireWriter
        switch message {
        case .hello(let m):
            w = WireWriter(type: RecordKind.hello.rawValue)
            w.u16(m.version); w.u8(m.role.wireValue); w.i32(m.pid)
        case .material(let m):
            w = WireWriter(type: RecordKind.material.rawValue)
            w.u32(m.generation); w.u8(m.kind.rawValue); w.string(m.name); w.bool(m.last); w.data(m.bytes)
        case .listenSocket(let m):
            w = WireWriter(type: RecordKind.listenSocket.rawValue)
            w.u32(m.generation); w.string(m.interface); w.string(m.proto.rawValue); w.string(m.address); w.u16(m.port)
        case .peerChannel(let m):
            w = WireWriter(type: RecordKind.peerChannel.rawValue)
            w.u8(m.role.wireValue); w.u16(m.index); w.i32(m.pid)
        case .commit(let generation):
            w = WireWriter(type: RecordKind.commit.rawValue)
            w.u32(generation)
        case .shutdown:
            w = WireWriter(type: RecordKind.shutdown.rawValue)
        case .channelLost(let m):
            w = WireWriter(type: RecordKind.channelLost.rawValue)
            w.u8(m.role.wireValue); w.u16(m.index)
        case .authRequest(let m):
            w = WireWriter(type: RecordKind.authRequest.rawValue)
            w.u64(m.session.rawValue); w.u16(m.attempt); w.string(m.proto.rawValue); w.string(m.interface)
            w.string(m.clientAddress); w.u16(m.clientPort); w.string(m.username); w.string(m.password)
            w.certificateClaim(m.certificate)
        case .authReply(let m):
            w = WireWriter(type: RecordKind.authReply.rawValue)
            w.u64(m.session.rawValue); w.u16(m.attempt)
            switch m.decision {
            case .allow(let g):
                w.u8(0)
                w.string(g.vpnUser); w.string(g.mailUser); w.string(g.mailPassword); w.string(g.mailHost)
                w.u16(g.mailPort); w.string(g.groupPolicy); w.u64(g.idleTimeout); w.u64(g.maxSessionTime)
                w.bool(g.authenticateUpstream); w.dataList(g.classes); w.data(g.token)
            case .deny(let denial):
                w.u8(denial.rawValue)
            }
        case .sessionEstablished(let m):
            w = WireWriter(type: RecordKind.sessionEstablished.rawValue)
            w.u64(m.session.rawValue); w.string(m.vpnUser); w.string(m.proto.rawValue); w.data(m.token)
        case .sessionEnded(let m):
            w = WireWriter(type: RecordKind.sessionEnded.rawValue)
            w.u64(m.session.rawValue); w.u64(m.bytesIn); w.u64(m.bytesOut); w.u8(m.reason.rawValue)
        case .grantReleased(let m):
            w = WireWriter(type: RecordKind.grantReleased.rawValue)
            w.u64(m.session.rawValue); w.u8(m.reason.rawValue)
        case .sessionResync(let m):
            w = WireWriter(type: RecordKind.sessionResync.rawValue)
            w.claims(m.claims); w.string(m.clientAddress); w.u64(m.authenticatedMilliseconds); w.dataList(m.classes)
            w.data(m.token)
        case .relayRequest(let m):
            w = WireWriter(type: RecordKind.relayRequest.rawValue)
            w.claims(m.claims); w.string(m.mailPassword); w.string(m.clientTag); w.string(m.clientAddress)
            w.u16(m.clientPort); w.string(m.clientName); w.bool(m.forwardClientAddress); w.data(m.token)
        case .relayResult(let m):
            w = WireWriter(type: RecordKind.relayResult.rawValue)
            w.u64(m.session.rawValue); w.bool(m.success); w.bool(m.temporary); w.string(m.reason); w.string(m.mailHostReply)
        case .adminQuery(let m):
            w = WireWriter(type: RecordKind.adminQuery.rawValue)
            w.u32(m.request)
            switch m.kind {
            case .sessions: w.u8(1); w.u64(0)
            case .kill(let id): w.u8(2); w.u64(id.rawValue)
            }
        case .adminReply(let m):
            w = WireWriter(type: RecordKind.adminReply.rawValue)
            w.u32(m.request); w.bool(m.last); w.bool(m.found)
            guard m.sessions.count <= Int(UInt16.max) else { throw .oversized(m.sessions.count) }
            w.u16(UInt16(m.sessions.count))
            for s in m.sessions {
                w.string(s.id); w.string(s.proto); w.string(s.interface); w.string(s.client); w.u16(s.clientPort)
                w.string(s.vpnUser); w.string(s.mailUser); w.string(s.mailHost); w.string(s.groupPolicy)
                w.string(s.clientSubject); w.string(s.state); w.u64(milliseconds(s.ageSeconds)); w.u64(s.bytesIn); w.u64(s.bytesOut)
            }
        case .tableQuery(let request):
            w = WireWriter(type: RecordKind.tableQuery.rawValue)
            w.u32(request)
        case .tableReport(let m):
            w = WireWriter(type: RecordKind.tableReport.rawValue)
            w.u32(m.request)
            // Ascending table codes: one wire form per report.
            let entries = m.tables.counts.sorted { $0.key.rawValue < $1.key.rawValue }
            w.u8(UInt8(entries.count))
            for (table, count) in entries {
                w.u8(table.rawValue); w.u64(count)
            }
        }
        guard !w.overflowed, w.bytes.count <= IPCLimits.maxRecord else { throw .oversized(w.bytes.count) }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(IPCError) -> IPCMessage {
        guard bytes.count <= IPCLimits.maxRecord else { throw .oversized(bytes.count) }
        guard let first = bytes.first else { throw .short }
        guard let type = RecordKind(rawValue: first) else { throw .unknownType(first) }
        var r = WireReader(bytes, offset: 1)
        let message: IPCMessage
        switch type {
        case .hello:
            let version = try r.u16()
            let role = try decodeRole(r.u8())
            message = .hello(Hello(version: version, role: role, pid: try r.i32()))
        case .material:
            let generation = try r.u32()
            let kindRaw = try r.u8()
            guard let kind = MaterialKind(rawValue: kindRaw) else { throw .malformed("material kind \(kindRaw)") }
            message = .material(MaterialChunk(generation: generation, kind: kind, name: try r.string(),
                                              last: try r.bool(), bytes: try r.data()))
        case .listenSocket:
            message = .listenSocket(ListenSocket(generation: try r.u32(), interface: try r.string(),
                                                 proto: try decodeProto(r.string()), address: try r.string(), port: try r.u16()))
        case .peerChannel:
            message = .peerChannel(PeerChannel(role: try decodeRole(r.u8()), index: try r.u16(), pid: try r.i32()))
        case .commit:
            message = .commit(generation: try r.u32())
        case .shutdown:
            message = .shutdown
        case .channelLost:
            message = .channelLost(PeerChannel(role: try decodeRole(r.u8()), index: try r.u16()))
        case .authRequest:
            message = .authRequest(AuthRequest(
                session: SessionID(rawValue: try r.u64()), attempt: try r.u16(), proto: try decodeProto(r.string()),
                interface: try r.string(), clientAddress: try r.string(), clientPort: try r.u16(),
                username: try r.string(), password: try r.string(), certificate: try r.certificateClaim()))
        case .authReply:
            let session = SessionID(rawValue: try r.u64())
            let attempt = try r.u16()
            let code = try r.u8()
            let decision: AuthDecision
            if code == 0 {
                decision = .allow(Grant(vpnUser: try r.string(), mailUser: try r.string(), mailPassword: try r.string(),
                                        mailHost: try r.string(), mailPort: try r.u16(), groupPolicy: try r.string(),
                                        idleTimeout: try r.u64(), maxSessionTime: try r.u64(),
                                        authenticateUpstream: try r.bool(), classes: try r.dataList(), token: try r.data()))
            } else if let denial = Denial(rawValue: code) {
                decision = .deny(denial)
            } else {
                throw .malformed("decision \(code)")
            }
            message = .authReply(AuthReply(session: session, attempt: attempt, decision: decision))
        case .sessionEstablished:
            message = .sessionEstablished(SessionEstablished(session: SessionID(rawValue: try r.u64()),
                                                             vpnUser: try r.string(), proto: try decodeProto(r.string()),
                                                             token: try r.data()))
        case .sessionEnded:
            message = .sessionEnded(SessionEnded(session: SessionID(rawValue: try r.u64()), bytesIn: try r.u64(),
                                                 bytesOut: try r.u64(), reason: try decodeCloseReason(r.u8())))
        case .grantReleased:
            let session = SessionID(rawValue: try r.u64())
            let code = try r.u8()
            guard let reason = GrantReleaseReason(rawValue: code) else { throw .malformed("grant release reason \(code)") }
            message = .grantReleased(GrantReleased(session: session, reason: reason))
        case .sessionResync:
            message = .sessionResync(SessionResync(claims: try r.claims(), clientAddress: try r.string(),
                                                   authenticatedMilliseconds: try r.u64(), classes: try r.dataList(),
                                                   token: try r.data()))
        case .relayRequest:
            let claims = try r.claims()
            message = .relayRequest(RelayRequest(
                session: claims.session, proto: claims.proto, vpnUser: claims.vpnUser, mailHost: claims.mailHost,
                mailPort: claims.mailPort, mailUser: claims.mailUser, mailPassword: try r.string(),
                clientTag: try r.string(), clientAddress: try r.string(), clientPort: try r.u16(),
                clientName: try r.string(), authenticateUpstream: claims.authenticateUpstream,
                forwardClientAddress: try r.bool(), token: try r.data()))
        case .relayResult:
            message = .relayResult(RelayResult(session: SessionID(rawValue: try r.u64()), success: try r.bool(),
                                               temporary: try r.bool(), reason: try r.string(),
                                               mailHostReply: try r.string()))
        case .adminQuery:
            let request = try r.u32()
            let kind = try r.u8()
            let id = try r.u64()
            switch kind {
            case 1:
                // One wire form per message: the unused id must be zero.
                guard id == 0 else { throw .malformed("admin query for sessions with a session id") }
                message = .adminQuery(AdminQuery(request: request, kind: .sessions))
            case 2: message = .adminQuery(AdminQuery(request: request, kind: .kill(SessionID(rawValue: id))))
            default: throw .malformed("admin query kind \(kind)")
            }
        case .adminReply:
            let request = try r.u32()
            let last = try r.bool()
            let found = try r.bool()
            let count = Int(try r.u16())
            var sessions: [SessionSummary] = []
            for _ in 0..<count {
                let (id, proto, interface, client) = (try r.string(), try r.string(), try r.string(), try r.string())
                let (clientPort, vpnUser, mailUser, mailHost) = (try r.u16(), try r.string(), try r.string(), try r.string())
                let (groupPolicy, clientSubject) = (try r.string(), try r.string())
                let (state, ageMilliseconds) = (try r.string(), try r.u64())
                // Beyond this the seconds would not give back the same milliseconds; no session is older.
                guard ageMilliseconds <= maxAgeMilliseconds else { throw .malformed("session age out of range") }
                sessions.append(SessionSummary(
                    id: id, proto: proto, interface: interface, client: client, clientPort: clientPort, vpnUser: vpnUser,
                    mailUser: mailUser, mailHost: mailHost, groupPolicy: groupPolicy, clientSubject: clientSubject, state: state,
                    ageSeconds: Double(ageMilliseconds) / 1000, bytesIn: try r.u64(), bytesOut: try r.u64()))
            }
            message = .adminReply(AdminReply(request: request, last: last, found: found, sessions: sessions))
        case .tableQuery:
            message = .tableQuery(request: try r.u32())
        case .tableReport:
            let request = try r.u32()
            let count = Int(try r.u8())
            var counts: [StateTable: UInt64] = [:]
            var previous: UInt8 = 0
            for _ in 0..<count {
                let code = try r.u8()
                guard let table = StateTable(rawValue: code) else { throw .malformed("state table \(code)") }
                guard code > previous else { throw .malformed("state tables out of order") }
                previous = code
                counts[table] = try r.u64()
            }
            message = .tableReport(TableReport(request: request, tables: StateTableCounts(counts)))
        }
        try r.finish()
        return message
    }

    /// Ages travel as whole milliseconds, up to about 278 years: below 2^43 a millisecond count
    /// survives the trip through seconds as a Double (x / 1000 * 1000 rounds back to x).
    private static let maxAgeMilliseconds: UInt64 = 1 << 43

    private static func milliseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min((seconds * 1000).rounded(), Double(maxAgeMilliseconds)))
    }

    private static func decodeRole(_ raw: UInt8) throws(IPCError) -> Role {
        guard let role = Role(wireValue: raw) else { throw .malformed("role \(raw)") }
        return role
    }

    private static func decodeCloseReason(_ raw: UInt8) throws(IPCError) -> SessionCloseReason {
        guard let reason = SessionCloseReason(rawValue: raw) else { throw .malformed("session close reason \(raw)") }
        return reason
    }

    static func decodeProto(_ raw: String) throws(IPCError) -> MailProtocol {
        guard let p = MailProtocol(rawValue: raw) else { throw .malformed("protocol \(raw)") }
        return p
    }
}

extension AdminReply {
    /// `sessions` in as many replies as their encoded size needs, each within the record limit
    /// (a count per record would overflow with long names). A session whose summary alone could
    /// not fit is left out; the field bounds (SPEC §4) keep every summary to a few KiB.
    public static func split(request: UInt32, found: Bool, sessions: [SessionSummary]) -> [AdminReply] {
        func size(_ list: [SessionSummary]) -> Int? {
            try? IPCCodec.encode(.adminReply(AdminReply(request: request, last: false, found: found, sessions: list))).count
        }
        guard let header = size([]) else { return [] }
        var replies: [AdminReply] = []
        var chunk: [SessionSummary] = []
        var used = header
        for session in sessions {
            guard let one = size([session]) else { continue }
            let cost = one - header
            if !chunk.isEmpty && (used + cost > IPCLimits.maxRecord || chunk.count == Int(UInt16.max)) {
                replies.append(AdminReply(request: request, last: false, found: found, sessions: chunk))
                chunk = []
                used = header
            }
            chunk.append(session)
            used += cost
        }
        replies.append(AdminReply(request: request, last: true, found: found, sessions: chunk))
        return replies
    }
}
