import FuzzSupport
import Glibc
import PosternCore
import PosternIPC

/// Writes the seed corpus: one real record of each kind, encoded by the codec itself, so the
/// fuzzer starts from well-formed records and mutates them field by field.
enum SeedWriter {
    static func write(to directory: String) -> CInt {
        for (name, message) in samples {
            let bytes: [UInt8]
            do {
                bytes = try IPCCodec.encode(message)
            } catch {
                print("cannot encode \(name): \(error)")
                return 1
            }
            guard SeedFile.write(bytes, named: name, in: directory) else { return 1 }
        }
        return 0
    }

    private static let session = SessionID(rawValue: 0x0123_4567_89ab_cdef)

    static let samples: [(String, IPCMessage)] = [
        ("hello", .hello(Hello(role: .listener, pid: 4242))),
        ("material", .material(MaterialChunk(generation: 1, kind: .upstreamTrust, name: "imap4s", last: true,
                                             bytes: Array("-----BEGIN CERTIFICATE-----\nMIIB\n".utf8)))),
        ("listen-socket", .listenSocket(ListenSocket(generation: 1, interface: "outside", proto: .imap4s,
                                                     address: "0.0.0.0", port: 993))),
        ("peer-channel", .peerChannel(PeerChannel(role: .relay, index: 2, pid: 4242))),
        ("commit", .commit(generation: 7)),
        ("auth-request", .authRequest(AuthRequest(
            session: session, attempt: 1, proto: .imap4s, interface: "outside", clientAddress: "192.0.2.10",
            clientPort: 50123, username: "vpnuser:alice@mail2.example.org", password: "vpnpw:mailpw",
            certificate: CertificateClaim(
                subject: DistinguishedName(rdns: [[.init(oid: "2.5.4.11", text: "Engineering", der: [])],
                                                  [.init(oid: "2.5.4.3", text: "alice", der: [])]]),
                issuer: "CN=Example CA", serial: "1F2E", userPrincipalNames: ["alice@corp.example"], refusal: nil)))),
        ("auth-reply-allow", .authReply(AuthReply(session: session, attempt: 1, decision: .allow(Grant(
            vpnUser: "vpnuser", mailUser: "alice", mailPassword: "mailpw", mailHost: "mail2.example.org", mailPort: 143,
            groupPolicy: "DfltGrpPolicy", idleTimeout: 1_800_000, maxSessionTime: 0, authenticateUpstream: true,
            classes: [Array("OU=Staff;".utf8)], token: Array(repeating: 0xab, count: 32)))))),
        ("auth-reply-deny", .authReply(AuthReply(session: session, attempt: 2, decision: .deny(.refused)))),
        ("session-established", .sessionEstablished(SessionEstablished(session: session, vpnUser: "vpnuser",
                                                                       proto: .imap4s, token: Array(repeating: 0xab, count: 32)))),
        ("session-ended", .sessionEnded(SessionEnded(session: session, bytesIn: 123_456, bytesOut: 7_890,
                                                     reason: .clientLogout))),
        ("grant-released", .grantReleased(GrantReleased(session: session, reason: .mailHostRefused))),
        ("session-resync", .sessionResync(SessionResync(
            claims: GrantClaims(session: session, proto: .imap4s, vpnUser: "vpnuser", mailUser: "alice",
                                mailHost: "mail2.example.org", mailPort: 143, authenticateUpstream: true),
            clientAddress: "192.0.2.10", authenticatedMilliseconds: 61_000, classes: [Array("OU=Staff;".utf8)],
            token: Array(repeating: 0xab, count: 32)))),
        ("relay-request", .relayRequest(RelayRequest(
            session: session, proto: .imap4s, vpnUser: "vpnuser", mailHost: "mail2.example.org", mailPort: 143,
            mailUser: "alice", mailPassword: "mailpw", clientTag: "a001", clientAddress: "192.0.2.10", clientPort: 50123,
            token: Array(repeating: 0xab, count: 32)))),
        ("relay-result", .relayResult(RelayResult(session: session, success: false, temporary: true,
                                                  reason: "mail host refused LOGIN: NO [UNAVAILABLE] try later"))),
        ("channel-lost", .channelLost(PeerChannel(role: .relay, index: 1))),
        ("table-query", .tableQuery(request: 3)),
        ("table-report", .tableReport(TableReport(request: 3, tables: StateTableCounts([
            .sessions: 12, .outstanding: 2, .sessionsInMemory: 12, .permits: 1, .pipesLent: 0])))),
    ]
}
