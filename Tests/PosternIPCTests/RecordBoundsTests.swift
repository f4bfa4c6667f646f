import PosternConfig
import PosternCore
@testable import PosternIPC
import PosternProtocols
import XCTest

/// SPEC §4: with every client field at its bound, and every configured name at the longest the
/// configuration allows (names 64 bytes, hosts 253), each record a session makes still fits the
/// 16 KiB limit: no client can make a role fail to send one.
final class RecordBoundsTests: XCTestCase {
    private let session = SessionID(rawValue: .max)
    private let username = String(repeating: "\u{00e9}", count: FieldBounds.username / 2)   // 1 KiB of 2-byte UTF-8
    private let password = String(repeating: "p", count: FieldBounds.password)
    /// The largest claim `bounded()` lets through.
    private var largestClaim: CertificateClaim {
        let text = String(repeating: "c", count: CertificateClaim.maxEncodedBytes - 64)
        let claim = CertificateClaim(subject: DistinguishedName(rdns: [[.init(oid: "2.5.4.3", text: text, der: [])]]),
                                     issuer: "", serial: "", userPrincipalNames: [], refusal: nil)
        XCTAssertEqual(claim.bounded(), claim)
        return claim
    }
    private let configName = String(repeating: "n", count: 64)
    private let host = String(repeating: "h", count: 253)
    private let address = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"

