import NIOCore
import NIOEmbedded
import XCTest
@testable import PosternTLS

final class HandshakeTests: XCTestCase {
    func testHandshakeCompletesAndReportsTheSession() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()

        XCTAssertEqual(pair.serverRecorder.sessions.count, 1)
        XCTAssertEqual(pair.clientRecorder.sessions.count, 1)
        let client = try XCTUnwrap(pair.clientRecorder.sessions.first)
        XCTAssertEqual(client.version, "TLSv1.3")
        XCTAssertTrue(client.cipher.hasPrefix("TLS_"), client.cipher)
        XCTAssertEqual(client.peerSubject, "O=Postern Tests,CN=mail.example.test")
        let server = try XCTUnwrap(pair.serverRecorder.sessions.first)
        XCTAssertEqual(server.version, "TLSv1.3")
        XCTAssertEqual(server.cipher, client.cipher)
        XCTAssertNil(server.peerSubject, "the client sent no certificate")
        XCTAssertTrue(pair.serverRecorder.errors.isEmpty, "\(pair.serverRecorder.errors)")
        XCTAssertTrue(pair.clientRecorder.errors.isEmpty, "\(pair.clientRecorder.errors)")
    }

    func testTLS12UsesAnAEADForwardSecretCipher() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(maximumVersion: .v1_2))
        defer { pair.finish() }
        try pair.handshake()

        let session = try XCTUnwrap(pair.serverRecorder.sessions.first)
        XCTAssertEqual(session.version, "TLSv1.2")
        XCTAssertTrue(session.cipher.hasPrefix("ECDHE-"), session.cipher)
        XCTAssertTrue(session.cipher.contains("GCM") || session.cipher.contains("CHACHA20"), session.cipher)
    }

    func testGreetingLeavesInTheSameBufferAsTheEndOfTheHandshake() throws {
        for version in [TLSVersion.v1_2, .v1_3] {
            let pair = try TLSPair(server: serverContext(), client: clientContext(maximumVersion: version))
            defer { pair.finish() }
            pair.serverRecorder.onHandshake = { context in
                context.writeAndFlush(NIOAny(ByteBuffer(string: "* OK ready\r\n")), promise: nil)
            }
            try pair.connect()
            // Carry flights one at a time until the server has seen the client's last one.
            while pair.serverRecorder.sessions.isEmpty {
                let flight = try XCTUnwrap(try pair.client.readOutbound(as: ByteBuffer.self), "\(version)")
                try pair.server.writeInbound(flight)
                if pair.serverRecorder.sessions.isEmpty {
                    while let answer = try pair.server.readOutbound(as: ByteBuffer.self) {
                        try pair.client.writeInbound(answer)
                    }
                }
            }
            let last = try XCTUnwrap(try pair.server.readOutbound(as: ByteBuffer.self))
            XCTAssertNil(try pair.server.readOutbound(as: ByteBuffer.self), "\(version): handshake tail and greeting must be one buffer")
            try pair.client.writeInbound(last)
            XCTAssertEqual(String(decoding: pair.clientRecorder.received, as: UTF8.self), "* OK ready\r\n", "\(version)")
            XCTAssertEqual(pair.clientRecorder.sessions.count, 1, "\(version)")
        }
    }

    func testClientRefusesAHostnameMismatch() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), hostname: "imap.elsewhere.test")
        defer { pair.finish() }
        try pair.handshake()

        XCTAssertTrue(pair.clientRecorder.sessions.isEmpty)
        guard case .certificateRejected(let reason)? = pair.clientRecorder.tlsErrors.first else {
            return XCTFail("expected a rejected certificate, got \(pair.clientRecorder.errors)")
        }
        XCTAssertTrue(reason.lowercased().contains("hostname mismatch"), reason)
        XCTAssertFalse(pair.client.isActive)
        // The client's alert fails the server's side too.
        XCTAssertTrue(pair.serverRecorder.sessions.isEmpty)
        XCTAssertFalse(pair.server.isActive)
    }

    func testClientVerifiesIPLiteralsAgainstIPAddressNames() throws {
        let good = try TLSPair(server: serverContext(), client: clientContext(), hostname: "127.0.0.1")
        defer { good.finish() }
        try good.handshake()
        XCTAssertEqual(good.clientRecorder.sessions.count, 1, "\(good.clientRecorder.errors)")

        let bad = try TLSPair(server: serverContext(), client: clientContext(), hostname: "127.0.0.2")
        defer { bad.finish() }
        try bad.handshake()
        XCTAssertTrue(bad.clientRecorder.sessions.isEmpty)
        guard case .certificateRejected? = bad.clientRecorder.tlsErrors.first else {
            return XCTFail("expected a rejected certificate, got \(bad.clientRecorder.errors)")
        }
    }

    func testClientRefusesAnUntrustedChain() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(trusting: certificates().otherCertificatePEM))
        defer { pair.finish() }
        try pair.handshake()

        guard case .certificateRejected(let reason)? = pair.clientRecorder.tlsErrors.first else {
            return XCTFail("expected a rejected certificate, got \(pair.clientRecorder.errors)")
        }
        XCTAssertTrue(reason.contains("certificate"), reason)
        XCTAssertTrue(pair.clientRecorder.sessions.isEmpty)
    }

    func testTLS13MinimumRefusesATLS12OnlyClient() throws {
        let pair = try TLSPair(server: serverContext(minimumVersion: .v1_3), client: clientContext(maximumVersion: .v1_2))
        defer { pair.finish() }
        try pair.handshake()

        XCTAssertTrue(pair.serverRecorder.sessions.isEmpty)
        guard case .handshakeFailed(let reasons)? = pair.serverRecorder.tlsErrors.first else {
            return XCTFail("expected a failed handshake, got \(pair.serverRecorder.errors)")
        }
        XCTAssertTrue(reasons.joined().contains("protocol"), "\(reasons)")
        XCTAssertFalse(pair.server.isActive)
        guard case .handshakeFailed? = pair.clientRecorder.tlsErrors.first else {
            return XCTFail("the client should hear the alert, got \(pair.clientRecorder.errors)")
        }
    }

    func testGarbageFailsTheHandshakeCleanly() throws {
        var generator = SplitMix(seed: 7)
        let inputs: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("a001 LOGIN alice secret\r\n".utf8),
            [0x16, 0x03, 0x01, 0xFF, 0xFF] + [UInt8](repeating: 0x41, count: 300),  // a handshake record of nonsense
            [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00],  // a ClientHello cut to nothing
            (0..<2000).map { _ in UInt8(truncatingIfNeeded: generator.next()) },
        ]
        for input in inputs {
            let server = EmbeddedChannel()
            let recorder = Recorder()
            try server.pipeline.syncOperations.addHandlers([try OpenSSLHandler(serverContext: serverContext()), recorder])
            try server.connect(to: TLSPair.address).wait()
            try server.writeInbound(ByteBuffer(bytes: input))

            guard case .handshakeFailed(let reasons)? = recorder.tlsErrors.first else {
                XCTFail("expected a failed handshake for \(input.prefix(8)), got \(recorder.errors)")
                continue
            }
            XCTAssertFalse(reasons.isEmpty)
            XCTAssertFalse(reasons.joined().contains("secret"), "no input echoed into errors")
            XCTAssertFalse(server.isActive, "the server closes after a failed handshake")
            XCTAssertTrue(recorder.received.isEmpty)
            XCTAssertTrue(recorder.sessions.isEmpty)
            _ = try? server.finish(acceptAlreadyClosed: true)
        }
    }

    func testHandshakeTimesOut() throws {
        let server = EmbeddedChannel()
        let recorder = Recorder()
        try server.pipeline.syncOperations.addHandlers([
            try OpenSSLHandler(serverContext: serverContext(), handshakeTimeout: .seconds(10)), recorder,
        ])
        try server.connect(to: TLSPair.address).wait()
        server.embeddedEventLoop.advanceTime(by: .seconds(9))
        XCTAssertTrue(server.isActive)
        XCTAssertTrue(recorder.errors.isEmpty)

        server.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertEqual(recorder.tlsErrors, [.handshakeTimeout])
        XCTAssertFalse(server.isActive)
        _ = try? server.finish(acceptAlreadyClosed: true)
    }

    func testCompletedHandshakeCancelsTheTimeout() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), handshakeTimeout: .seconds(10))
        defer { pair.finish() }
        try pair.handshake()
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(20))
        pair.client.embeddedEventLoop.advanceTime(by: .seconds(20))
        XCTAssertTrue(pair.server.isActive)
        XCTAssertTrue(pair.client.isActive)
        XCTAssertTrue(pair.serverRecorder.errors.isEmpty)
    }

    func testPeerLeavingMidHandshakeIsReported() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.connect()
        let hello = try XCTUnwrap(try pair.client.readOutbound(as: ByteBuffer.self))
        try pair.server.writeInbound(hello)
        pair.server.pipeline.fireChannelInactive()
        XCTAssertEqual(pair.serverRecorder.tlsErrors, [.unexpectedEOF])
        XCTAssertTrue(pair.serverRecorder.wentInactive)
    }

    func testStartTLSOnAnActiveChannel() throws {
        let server = EmbeddedChannel()
        let serverRecorder = Recorder()
        try server.pipeline.syncOperations.addHandlers([try OpenSSLHandler(serverContext: serverContext()), serverRecorder])
        try server.connect(to: TLSPair.address).wait()

        // A plaintext client that has just read "OK Begin TLS".
        let client = EmbeddedChannel()
        let clientRecorder = Recorder()
        try client.pipeline.syncOperations.addHandler(clientRecorder)
        try client.connect(to: TLSPair.address).wait()
        XCTAssertNil(try client.readOutbound(as: ByteBuffer.self))

        let session = try OpenSSLHandler.startTLS(
            on: client, clientContext: clientContext(), serverHostname: TestCertificates.hostname)
        var outcome: Result<TLSSessionInfo, Error>?
        session.assumeIsolated().whenComplete { outcome = $0 }

        let hello = try XCTUnwrap(try client.readOutbound(as: ByteBuffer.self), "adding the handler starts the handshake")
        try server.writeInbound(hello)
        var moved = true
        while moved {
            moved = false
            while let bytes = try server.readOutbound(as: ByteBuffer.self) { moved = true; try client.writeInbound(bytes) }
            while let bytes = try client.readOutbound(as: ByteBuffer.self) { moved = true; try server.writeInbound(bytes) }
        }
        let info = try XCTUnwrap(outcome).get()
        XCTAssertEqual(info.version, "TLSv1.3")
        XCTAssertEqual(serverRecorder.sessions.count, 1)

        try client.writeOutbound(ByteBuffer(string: "a1 CAPABILITY\r\n"))
        while let bytes = try client.readOutbound(as: ByteBuffer.self) { try server.writeInbound(bytes) }
        XCTAssertEqual(String(decoding: serverRecorder.received, as: UTF8.self), "a1 CAPABILITY\r\n")
        _ = try? client.finish(acceptAlreadyClosed: true)
        _ = try? server.finish(acceptAlreadyClosed: true)
    }

    func testStartTLSFailureFailsTheFuture() throws {
        let client = EmbeddedChannel()
        try client.connect(to: TLSPair.address).wait()
        let session = try OpenSSLHandler.startTLS(
            on: client, clientContext: clientContext(), serverHostname: TestCertificates.hostname,
            handshakeTimeout: .seconds(5))
        var outcome: Result<TLSSessionInfo, Error>?
        session.assumeIsolated().whenComplete { outcome = $0 }
        client.embeddedEventLoop.advanceTime(by: .seconds(5))
        guard case .failure(let error)? = outcome else { return XCTFail("expected a failure, got \(String(describing: outcome))") }
        XCTAssertEqual(error as? TLSError, .handshakeTimeout)
        _ = try? client.finish(acceptAlreadyClosed: true)
    }
}

/// A small deterministic generator, so the garbage is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
