import XCTest
@testable import PosternTLS

/// `TLSConnection` alone, with no channel: bytes carried by hand.
final class TLSConnectionTests: XCTestCase {
    private func carry(from source: TLSConnection, to destination: TLSConnection) -> Bool {
        var bytes = [UInt8](repeating: 0, count: source.pendingCiphertextCount)
        let count = bytes.withUnsafeMutableBytes { source.takeCiphertext(into: $0) }
        bytes.withUnsafeBytes { destination.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        return count > 0
    }

    func testHandshakeAndRoundTripWithoutNIO() throws {
        let server = try TLSConnection(context: serverContext(), role: .server)
        let client = try TLSConnection(context: clientContext(), role: .client(serverHostname: TestCertificates.hostname))

        var serverDone = false
        var clientDone = false
        for _ in 0..<10 where !(serverDone && clientDone) {
            if case .complete = client.handshake() { clientDone = true }
            _ = carry(from: client, to: server)
            if case .complete = server.handshake() { serverDone = true }
            _ = carry(from: server, to: client)
        }
        XCTAssertTrue(serverDone && clientDone)
        XCTAssertEqual(client.sessionInfo().version, "TLSv1.3")

        let message = Array("+OK POP3 ready\r\n".utf8)
        guard case .complete(message.count) = message.withUnsafeBytes({ server.write($0) }) else {
            return XCTFail("write")
        }
        XCTAssertTrue(carry(from: server, to: client))
        var received = [UInt8](repeating: 0, count: 64)
        var outcome = received.withUnsafeMutableBytes { client.read(into: $0) }
        // The client may first meet the server's session tickets; read until the data shows.
        while case .incomplete = outcome {
            outcome = received.withUnsafeMutableBytes { client.read(into: $0) }
            if case .incomplete = outcome { break }
        }
        guard case .complete(.plaintext(let count)) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(Array(received.prefix(count)), message)

        // close_notify: the server's shutdown is read by the client as a clean end.
        guard case .incomplete = server.shutdown() else { return XCTFail("shutdown waits for the peer") }
        XCTAssertTrue(carry(from: server, to: client))
        guard case .complete(.closeNotify) = received.withUnsafeMutableBytes({ client.read(into: $0) }) else {
            return XCTFail("expected close_notify")
        }
    }

    func testLargeBuffersAreReleasedOnceDrained() throws {
        let server = try TLSConnection(context: serverContext(), role: .server)
        let client = try TLSConnection(context: clientContext(), role: .client(serverHostname: TestCertificates.hostname))
        for _ in 0..<10 {
            _ = client.handshake(); _ = carry(from: client, to: server)
            _ = server.handshake(); _ = carry(from: server, to: client)
        }
        let payload = [UInt8](repeating: 0x2A, count: 100_000)
        var offset = 0
        while offset < payload.count {
            guard case .complete(let count) = payload.withUnsafeBytes({ server.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }) else {
                return XCTFail("write")
            }
            offset += count
        }
        XCTAssertGreaterThan(server.pendingCiphertextCount, 100_000)
        XCTAssertGreaterThan(server.bufferedCapacity.toPeer, TLSConnection.retainedBIOCapacity)
        _ = carry(from: server, to: client)
        server.releaseIdleBuffers()
        XCTAssertLessThanOrEqual(server.bufferedCapacity.toPeer, TLSConnection.retainedBIOCapacity)

        var sink = [UInt8](repeating: 0, count: 16_384)
        var total = 0
        while case .complete(.plaintext(let count)) = sink.withUnsafeMutableBytes({ client.read(into: $0) }) { total += count }
        XCTAssertEqual(total, payload.count)
        XCTAssertGreaterThan(client.bufferedCapacity.fromPeer, TLSConnection.retainedBIOCapacity)
        client.releaseIdleBuffers()
        XCTAssertLessThanOrEqual(client.bufferedCapacity.fromPeer, TLSConnection.retainedBIOCapacity)
    }

    func testIPLiteralsAreRecognised() {
        XCTAssertTrue(TLSConnection.isIPLiteral("192.0.2.1"))
        XCTAssertTrue(TLSConnection.isIPLiteral("2001:db8::1"))
        XCTAssertFalse(TLSConnection.isIPLiteral("mail.example.org"))
        XCTAssertFalse(TLSConnection.isIPLiteral("192.0.2.1.example"))
    }
}
