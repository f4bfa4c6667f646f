import PosternConfig
import PosternCore
@testable import PosternIPC
import XCTest

final class IPCCodecTests: XCTestCase {
    private let session = SessionID(rawValue: 0x0123_4567_89ab_cdef)

    private var samples: [IPCMessage] {
        [
            .hello(Hello(role: .listener, pid: 42)),
            .material(MaterialChunk(generation: 3, kind: .tlsIdentity, name: "certificate", last: true, bytes: [1, 2, 3])),
            .listenSocket(ListenSocket(generation: 1, interface: "outside", proto: .imap4s, address: "::1", port: 993)),
            .peerChannel(PeerChannel(role: .relay, index: 5, pid: 4242)),
            .commit(generation: 9),
            .shutdown,
            .channelLost(PeerChannel(role: .authd, index: 0)),
            .authRequest(AuthRequest(session: session, attempt: 2, proto: .imap4s, interface: "outside",
                                     clientAddress: "127.0.0.2", clientPort: 50000, username: "vpn:mail@host",
                                     password: "secret:pw", certificate: nil)),
            .authReply(AuthReply(session: session, attempt: 2, decision: .allow(Grant(
                vpnUser: "vpn", mailUser: "mail", mailPassword: "pw", mailHost: "127.0.0.1", mailPort: 143,
                groupPolicy: "DfltGrpPolicy", idleTimeout: 1_800_000, maxSessionTime: 0, authenticateUpstream: false,
                classes: [[1, 2], []], token: [9, 9])))),
            .authReply(AuthReply(session: session, attempt: 1, decision: .deny(.temporary))),
            .sessionEstablished(SessionEstablished(session: session, vpnUser: "vpn", proto: .pop3s, token: [1, 2, 3])),
            .sessionEnded(SessionEnded(session: session, bytesIn: 1 << 40, bytesOut: 7, reason: .mailHostClosed)),
            .grantReleased(GrantReleased(session: session, reason: .mailHostRefused)),
            .sessionResync(SessionResync(claims: GrantClaims(session: session, proto: .smtps, vpnUser: "v", mailUser: "m",
                                                             mailHost: "h", mailPort: 25, authenticateUpstream: false),
                                         clientAddress: "::1", authenticatedMilliseconds: 5, classes: [[7]], token: [4])),
            .relayRequest(RelayRequest(session: session, proto: .imap4s, vpnUser: "vpn", mailHost: "mail.example.org",
                                       mailPort: 143, mailUser: "alice", mailPassword: "pw", clientTag: "a001",
                                       clientAddress: "::1", clientPort: 1, token: [5, 6])),
            .relayResult(RelayResult(session: session, success: false, temporary: true, reason: "refused")),
            .adminQuery(AdminQuery(request: 7, kind: .sessions)),
            .adminQuery(AdminQuery(request: 8, kind: .kill(session))),
            .adminReply(AdminReply(request: 7, last: true, found: true, sessions: [SessionSummary(
                id: session.description, proto: "imap4s", interface: "outside", client: "127.0.0.1", clientPort: 4,
                vpnUser: "v", mailUser: "m", mailHost: "h:143", groupPolicy: "P", clientSubject: "CN=v,OU=Mail", state: "authenticated",
                ageSeconds: 4.349, bytesIn: 1, bytesOut: 2)])),
            .tableQuery(request: 11),
            .tableReport(TableReport(request: 11, tables: StateTableCounts([.sessions: 3, .outstanding: 0, .pipesLent: 1 << 40]))),
            .tableReport(TableReport(request: 12, tables: StateTableCounts())),
        ]
    }

    func testEveryMessageSurvivesTheRoundTrip() throws {
        for message in samples {
            XCTAssertEqual(try IPCCodec.decode(IPCCodec.encode(message)), message, message.name)
        }
    }

    func testShortRecordsAreRefused() throws {
        for message in samples {
            let bytes = try IPCCodec.encode(message)
            for cut in 0..<bytes.count {
                XCTAssertThrowsError(try IPCCodec.decode(Array(bytes[0..<cut])), "\(message.name) cut at \(cut)")
            }
        }
    }

    func testTrailingBytesAreRefused() throws {
        for message in samples {
            let bytes = try IPCCodec.encode(message) + [0]
            XCTAssertThrowsError(try IPCCodec.decode(bytes)) { error in
                XCTAssertEqual(error as? IPCError, .trailing(1), message.name)
            }
        }
    }

    func testUnknownTypesAreRefused() {
        XCTAssertThrowsError(try IPCCodec.decode([0xee, 1, 2])) { error in
            XCTAssertEqual(error as? IPCError, .unknownType(0xee))
        }
        XCTAssertThrowsError(try IPCCodec.decode([])) { error in
            XCTAssertEqual(error as? IPCError, .short)
        }
    }

    func testOversizedRecordsAreRefusedBothWays() {
        let big = MaterialChunk(generation: 1, kind: .configuration, name: "", last: true,
                                bytes: [UInt8](repeating: 0x41, count: IPCLimits.maxRecord))
        XCTAssertThrowsError(try IPCCodec.encode(.material(big))) { error in
            guard case .oversized = error as? IPCError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try IPCCodec.decode([UInt8](repeating: 1, count: IPCLimits.maxRecord + 1))) { error in
            guard case .oversized = error as? IPCError else { return XCTFail("\(error)") }
        }
    }