    private func assertFits(_ message: IPCMessage, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try IPCCodec.encode(message), message.name, file: file, line: line)
        if let bytes = try? IPCCodec.encode(message) {
            XCTAssertLessThanOrEqual(bytes.count, IPCLimits.maxRecord, message.name, file: file, line: line)
        }
    }

    func testTheLargestAuthRequestFits() {
        XCTAssertEqual(username.utf8.count, FieldBounds.username)
        assertFits(.authRequest(AuthRequest(session: session, attempt: .max, proto: .imap4s, interface: configName,
                                            clientAddress: address, clientPort: .max, username: username,
                                            password: password, certificate: nil)))
    }

    /// Class values of the largest Access-Accept (4096 bytes, RFC 2865 §3): 16 of 253 bytes.
    private let classes = Array(repeating: [UInt8](repeating: 0xff, count: 253), count: 16)
    private let token = [UInt8](repeating: 0xee, count: GrantToken.size)

    private var claims: GrantClaims {
        GrantClaims(session: session, proto: .smtps, vpnUser: username, mailUser: username, mailHost: host,
                    mailPort: .max, authenticateUpstream: true)
    }

    func testTheLargestGrantFits() {
        // The VPN and mail users are parts of the username; the mail password part of the password.
        assertFits(.authReply(AuthReply(session: session, attempt: .max, decision: .allow(Grant(
            vpnUser: username, mailUser: username, mailPassword: password, mailHost: host, mailPort: .max,
            groupPolicy: configName, idleTimeout: .max, maxSessionTime: .max, authenticateUpstream: true,
            classes: classes, token: token)))))
    }

    func testTheLargestRelayRequestFits() {
        assertFits(.relayRequest(RelayRequest(
            session: session, proto: .smtps, vpnUser: username, mailHost: host, mailPort: .max, mailUser: username,
            mailPassword: password, clientTag: String(repeating: "t", count: FieldBounds.imapTag), clientAddress: address,
            clientPort: .max, clientName: String(repeating: "c", count: FieldBounds.ehloName), authenticateUpstream: true,
            forwardClientAddress: true, token: token)))
    }

    func testTheLargestSessionRecordsFit() {
        assertFits(.sessionEstablished(SessionEstablished(session: session, vpnUser: username, proto: .pop3s, token: token)))
        assertFits(.sessionEnded(SessionEnded(session: session, bytesIn: .max, bytesOut: .max, reason: .maxSessionTime)))
        assertFits(.grantReleased(GrantReleased(session: session, reason: .mailHostUnavailable)))
        assertFits(.sessionResync(SessionResync(claims: claims, clientAddress: address, authenticatedMilliseconds: .max,
                                                classes: classes, token: token)))
    }

    func testAFieldOver64KiBIsARefusedRecordNotATrap() {
        let huge = String(repeating: "x", count: 70_000)
        XCTAssertThrowsError(try IPCCodec.encode(.authRequest(AuthRequest(
            session: session, attempt: 1, proto: .imap4s, interface: "i", clientAddress: "a", clientPort: 1,
            username: huge, password: "p", certificate: nil))))
    }

    func testAdminRepliesAreSplitByTheirSizeAndLoseNoSession() throws {
        let summary = { (i: Int) -> SessionSummary in SessionSummary(
            id: String(format: "%016x", i), proto: "imap4s", interface: self.configName, client: self.address, clientPort: 1,
            vpnUser: self.username, mailUser: self.username, mailHost: self.host + ":143", groupPolicy: self.configName,
            clientSubject: "", state: "authenticated", ageSeconds: 1, bytesIn: 1, bytesOut: 2) }
        let sessions = (0..<200).map(summary)
        let replies = AdminReply.split(request: 9, found: true, sessions: sessions)
        XCTAssertGreaterThan(replies.count, 1)
        XCTAssertEqual(replies.flatMap(\.sessions), sessions)
        XCTAssertEqual(replies.map(\.last), Array(repeating: false, count: replies.count - 1) + [true])
        for reply in replies {
            XCTAssertLessThanOrEqual(try IPCCodec.encode(.adminReply(reply)).count, IPCLimits.maxRecord)
        }
        XCTAssertEqual(AdminReply.split(request: 9, found: true, sessions: []).map(\.last), [true])
    }

    func testARecordTooLargeToBuildLeavesTheChannelOpen() throws {
        var pair: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair), 0)
        let channel = IPCChannel(descriptor: pair[0], localRole: .supervisor, peer: .listener, label: "test")
        let tooLarge = MaterialChunk(generation: 1, kind: .configuration, name: "", last: true,
                                     bytes: [UInt8](repeating: 0, count: IPCLimits.maxRecord))
        XCTAssertFalse(channel.send(.material(tooLarge)))
        XCTAssertTrue(channel.send(.commit(generation: 2)), "the channel still sends")
        var buffer = [UInt8](repeating: 0, count: IPCLimits.maxRecord)
        let n = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress, $0.count, 0) }
        XCTAssertEqual(try IPCCodec.decode(Array(buffer[0..<n])), .commit(generation: 2))
        channel.close()
        close(pair[1])
    }

    /// The largest record of each kind the limits allow, configured names and hosts at their
    /// longest: every one fits. The switch is exhaustive, so a new kind of record needs a line here.
    func testTheLargestRecordOfEveryKindFits() {
        let name = configName, session = self.session
        let summary = SessionSummary(id: String(repeating: "f", count: 16), proto: "imap4s", interface: name,
                                     client: address, clientPort: .max, vpnUser: username, mailUser: username,
                                     mailHost: host + ":65535", groupPolicy: name,
                                     clientSubject: String(repeating: "s", count: CertificateClaim.maxEncodedBytes),
                                     state: "authenticated",
                                     ageSeconds: 1e9, bytesIn: .max, bytesOut: .max)
        for kind in RecordKind.allCases {
            let largest: [IPCMessage]
            switch kind {
            case .hello: largest = [.hello(Hello(role: .relay, pid: .max))]
            case .material:
                largest = Material.chunks([UInt8](repeating: 1, count: 3 * IPCLimits.maxChunk), generation: .max,
                                          kind: .secret, name: String(repeating: "/", count: 4096))
            case .listenSocket:
                largest = [.listenSocket(ListenSocket(generation: .max, interface: name, proto: .imap4s, address: address,
                                                      port: .max))]
            case .peerChannel: largest = [.peerChannel(PeerChannel(role: .relay, index: .max, pid: .max))]
            case .commit: largest = [.commit(generation: .max)]
            case .shutdown: largest = [.shutdown]
            case .channelLost: largest = [.channelLost(PeerChannel(role: .relay, index: .max))]
            case .authRequest:
                largest = [.authRequest(AuthRequest(session: session, attempt: .max, proto: .imap4s, interface: name,
                                                    clientAddress: address, clientPort: .max, username: username,
                                                    password: password, certificate: largestClaim))]
            case .authReply:
                largest = [.authReply(AuthReply(session: session, attempt: .max, decision: .allow(Grant(
                    vpnUser: username, mailUser: username, mailPassword: password, mailHost: host, mailPort: .max,
                    groupPolicy: name, idleTimeout: .max, maxSessionTime: .max, authenticateUpstream: true,
                    classes: classes, token: token))))]
            case .sessionEstablished:
                largest = [.sessionEstablished(SessionEstablished(session: session, vpnUser: username, proto: .smtps, token: token))]
            case .sessionEnded:
                largest = [.sessionEnded(SessionEnded(session: session, bytesIn: .max, bytesOut: .max, reason: .internalError))]
            case .grantReleased: largest = [.grantReleased(GrantReleased(session: session, reason: .sessionGone))]
            case .sessionResync:
                largest = [.sessionResync(SessionResync(claims: claims, clientAddress: address, authenticatedMilliseconds: .max,
                                                        classes: classes, token: token))]
            case .relayRequest:
                largest = [.relayRequest(RelayRequest(
                    session: session, proto: .smtps, vpnUser: username, mailHost: host, mailPort: .max, mailUser: username,
                    mailPassword: password, clientTag: String(repeating: "t", count: FieldBounds.imapTag),
                    clientAddress: address, clientPort: .max, clientName: String(repeating: "c", count: FieldBounds.ehloName),
                    authenticateUpstream: true, forwardClientAddress: true, token: token))]
            case .relayResult:
                // A mail host's words have no bound of ours: when they do not fit, the relay sends the
                // shortened result, whose reason is cut at 512 bytes even inside one long character.
                let endless = "e" + String(repeating: "\u{0301}", count: 20_000)
                largest = [.relayResult(RelayResult.shortened(RelayResult(
                    session: session, success: false, temporary: true, reason: endless, mailHostReply: endless)))]
            case .adminQuery: largest = [.adminQuery(AdminQuery(request: .max, kind: .kill(session)))]
            case .adminReply:
                largest = AdminReply.split(request: .max, found: true, sessions: Array(repeating: summary, count: 500))
                    .map { .adminReply($0) }
            case .tableQuery: largest = [.tableQuery(request: .max)]
            case .tableReport:
                var counts: [StateTable: UInt64] = [:]
                for table in StateTable.allCases { counts[table] = .max }
                largest = [.tableReport(TableReport(request: .max, tables: StateTableCounts(counts)))]
            }
            XCTAssertFalse(largest.isEmpty, kind.name)
            for message in largest {
                XCTAssertEqual(message.kind, kind)
                assertFits(message)
            }
        }
    }
}
