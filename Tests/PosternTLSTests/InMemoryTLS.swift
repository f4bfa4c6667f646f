import NIOCore
import NIOEmbedded
import XCTest
@testable import PosternTLS

/// Records what reaches the end of a pipeline: plaintext, TLS events, errors, inactivity.
/// Errors are kept, not passed on, so EmbeddedChannel does not rethrow them.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    var received: [UInt8] = []
    var readCount = 0
    var sessions: [TLSSessionInfo] = []
    var errors: [Error] = []
    var wentInactive = false
    /// Called on `handshakeCompleted`, with the context, e.g. to write a greeting.
    var onHandshake: ((ChannelHandlerContext) -> Void)?

    var tlsErrors: [TLSError] { errors.compactMap { $0 as? TLSError } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readCount += 1
        received += Array(buffer: unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            sessions.append(info)
            onHandshake?(context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        errors.append(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        wentInactive = true
    }
}

/// A client and a server channel with TLS handlers, wired by hand-carrying bytes.
struct TLSPair {
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientHandler: OpenSSLHandler
    let serverHandler: OpenSSLHandler
    let clientRecorder = Recorder()
    let serverRecorder = Recorder()

    init(server serverContext: TLSContext, client clientContext: TLSContext,
         hostname: String = TestCertificates.hostname, handshakeTimeout: TimeAmount = .seconds(30)) throws {
        client = EmbeddedChannel()
        server = EmbeddedChannel()
        serverHandler = try OpenSSLHandler(serverContext: serverContext, handshakeTimeout: handshakeTimeout)
        clientHandler = try OpenSSLHandler(clientContext: clientContext, serverHostname: hostname, handshakeTimeout: handshakeTimeout)
        try server.pipeline.syncOperations.addHandlers([serverHandler, serverRecorder])
        try client.pipeline.syncOperations.addHandlers([clientHandler, clientRecorder])
    }

    static let address = try! SocketAddress(ipAddress: "127.0.0.1", port: 993)

    /// Makes both channels active: the client's ClientHello is then waiting in its outbound.
    func connect() throws {
        try server.connect(to: Self.address).wait()
        try client.connect(to: Self.address).wait()
    }

    /// Carries flushed bytes both ways until neither side has anything to say.
    /// Returns the number of buffers carried.
    @discardableResult
    func interact() throws -> Int {
        var carried = 0
        var moved = true
        while moved {
            moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                moved = true
                carried += 1
                try server.writeInbound(bytes)
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                moved = true
                carried += 1
                try client.writeInbound(bytes)
            }
        }
        return carried
    }

    func handshake() throws {
        try connect()
        try interact()
    }

    func finish() {
        _ = try? client.finish(acceptAlreadyClosed: true)
        _ = try? server.finish(acceptAlreadyClosed: true)
    }
}

extension XCTestCase {
    func certificates() throws -> TestCertificates {
        try TestCertificates.load()
    }

    func serverContext(minimumVersion: TLSVersion = .v1_2) throws -> TLSContext {
        let certificates = try certificates()
        return try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.keyPEM,
            minimumVersion: minimumVersion)
    }

    func clientContext(trusting roots: [UInt8]? = nil, maximumVersion: TLSVersion? = nil) throws -> TLSContext {
        let context = try TLSContext.client(trustRootsPEM: roots ?? certificates().certificatePEM)
        if let maximumVersion { context.setMaximumVersion(maximumVersion) }
        return context
    }
}
