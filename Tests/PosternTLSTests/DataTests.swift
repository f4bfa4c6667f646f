import NIOCore
import NIOEmbedded
import XCTest
@testable import PosternTLS

final class DataTests: XCTestCase {
    func testDataFlowsBothWays() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()

        try pair.client.writeOutbound(ByteBuffer(string: "a1 NOOP\r\n"))
        try pair.interact()
        XCTAssertEqual(String(decoding: pair.serverRecorder.received, as: UTF8.self), "a1 NOOP\r\n")

        try pair.server.writeOutbound(ByteBuffer(string: "a1 OK done\r\n"))
        try pair.interact()
        XCTAssertEqual(String(decoding: pair.clientRecorder.received, as: UTF8.self), "a1 OK done\r\n")
    }

    func testManyRecordsInOneReadArriveAsOneBuffer() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()
        let readsBefore = pair.serverRecorder.readCount

        // Three flushes make three records; the server gets them in one channelRead.
        var ciphertext = ByteBuffer()
        for line in ["a1 NOOP\r\n", "a2 NOOP\r\n", "a3 NOOP\r\n"] {
            try pair.client.writeOutbound(ByteBuffer(string: line))
            while var bytes = try pair.client.readOutbound(as: ByteBuffer.self) { ciphertext.writeBuffer(&bytes) }
        }
        try pair.server.writeInbound(ciphertext)
        XCTAssertEqual(pair.serverRecorder.readCount - readsBefore, 1)
        XCTAssertEqual(String(decoding: pair.serverRecorder.received, as: UTF8.self), "a1 NOOP\r\na2 NOOP\r\na3 NOOP\r\n")
    }

    func testLargeTransfersSurviveRecordSplitting() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()

        var generator = SplitMix(seed: 42)
        let payload = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var promiseDone = false
        let promise = pair.server.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenSuccess { promiseDone = true }
        pair.server.writeAndFlush(ByteBuffer(bytes: payload), promise: promise)
        XCTAssertTrue(promiseDone, "the write's promise completes once its ciphertext is written")

        // Deliver in awkward slices to split records across reads.
        var ciphertext = ByteBuffer()
        while var bytes = try pair.server.readOutbound(as: ByteBuffer.self) { ciphertext.writeBuffer(&bytes) }
        while ciphertext.readableBytes > 0 {
            let slice = ciphertext.readSlice(length: min(7_001, ciphertext.readableBytes))!
            try pair.client.writeInbound(slice)
        }
        XCTAssertEqual(pair.clientRecorder.received.count, payload.count)
        XCTAssertTrue(pair.clientRecorder.received == payload)

        try pair.client.writeOutbound(ByteBuffer(bytes: payload.reversed()))
        try pair.interact()
        XCTAssertTrue(pair.serverRecorder.received == payload.reversed())
    }

    func testAnIdleSessionHoldsNoTransferBuffers() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()
        guard case .active(let connection) = pair.serverHandler.state else { return XCTFail("not active") }
        XCTAssertEqual(connection.bufferedCapacity.fromPeer, 0, "handshake buffers are dropped")
        XCTAssertEqual(connection.bufferedCapacity.toPeer, 0, "handshake buffers are dropped")

        try pair.client.writeOutbound(ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 50_000)))
        try pair.server.writeOutbound(ByteBuffer(bytes: [UInt8](repeating: 0x62, count: 50_000)))
        try pair.interact()
        XCTAssertEqual(pair.serverRecorder.received.count, 50_000)
        XCTAssertLessThanOrEqual(connection.bufferedCapacity.fromPeer, TLSConnection.retainedBIOCapacity)
        XCTAssertLessThanOrEqual(connection.bufferedCapacity.toPeer, TLSConnection.retainedBIOCapacity)
    }

    func testWritesBeforeTheHandshakeAreDeliveredAfterIt() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        var firstWritten = false
        let promise = pair.client.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenSuccess { firstWritten = true }
        pair.client.write(ByteBuffer(string: "a1 CAPABILITY\r\n"), promise: promise)
        pair.client.flush()
        pair.client.write(ByteBuffer(string: "a2 NOOP\r\n"), promise: nil)  // flushed later
        try pair.connect()
        XCTAssertFalse(firstWritten)

        try pair.interact()
        XCTAssertTrue(firstWritten)
        XCTAssertEqual(String(decoding: pair.serverRecorder.received, as: UTF8.self), "a1 CAPABILITY\r\n")

        pair.client.flush()
        try pair.interact()
        XCTAssertEqual(String(decoding: pair.serverRecorder.received, as: UTF8.self), "a1 CAPABILITY\r\na2 NOOP\r\n")
    }

    func testCloseSendsCloseNotifyAndThePeerAnswersAndCloses() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()

        try pair.server.writeOutbound(ByteBuffer(string: "* BYE\r\n"))
        var closed = false
        pair.server.close().assumeIsolated().whenSuccess { closed = true }
        XCTAssertTrue(closed)
        XCTAssertFalse(pair.server.isActive)

        // The BYE and the close_notify both left before the channel closed.
        try pair.interact()
        XCTAssertEqual(String(decoding: pair.clientRecorder.received, as: UTF8.self), "* BYE\r\n")
        XCTAssertFalse(pair.client.isActive, "a received close_notify closes the channel")
        XCTAssertTrue(pair.clientRecorder.wentInactive)
        XCTAssertTrue(pair.clientRecorder.errors.isEmpty, "\(pair.clientRecorder.errors)")
        XCTAssertTrue(pair.serverRecorder.errors.isEmpty, "\(pair.serverRecorder.errors)")
    }

    func testPeerCloseNotifyIsAnsweredBeforeClosing() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()

        // The last command and the close_notify arrive in one read.
        try pair.client.writeOutbound(ByteBuffer(string: "a9 LOGOUT\r\n"))
        var lastRead = try XCTUnwrap(try pair.client.readOutbound(as: ByteBuffer.self))
        pair.client.close(promise: nil)
        var closeNotify = try XCTUnwrap(try pair.client.readOutbound(as: ByteBuffer.self))
        let alertSize = closeNotify.readableBytes
        lastRead.writeBuffer(&closeNotify)
        try pair.server.writeInbound(lastRead)

        XCTAssertEqual(String(decoding: pair.serverRecorder.received, as: UTF8.self), "a9 LOGOUT\r\n")
        XCTAssertFalse(pair.server.isActive)
        XCTAssertTrue(pair.serverRecorder.wentInactive)
        let answer = try XCTUnwrap(try pair.server.readOutbound(as: ByteBuffer.self), "the server answers with its own close_notify")
        XCTAssertEqual(answer.readableBytes, alertSize, "an alert record, the same size as the client's")
        XCTAssertTrue(pair.serverRecorder.errors.isEmpty, "\(pair.serverRecorder.errors)")
    }

    func testWritesAfterCloseFail() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()
        pair.server.close(promise: nil)
        var failure: Error?
        pair.server.writeAndFlush(ByteBuffer(string: "late"), promise: nil)
        let promise = pair.server.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenFailure { failure = $0 }
        pair.server.pipeline.writeAndFlush(ByteBuffer(string: "late"), promise: promise)
        XCTAssertNotNil(failure)
    }

    func testTruncationWithoutCloseNotifyIsReported() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()
        pair.server.pipeline.fireChannelInactive()
        XCTAssertEqual(pair.serverRecorder.tlsErrors, [.unexpectedEOF])
        XCTAssertTrue(pair.serverRecorder.wentInactive)
    }

    func testTamperedRecordFailsTheReadAndCloses() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext())
        defer { pair.finish() }
        try pair.handshake()

        try pair.client.writeOutbound(ByteBuffer(string: "a1 LOGIN alice secret\r\n"))
        var record = try XCTUnwrap(try pair.client.readOutbound(as: ByteBuffer.self))
        let last = record.writerIndex - 1
        record.setInteger(record.getInteger(at: last, as: UInt8.self)! ^ 0x01, at: last)
        try pair.server.writeInbound(record)

        guard case .readFailed(let reasons)? = pair.serverRecorder.tlsErrors.first else {
            return XCTFail("expected a failed read, got \(pair.serverRecorder.errors)")
        }
        XCTAssertFalse(reasons.isEmpty)
        XCTAssertTrue(pair.serverRecorder.received.isEmpty)
        XCTAssertFalse(pair.server.isActive)
        XCTAssertFalse(TLSError.readFailed(reasons: reasons).description.contains("secret"))
    }

    func testRemovingTheHandlerFailsHeldWrites() throws {
        let channel = EmbeddedChannel()
        let handler = try OpenSSLHandler(serverContext: serverContext())
        try channel.pipeline.syncOperations.addHandler(handler)
        var failure: Error?
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenFailure { failure = $0 }
        channel.writeAndFlush(ByteBuffer(string: "held"), promise: promise)
        try channel.pipeline.syncOperations.removeHandler(handler).wait()
        XCTAssertNotNil(failure)
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}
