import NIOCore
import NIOEmbedded
import XCTest
@testable import PosternTLS

/// What a server context admits before any byte of the protocol (SPEC §4 ALPN, §2 `server-names`).
final class FrontDoorTests: XCTestCase {
    private func server(alpn: String? = "imap", names: [String] = []) throws -> TLSContext {
        let certificates = try certificates()
        return try TLSContext.server(certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.keyPEM,
                                     applicationProtocol: alpn, serverNames: names)
    }

    private func client(offering ids: [String]) throws -> TLSContext {
        let context = try clientContext()
        if !ids.isEmpty { context.offerApplicationProtocols(ids) }
        return context
    }

    private func assertRefused(_ pair: TLSPair, alert: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(pair.serverRecorder.sessions.isEmpty, file: file, line: line)
        XCTAssertTrue(pair.clientRecorder.sessions.isEmpty, file: file, line: line)
        guard case .handshakeFailed(let reasons)? = pair.clientRecorder.tlsErrors.first else {
            return XCTFail("the client should hear an alert, got \(pair.clientRecorder.errors)", file: file, line: line)
        }
        XCTAssertTrue(reasons.joined().contains(alert), "\(reasons)", file: file, line: line)
        XCTAssertFalse(pair.server.isActive, file: file, line: line)
    }

    func testAClientOfferingOnlyAnotherProtocolIsRefusedWithNoApplicationProtocol() throws {
        for version in [TLSVersion.v1_2, .v1_3] {
            let clientContext = try client(offering: ["http/1.1"])
            clientContext.setMaximumVersion(version)
            let pair = try TLSPair(server: server(), client: clientContext)
            defer { pair.finish() }
            try pair.handshake()
            assertRefused(pair, alert: "no application protocol")
        }
    }

    func testAClientOfferingTheProtocolsOwnIdIsServed() throws {
        let pair = try TLSPair(server: server(alpn: "pop3"), client: client(offering: ["http/1.1", "pop3"]))
        defer { pair.finish() }
        try pair.handshake()
        XCTAssertEqual(pair.serverRecorder.sessions.count, 1, "\(pair.serverRecorder.errors)")
        XCTAssertEqual(pair.clientRecorder.sessions.count, 1, "\(pair.clientRecorder.errors)")
    }

    func testAClientOfferingAnotherMailProtocolsIdIsRefused() throws {
        let pair = try TLSPair(server: server(alpn: "smtp"), client: client(offering: ["imap"]))
        defer { pair.finish() }
        try pair.handshake()
        assertRefused(pair, alert: "no application protocol")
    }

    func testAClientOfferingNoALPNIsServed() throws {
        let pair = try TLSPair(server: server(), client: client(offering: []))
        defer { pair.finish() }
        try pair.handshake()
        XCTAssertEqual(pair.serverRecorder.sessions.count, 1, "\(pair.serverRecorder.errors)")
    }

    func testAnSNIOutsideServerNamesIsRefusedWithUnrecognizedName() throws {
        let pair = try TLSPair(server: server(names: ["imap.example.test"]), client: client(offering: []))
        defer { pair.finish() }
        try pair.handshake()
        assertRefused(pair, alert: "unrecognized name")
        guard case .handshakeFailed(let reasons)? = pair.serverRecorder.tlsErrors.first else {
            return XCTFail("the server should report the failure, got \(pair.serverRecorder.errors)")
        }
        XCTAssertTrue(reasons.joined().contains("server name \(TestCertificates.hostname) is not in server-names"), "\(reasons)")
    }

    func testAnSNIInServerNamesIsServedWhateverItsCase() throws {
        let names = ["imap.example.test", TestCertificates.hostname.uppercased()]
        let pair = try TLSPair(server: server(names: names), client: client(offering: ["imap"]))
        defer { pair.finish() }
        try pair.handshake()
        XCTAssertEqual(pair.serverRecorder.sessions.count, 1, "\(pair.serverRecorder.errors)")
    }

    func testNoSNIIsServedWhenServerNamesAreSet() throws {
        // An IP literal is never sent as SNI.
        let pair = try TLSPair(server: server(names: ["imap.example.test"]), client: client(offering: []), hostname: "127.0.0.1")
        defer { pair.finish() }
        try pair.handshake()
        XCTAssertEqual(pair.serverRecorder.sessions.count, 1, "\(pair.serverRecorder.errors)")
    }

    func testAnEmptyServerNameIsAConfigurationError() throws {
        XCTAssertThrowsError(try server(names: [""]))
    }
}
