import NIOCore
import NIOPosix
import PosternConfig
import PosternCore
import PosternIO
import PosternIPC
import PosternProtocols
import PosternTLS
#if canImport(Glibc)
import Glibc
#endif

/// One login handed to this relay: connect to the mail host, log in, and on success send the
/// mail host's tagged reply down the socketpair under the client's tag and join the two streams.
final class UpstreamSession: @unchecked Sendable {
    private let request: RelayRequest
    private let downstreamFD: Int32
    private let settings: ProtocolSettings
    private let tls: TLSContext?
    private let loginTimeout: TimeAmount
    private let eventLoop: EventLoop
    private let logger: EventLogger
    private var reported = false
    /// Until NIO adopts the socketpair end, closing it on failure is ours to do.
    private var downstreamOwned = true

    init(request: RelayRequest, downstream: Int32, settings: ProtocolSettings, tls: TLSContext?,
         loginTimeout: TimeAmount, eventLoop: EventLoop, logger: EventLogger) {
        self.request = request
        self.downstreamFD = downstream
        self.settings = settings
        self.tls = tls
        self.loginTimeout = loginTimeout
        self.eventLoop = eventLoop
        self.logger = logger
    }

    func start(report: @escaping @Sendable (RelayResult) -> Void) {
        eventLoop.execute { self.connect(report: report) }
    }

    private var sessionID: String { request.session.description }

    private func connect(report: @escaping @Sendable (RelayResult) -> Void) {
        let request = self.request
        let mode = settings.upstreamTLS
        guard mode == .none || tls != nil else {
            fail("no upstream TLS context", temporary: true, report: report)
            return
        }
        let tls = self.tls
        let handshakeTimeout = loginTimeout
        let credentials = LoginCredentials(username: request.mailUser, password: request.mailPassword)
        let timeout = eventLoop.scheduleTask(in: loginTimeout) { [self] in
            fail("login to the mail host timed out", temporary: true, report: report)
        }
        let makeTLS: @Sendable () throws -> OpenSSLHandler = {
            try OpenSSLHandler(clientContext: tls!, serverHostname: request.mailHost, handshakeTimeout: handshakeTimeout)
        }
        let finished: @Sendable (UpstreamLoginHandler<IMAPUpstreamLogin>.Outcome, Channel) -> Void = { [self] outcome, channel in
            timeout.cancel()
            switch outcome {
            case .succeeded(let text, let untagged):
                join(upstream: channel, untagged: untagged, taggedReply: text, report: report)
            case .failed(let reason, let temporary):
                channel.close(promise: nil)
                fail(reason, temporary: temporary, report: report)
            }
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(loginTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if mode == .implicit { try pipeline.addHandler(try makeTLS()) }
                    let bound = NIOLoopBound(channel, eventLoop: channel.eventLoop)
                    let dialogue = IMAPUpstreamLogin(credentials: credentials, useStartTLS: mode == .starttls)
                    try pipeline.addHandler(UpstreamLoginHandler(dialogue: dialogue, startTLS: makeTLS,
                                                                 finished: { finished($0, bound.value) }))
                }
            }
            .connect(host: request.mailHost, port: Int(request.mailPort))
            .whenFailure { [self] error in
                timeout.cancel()
                fail("cannot connect to \(request.mailHost):\(request.mailPort): \(error)", temporary: true, report: report)
            }
    }

    private func join(upstream: Channel, untagged: [String], taggedReply: String,
                      report: @escaping @Sendable (RelayResult) -> Void) {
        let (mailSide, clientSide) = GlueHandler.matchedPair()
        var greeting = ""
        for line in untagged { greeting += line + "\r\n" }
        greeting += request.clientTag + " " + taggedReply + "\r\n"
        let request = self.request
        let logger = self.logger
        let replyBytes = Array(greeting.utf8)
        ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(clientSide)
                }
            }
            .withConnectedSocket(downstreamFD)
            .flatMap { downstream -> EventLoopFuture<Channel> in
                self.downstreamOwned = false
                var buffer = downstream.allocator.buffer(capacity: replyBytes.count)
                buffer.writeBytes(replyBytes)
                return downstream.writeAndFlush(buffer).flatMap {
                    upstream.pipeline.handler(type: UpstreamLoginHandler<IMAPUpstreamLogin>.self).flatMap { login in
                        upstream.pipeline.removeHandler(login)
                    }.flatMapThrowing {
                        try upstream.pipeline.syncOperations.addHandler(mailSide)
                        return downstream
                    }
                }
            }
            .whenComplete { [self] result in
                switch result {
                case .success(let downstream):
                    reportOnce(RelayResult(session: request.session, success: true, temporary: false, reason: ""), report)
                    logger.log(.relayEstablished, session: sessionID, [
                        "host": LogValue(request.mailHost), "port": .int(request.mailPort),
                        "mail-user": LogValue(request.mailUser), "tls": LogValue(settings.upstreamTLS.rawValue),
                    ])
                    let started = NIODeadline.now()
                    downstream.closeFuture.and(upstream.closeFuture).whenComplete { _ in
                        logger.log(.relayClosed, session: request.session.description, [
                            "host": LogValue(request.mailHost), "bytes-to-mail-host": .int(clientSide.bytesRead),
                            "bytes-from-mail-host": .int(mailSide.bytesRead),
                            "duration-ms": .int((NIODeadline.now() - started).nanoseconds / 1_000_000),
                        ])
                    }
                case .failure(let error):
                    upstream.close(promise: nil)
                    fail("cannot join the streams: \(error)", temporary: true, report: report)
                }
            }
    }

    private func fail(_ reason: String, temporary: Bool, report: @escaping @Sendable (RelayResult) -> Void) {
        guard !reported else { return }
        if downstreamOwned {
            downstreamOwned = false
            close(downstreamFD)
        }
        logger.log(.relayFailed, session: sessionID, [
            "host": LogValue(request.mailHost), "port": .int(request.mailPort), "mail-user": LogValue(request.mailUser),
            "reason": LogValue(reason), "temporary": .bool(temporary),
        ])
        reportOnce(RelayResult(session: request.session, success: false, temporary: temporary, reason: reason), report)
    }

    private func reportOnce(_ result: RelayResult, _ report: @Sendable (RelayResult) -> Void) {
        guard !reported else { return }
        reported = true
        report(result)
    }
}
