import CPostern
import Dispatch
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
/// mail host's tagged reply down the socketpair under the client's tag, then move bytes — with
/// splice(2) when the mail host speaks plain TCP, through the TLS handler otherwise.
final class UpstreamSession: @unchecked Sendable {
    struct Services: Sendable {
        let eventLoop: EventLoop
        /// Where blocking name resolution and connect wait, away from the event loop.
        let connectQueue: DispatchQueue
        /// Where splice pumps run.
        let pumpLoop: EpollLoop
        let pipes: PipePool
        let sessions: RelaySessions
        let logger: EventLogger
    }

    private typealias Login = UpstreamLoginHandler<AnyUpstreamLogin>

    private let request: RelayRequest
    private let downstreamFD: Int32
    private let mode: UpstreamTLS
    private let tls: TLSContext?
    private let loginTimeout: TimeAmount
    private let services: Services
    private var reported = false
    /// Until the streams are joined, closing the socketpair end on failure is ours to do.
    private var downstreamOwned = true
    private var report: (@Sendable (RelayResult) -> Void)?
    /// The login's channel once NIO has it, and whether the login timed out (then the channel and
    /// the connection are closed, and whatever the login reports later is dropped). Both touched
    /// on `services.eventLoop` only.
    private var loginChannel: Channel?
    private var loginTimedOut = false

    init(request: RelayRequest, downstream: Int32, mode: UpstreamTLS, tls: TLSContext?, loginTimeout: TimeAmount,
         services: Services) {
        self.request = request
        self.downstreamFD = downstream
        self.mode = mode
        self.tls = tls
        self.loginTimeout = loginTimeout
        self.services = services
    }

    private var sessionID: String { request.session.description }
    private var logger: EventLogger { services.logger }

    func start(report: @escaping @Sendable (RelayResult) -> Void) {
        self.report = report
        services.sessions.begin(request.session)
        guard mode == .none || tls != nil else {
            return services.eventLoop.execute { self.fail("no upstream TLS context", temporary: true) }
        }
        let host = request.mailHost
        let port = request.mailPort
        let timeoutMs = Int32(clamping: loginTimeout.nanoseconds / 1_000_000)
        services.connectQueue.async { [self] in
            var failure: Int32 = 0
            let fd = postern_connect_tcp(host, port, timeoutMs, &failure)
            let code = failure
            services.eventLoop.execute { [self] in
                guard fd >= 0 else {
                    return fail("cannot connect to \(host):\(port): " + String.errnoText(code), temporary: true)
                }
                login(over: fd)
            }
        }
    }