    /// Found by the fuzzer: each message has exactly one wire form.
    func testEveryDecodedRecordReencodesToTheSameBytes() throws {
        for message in samples {
            let bytes = try IPCCodec.encode(message)
            XCTAssertEqual(try IPCCodec.encode(IPCCodec.decode(bytes)), bytes, message.name)
        }
        let sessionsWithAnID: [UInt8] = [0x1e, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0xab, 0x45, 0x04, 0x85]
        XCTAssertThrowsError(try IPCCodec.decode(sessionsWithAnID))
    }

    func testASessionAgeBeyondWhatADoubleHoldsIsRefused() throws {
        let summary = SessionSummary(id: "x", proto: "imap4s", interface: "i", client: "c", clientPort: 1, vpnUser: "",
                                     mailUser: "", mailHost: "", groupPolicy: "", clientSubject: "", state: "s", ageSeconds: 1e300,
                                     bytesIn: 0, bytesOut: 0)
        var bytes = try IPCCodec.encode(.adminReply(AdminReply(request: 1, last: true, found: true, sessions: [summary])))
        XCTAssertEqual(try IPCCodec.encode(IPCCodec.decode(bytes)), bytes, "a clamped age round-trips")
        // The age sits before bytes in and out: make it 2^43 + 1.
        let at = bytes.count - 24
        bytes.replaceSubrange(at..<at + 8, with: [0, 0, 0x08, 0, 0, 0, 0, 1])
        XCTAssertThrowsError(try IPCCodec.decode(bytes))
        // Every millisecond count up to the bound comes back the same.
        for ms: UInt64 in [0, 1, 999, 4349, (1 << 43) - 1, 1 << 43] {
            bytes.replaceSubrange(at..<at + 8, with: withUnsafeBytes(of: ms.bigEndian) { Array($0) })
            XCTAssertEqual(try IPCCodec.encode(IPCCodec.decode(bytes)), bytes, "\(ms) ms")
        }
    }

    func testOutOfRangeFieldsAreRefused() throws {
        var bytes = try IPCCodec.encode(.peerChannel(PeerChannel(role: .relay, index: 1)))
        bytes[1] = 99  // no such role
        XCTAssertThrowsError(try IPCCodec.decode(bytes))
        var flag = try IPCCodec.encode(.relayResult(RelayResult(session: session, success: true, temporary: false, reason: "")))
        flag[9] = 2  // a boolean that is neither 0 nor 1
        XCTAssertThrowsError(try IPCCodec.decode(flag))
    }

    func testATableReportHasOneWireForm() throws {
        let bytes = try IPCCodec.encode(.tableReport(TableReport(request: 1, tables: StateTableCounts([.sessions: 1, .outstanding: 2]))))
        // type, request (4), count, then (code, u64) twice: swap the two entries' codes.
        var swapped = bytes
        swapped[6] = StateTable.outstanding.rawValue
        swapped[15] = StateTable.sessions.rawValue
        XCTAssertThrowsError(try IPCCodec.decode(swapped), "codes out of order")
        var repeated = bytes
        repeated[15] = StateTable.sessions.rawValue
        XCTAssertThrowsError(try IPCCodec.decode(repeated), "a code twice")
        var unknown = bytes
        unknown[15] = 200
        XCTAssertThrowsError(try IPCCodec.decode(unknown), "no such table")
    }

    func testMaterialIsChunkedAndReassembled() throws {
        let blob = (0..<40_000).map { UInt8(truncatingIfNeeded: $0) }
        let messages = Material.chunks(blob, generation: 4, kind: .upstreamTrust, name: "imap4s")
        XCTAssertEqual(messages.count, 3)
        var assembler = MaterialAssembler()
        var completed: MaterialAssembler.Key?
        for case .material(let chunk) in messages {
            XCTAssertLessThanOrEqual(try IPCCodec.encode(.material(chunk)).count, IPCLimits.maxRecord)
            completed = try assembler.add(chunk)
        }
        XCTAssertEqual(completed?.name, "imap4s")
        XCTAssertEqual(assembler.piece(generation: 4, kind: .upstreamTrust, name: "imap4s"), blob)
        XCTAssertEqual(Material.chunks([], generation: 1, kind: .configuration, name: "").count, 1)
    }

    func testACertificateClaimRoundTrips() throws {
        let subject = DistinguishedName(rdns: [
            [.init(oid: "2.5.4.6", text: "DE", der: [0x13, 0x02, 0x44, 0x45])],
            [.init(oid: "2.5.4.3", text: "Jürgen", der: []), .init(oid: "0.9.2342.19200300.100.1.1", text: nil, der: [0x04, 0x00])],
        ])
        for claim in [CertificateClaim(subject: subject, issuer: "CN=ca", serial: "1F", userPrincipalNames: ["j@corp"], refusal: nil),
                      CertificateClaim(subject: nil, issuer: "", serial: "", userPrincipalNames: [], refusal: "no client certificate")] {
            let message = IPCMessage.authRequest(AuthRequest(session: SessionID(rawValue: 7), attempt: 1, proto: .smtps,
                                                             interface: "outside", clientAddress: "192.0.2.1", clientPort: 1,
                                                             username: "u", password: "p", certificate: claim))
            XCTAssertEqual(try IPCCodec.decode(IPCCodec.encode(message)), message)
        }
    }

    func testAnOversizedClaimBecomesARefusalWithoutSubject() {
        let huge = DistinguishedName(rdns: (0..<200).map { _ in [.init(oid: "2.5.4.11", text: "unit", der: [])] })
        let bounded = CertificateClaim(subject: huge, issuer: "CN=ca", serial: "01", userPrincipalNames: [], refusal: nil).bounded()
        XCTAssertNil(bounded.subject)
        XCTAssertNotNil(bounded.refusal)
    }
}