    /// Speaks the login dialogue through NIO on a duplicate of the connected socket; for plain TCP
    /// the original then goes to the splice pump, for TLS the NIO channel carries on.
    private func login(over fd: Int32) {
        let nioFD = mode == .none ? dup(fd) : fd
        guard nioFD >= 0 else {
            close(fd)
            return fail("dup: " + String.errnoText(errno), temporary: true)
        }
        let tls = self.tls
        let hostname = request.mailHost
        let handshakeTimeout = loginTimeout
        let makeTLS: @Sendable () throws -> ChannelHandler = {
            try OpenSSLHandler(clientContext: tls!, serverHostname: hostname, handshakeTimeout: handshakeTimeout)
        }
        let dialogue = AnyUpstreamLogin(request: request, useStartTLS: mode == .starttls)
        let mode = self.mode
        let timeout = services.eventLoop.scheduleTask(in: loginTimeout) { [self] in
            // The mail host is left, not kept waiting: its connection closes with the refusal.
            loginTimedOut = true
            loginChannel?.close(promise: nil)
            if mode == .none { close(fd) }
            fail("login to the mail host timed out", temporary: true)
        }
        ClientBootstrap(group: services.eventLoop)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if mode == .implicit { try pipeline.addHandler(try makeTLS()) }
                    let bound = NIOLoopBound(channel, eventLoop: channel.eventLoop)
                    try pipeline.addHandler(Login(dialogue: dialogue, startTLS: makeTLS, finished: { outcome, leftover in
                        timeout.cancel()
                        // After a timeout, plainFD is closed already and the channel closing.
                        guard !self.loginTimedOut else { return }
                        self.loginFinished(outcome, leftover: leftover, channel: bound.value, plainFD: mode == .none ? fd : nil)
                    }))
                }
            }
            .withConnectedSocket(nioFD)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    if loginTimedOut { channel.close(promise: nil) } else { loginChannel = channel }
                case .failure(let error):
                    timeout.cancel()
                    guard !loginTimedOut else { return }
                    if mode == .none { close(fd) }
                    fail("cannot use the connection to \(hostname): \(error)", temporary: true)
                }
            }
    }

    private func loginFinished(_ outcome: Login.Outcome, leftover: [UInt8], channel: Channel, plainFD: Int32?) {
        loginChannel = nil
        switch outcome {
        case .failed(let reason, let temporary, let reply):
            channel.close(promise: nil)
            if let plainFD { close(plainFD) }
            fail(reason, temporary: temporary, mailHostReply: reply ?? "")
        case .succeeded(let text, let untagged):
            guard !reported else {
                channel.close(promise: nil)
                if let plainFD { close(plainFD) }
                return
            }
            let prefix = AnyUpstreamLogin.clientReply(for: request, taggedReplyText: text, untagged: untagged) + leftover
            if let plainFD {
                // NIO's close only closes its duplicate; the connection lives on in plainFD.
                channel.close(promise: nil)
                splice(plainFD, prefix: prefix)
            } else {
                glue(channel, prefix: prefix)
            }
        }
    }

    private func splice(_ upstream: Int32, prefix: [UInt8]) {
        downstreamOwned = false
        let pump = SplicePump(a: downstreamFD, b: upstream, prefixForA: prefix, loop: services.pumpLoop, pipes: services.pipes)
        established(mechanism: "splice")
        let started = NIODeadline.now()
        let (logger, request, sessions) = (self.logger, self.request, services.sessions)
        pump.start { totals in
            sessions.end(request.session)
            logger.log(.relayClosed, session: request.session.description, [
                "host": LogValue(request.mailHost), "bytes-to-mail-host": .int(totals.aToB),
                "bytes-from-mail-host": .int(totals.bToA),
                "duration-ms": .int((NIODeadline.now() - started).nanoseconds / 1_000_000),
            ])
        }
    }

    private func glue(_ upstream: Channel, prefix: [UInt8]) {
        let (mailSide, clientSide) = GlueHandler.matchedPair()
        downstreamOwned = false
        let (logger, request, sessions) = (self.logger, self.request, services.sessions)
        ClientBootstrap(group: services.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(clientSide)
                }
            }
            .withConnectedSocket(downstreamFD)
            .flatMap { downstream -> EventLoopFuture<Channel> in
                var buffer = downstream.allocator.buffer(capacity: prefix.count)
                buffer.writeBytes(prefix)
                return downstream.writeAndFlush(buffer).flatMapThrowing {
                    // In one turn of the loop: what the login handler kept since its reply goes
                    // first, then the joined stream takes over; no byte arrives in between.
                    let login = try upstream.pipeline.syncOperations.handler(type: Login.self)
                    let trailing = login.takeTrailing()
                    upstream.pipeline.syncOperations.removeHandler(login, promise: nil)
                    if !trailing.isEmpty {
                        var late = downstream.allocator.buffer(capacity: trailing.count)
                        late.writeBytes(trailing)
                        downstream.writeAndFlush(late, promise: nil)
                    }
                    try upstream.pipeline.syncOperations.addHandler(mailSide)
                    // The login handler stopped reading at its reply; the joined stream reads again.
                    try upstream.syncOptions?.setOption(.autoRead, value: true)
                    return downstream
                }
            }
            .whenComplete { [self] result in
                switch result {
                case .success(let downstream):
                    established(mechanism: "tls")
                    let started = NIODeadline.now()
                    downstream.closeFuture.and(upstream.closeFuture).whenComplete { _ in
                        sessions.end(request.session)
                        logger.log(.relayClosed, session: request.session.description, [
                            "host": LogValue(request.mailHost), "bytes-to-mail-host": .int(clientSide.bytesRead),
                            "bytes-from-mail-host": .int(mailSide.bytesRead),
                            "duration-ms": .int((NIODeadline.now() - started).nanoseconds / 1_000_000),
                        ])
                    }
                case .failure(let error):
                    upstream.close(promise: nil)
                    fail("cannot join the streams: \(error)", temporary: true)
                }
            }
    }

    private func established(mechanism: String) {
        reportOnce(RelayResult(session: request.session, success: true, temporary: false, reason: ""))
        logger.log(.relayEstablished, session: sessionID, [
            "host": LogValue(request.mailHost), "port": .int(request.mailPort), "mail-user": LogValue(request.mailUser),
            "upstream-tls": LogValue(mode.rawValue), "transfer": LogValue(mechanism),
        ])
    }

    private func fail(_ reason: String, temporary: Bool, mailHostReply: String = "") {
        guard !reported else { return }
        if downstreamOwned {
            downstreamOwned = false
            close(downstreamFD)
        }
        logger.log(.relayFailed, session: sessionID, [
            "host": LogValue(request.mailHost), "port": .int(request.mailPort), "mail-user": LogValue(request.mailUser),
            "reason": LogValue(reason), "temporary": .bool(temporary),
        ])
        reportOnce(RelayResult(session: request.session, success: false, temporary: temporary, reason: reason,
                               mailHostReply: mailHostReply))
        services.sessions.end(request.session)
    }

    private func reportOnce(_ result: RelayResult) {
        guard !reported, let report else { return }
        reported = true
        self.report = nil
        report(result)
    }
}
