import CPostern
import NIOCore
import NIOPosix
import PosternConfig
import PosternCore
import PosternIO
import PosternIPC
import PosternProtocols
import PosternSandbox
import PosternTLS
#if canImport(Glibc)
import Glibc
#endif

/// Owns one client session on the listener: greets once TLS is up, runs the protocol's
/// pre-authentication dialogue, asks authd, hands the login to a relay, and then joins the
/// client's TLS stream to the relay's socketpair. It logs the session's life from accept to close.
final class PreAuthFrontend<Dialogue: PreAuthDialogue>: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case handshaking
        case dialogue
        case awaitingAuthd(attempt: UInt16, tag: String, credentials: LoginCredentials)
        case awaitingRelay(attempt: UInt16, grant: Grant, localEnd: Int32)
        case joining
        case relaying
        case closed
    }

    private var session: SessionContext
    private var dialogue: Dialogue
    private var phase = Phase.handshaking
    private var attempts: UInt16 = 0
    private var grant: Grant?
    /// What the handshake found, when the protocol asks for client certificates.
    private var certificate: CertificateClaim?
    /// authd has state for this session (it asked at least once): authd hears when it ends.
    private var authdKnows = false
    private var loginTimer: Scheduled<Void>?
    private var sessionTimer: Scheduled<Void>?
    /// `preauth-max-time`: the session must be authenticated by then, whatever it sends.
    private var preauthDeadline: Scheduled<Void>?
    private var closeReason = SessionCloseReason.clientClosed
    private var glue: (client: GlueHandler, mailHost: GlueHandler)?
    private var relayIndex: UInt16?
    /// A username was presented: the session is authenticating (SPEC §4).
    private var dialogueStarted = false
    private weak var context: ChannelHandlerContext?
    /// Bytes that arrive while a login is in flight wait here (bounded by the dialogue's own limits).
    private var logger: EventLogger { session.services.logger }

    init(session: SessionContext, dialogue: Dialogue) {
        self.session = session
        self.dialogue = dialogue
    }

    // MARK: - Events from the pipeline

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        session.handle.summarize = { bound.value.summary() }
        let deadline = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        preauthDeadline = context.eventLoop.scheduleTask(in: .milliseconds(session.settings.preauthMaxTime.milliseconds)) {
            let (handler, context) = deadline.value
            handler.preauthTimeExpired(context: context)
        }
    }

    private func preauthTimeExpired(context: ChannelHandlerContext) {
        preauthDeadline = nil
        switch phase {
        case .joining, .relaying, .closed: return
        case .handshaking, .dialogue, .awaitingAuthd, .awaitingRelay: break
        }
        logger.log(.timeout, session: session.id.description, ["limit": "preauth-max-time"])
        closeReason = .preauthMaxTime
        if case .dialogue = phase { say(notice(.preauthMaxTime), context: context) }
        context.close(promise: nil)
    }

    private func say(_ text: String, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// What `posternctl sessions` shows of this session; runs on the session's event loop.
    private func summary() -> SessionSummary {
        let state: SessionState
        switch phase {
        case .handshaking, .dialogue: state = dialogueStarted ? .authenticating : .unauthenticated
        case .awaitingAuthd, .awaitingRelay, .joining: state = .authenticating
        case .relaying, .closed: state = .authenticated
        }
        return SessionSummary(
            id: session.id.description, proto: session.proto.rawValue, interface: session.interface,
            client: session.clientAddress, clientPort: session.clientPort, vpnUser: grant?.vpnUser ?? "",
            mailUser: grant?.mailUser ?? "", mailHost: grant.map { "\($0.mailHost):\($0.mailPort)" } ?? "",
            groupPolicy: grant?.groupPolicy ?? "", clientSubject: certificate?.subject?.rfc4514 ?? "", state: state.rawValue,
            ageSeconds: Double((NIODeadline.now() - session.startedAt).nanoseconds) / 1e9,
            bytesIn: glue?.client.bytesRead ?? 0, bytesOut: glue?.mailHost.bytesRead ?? 0)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSEvent, case .handshakeCompleted(let info) = tls {
            certificate = info.clientCertificate.map(CertificateClaim.init(check:))
            logger.log(.tlsEstablished, session: session.id.description, [
                "version": LogValue(info.version), "cipher": LogValue(info.cipher),
                "client-subject": .capped(info.peerSubject),
                "client-issuer": .capped(info.clientCertificate?.certificate?.issuer.rfc4514),
                "client-serial": .capped(info.clientCertificate?.certificate?.serial, bytes: 128),
            ])
            if case .handshaking = phase {
                phase = .dialogue
                // Written before the TLS handler flushes the end of the handshake: one packet.
                var buffer = context.channel.allocator.buffer(capacity: 128)
                buffer.writeBytes(dialogue.greeting())
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            }
            return
        }
        if let control = event as? SessionControl, case .adminReset = control {
            closeReason = .adminReset
            context.close(promise: nil)
            return
        }
        if let control = event as? SessionControl, case .evict = control {
            closeReason = .evicted
            if case .dialogue = phase { say(notice(.evicted), context: context) }
            context.close(promise: nil)
            return
        }
        if event is IdleTimeoutHandler.Expired {
            switch phase {
            case .relaying, .joining:
                closeReason = .idleTimeout
            default:
                closeReason = .preauthIdleTimeout
                logger.log(.timeout, session: session.id.description, ["limit": "preauth-idle-timeout"])
            }
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .relaying:
            context.fireChannelRead(data)
        case .handshaking, .closed:
            break
        case .dialogue, .awaitingAuthd, .awaitingRelay, .joining:
            let buffer = unwrapInboundIn(data)
            let actions = buffer.withUnsafeReadableBytes { dialogue.receive($0) }
            perform(actions, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let tls = error as? TLSError {
            if case .unexpectedEOF = tls {
                // Many mail clients hang up without a close_notify; that is an ordinary close.
                context.close(promise: nil)
                return
            }
            if case .handshaking = phase {
                closeReason = .tlsFailed
                logger.log(.tlsFailed, session: session.id.description, ["error": LogValue(String(describing: tls))])
            } else {
                closeReason = .tlsError
            }
        } else if case .relaying = phase {
            closeReason = .clientError
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    // MARK: - The dialogue's actions

    private func perform(_ actions: [PreAuthAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let bytes):
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(buffer), promise: nil)
                wrote = true
            case .usernamePresented:
                dialogueStarted = true
                session.services.registry.update(session.id, proto: session.proto, to: .authenticating)
            case .authenticate(let credentials, let tag):
                if wrote { context.flush(); wrote = false }
                startLogin(credentials, tag: tag, context: context)
            case .close:
                if closeReason == .clientClosed { closeReason = .closedByDialogue }
                closeAfterFlush(context)
                return
            }
        }
        if wrote { context.flush() }
    }

    private func closeAfterFlush(_ context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    private func startLogin(_ credentials: LoginCredentials, tag: String, context: ChannelHandlerContext) {
        attempts &+= 1
        authdKnows = true
        let attempt = attempts
        phase = .awaitingAuthd(attempt: attempt, tag: tag, credentials: credentials)
        let request = AuthRequest(session: session.id, attempt: attempt, proto: session.proto,
                                  interface: session.interface, clientAddress: session.clientAddress,
                                  clientPort: session.clientPort, username: credentials.username,
                                  password: credentials.password, certificate: certificate)
        armLoginTimer(context: context)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        session.services.authd.authenticate(request) { decision in
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.authDecided(decision, attempt: attempt, context: context)
            }
        }
    }

    private func authDecided(_ decision: AuthDecision, attempt: UInt16, context: ChannelHandlerContext) {
        guard case .awaitingAuthd(let current, let tag, _) = phase, current == attempt else {
            // The session moved on (timed out or closed): hand the granted slot straight back,
            // or it stays taken until the listener restarts.
            if case .allow = decision { session.services.authd.handBack(session.id) }
            return
        }
        switch decision {
        case .deny(let denial):
            cancelLoginTimer()
            phase = .dialogue
            let outcome: LoginOutcome = denial == .temporary ? .temporaryFailure : .failure
            if denial == .final { closeReason = .tooManyFailures }
            perform(dialogue.loginFinished(outcome), context: context)
            if denial == .final { context.close(promise: nil) }
        case .allow(let grant):
            self.grant = grant
            handToRelay(grant, attempt: attempt, tag: tag, context: context)
        }
    }

    private func handToRelay(_ grant: Grant, attempt: UInt16, tag: String, context: ChannelHandlerContext) {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            logger.log(.relayFailed, session: session.id.description, ["reason": LogValue("socketpair: " + String(cString: strerror(errno)))])
            loginFailed(temporary: true, context: context)
            return
        }
        phase = .awaitingRelay(attempt: attempt, grant: grant, localEnd: pair[0])
        // Whether to log in upstream is authd's to decide, and its token covers it.
        let request = RelayRequest(session: session.id, proto: session.proto, vpnUser: grant.vpnUser,
                                   mailHost: grant.mailHost, mailPort: grant.mailPort, mailUser: grant.mailUser,
                                   mailPassword: grant.mailPassword, clientTag: tag, clientAddress: session.clientAddress,
                                   clientPort: session.clientPort, clientName: dialogue.clientName ?? "",
                                   authenticateUpstream: grant.authenticateUpstream,
                                   forwardClientAddress: session.settings.forwardClientAddress,
                                   token: TestHooks.grantToken(grant.token))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        relayIndex = session.services.relays.relay(request, descriptor: pair[1]) { result in
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.relayFinished(result, attempt: attempt, context: context)
            }
        }
        if let relayIndex {
            logger.log(.relayRequested, session: session.id.description, [
                "relay": .int(relayIndex), "host": LogValue(grant.mailHost), "port": .int(grant.mailPort),
            ])
        } else {
            logger.log(.relayFailed, session: session.id.description, ["reason": "no relay process is connected"])
            loginFailed(temporary: true, context: context)
        }
    }

    private func relayFinished(_ result: RelayResult, attempt: UInt16, context: ChannelHandlerContext) {
        guard case .awaitingRelay(let current, let grant, let localEnd) = phase, current == attempt else { return }
        cancelLoginTimer()
        guard result.success else {
            logger.log(.relayFailed, session: session.id.description, [
                "reason": LogValue(result.reason), "temporary": .bool(result.temporary),
            ])
            loginFailed(temporary: result.temporary, mailHostReply: result.mailHostReply, context: context)
            return
        }
        phase = .joining
        session.services.registry.update(session.id, proto: session.proto, to: .authenticated)
        session.services.authd.established(session: session.id, proto: session.proto, grant: grant,
                                           clientAddress: session.clientAddress)
        join(localEnd: localEnd, grant: grant, context: context)
    }

    /// Adopts the listener's end of the socketpair and glues it to the client's channel.
    private func join(localEnd: Int32, grant: Grant, context: ChannelHandlerContext) {
        let (clientSide, mailSide) = GlueHandler.matchedPair()
        glue = (clientSide, mailSide)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let delay = TestHooks.joinDelayMilliseconds
        guard delay == 0 else {
            context.eventLoop.scheduleTask(in: .milliseconds(delay)) {
                let (handler, context) = bound.value
                handler.adopt(localEnd: localEnd, clientSide: clientSide, mailSide: mailSide, grant: grant, context: context)
            }
            return
        }
        adopt(localEnd: localEnd, clientSide: clientSide, mailSide: mailSide, grant: grant, context: context)
    }

    private func adopt(localEnd: Int32, clientSide: GlueHandler, mailSide: GlueHandler, grant: Grant,
                       context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let adopted = ClientBootstrap(group: context.eventLoop)
            .channelOption(.autoRead, value: true)
            .channelOption(.recvAllocator, value: ListenerRole.receiveBuffers)
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(mailSide)
                }
            }
            .withConnectedSocket(localEnd)
        adopted.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let mailChannel):
                handler.joined(mailChannel, clientSide: clientSide, grant: grant, context: context)
            case .failure(let error):
                handler.logger.log(.relayFailed, session: handler.session.id.description, ["reason": LogValue("adopting the socketpair: \(error)")])
                handler.closeReason = .internalError
                context.close(promise: nil)
            }
        }
    }

    private func joined(_ mailChannel: Channel, clientSide: GlueHandler, grant: Grant, context: ChannelHandlerContext) {
        guard case .joining = phase, context.channel.isActive else {
            mailChannel.close(promise: nil)
            return
        }
        // What the client pipelined after its login, up to this moment (the dialogue held it
        // while the socketpair was adopted); from here on its bytes flow through the glue.
        let leftover = dialogue.takeLeftover()
        phase = .relaying
        preauthDeadline?.cancel()
        preauthDeadline = nil
        do {
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandler(clientSide, position: .after(self))
            let idle = try pipeline.handler(type: IdleTimeoutHandler.self)
            idle.setTimeout(grant.idleTimeout > 0 ? .milliseconds(Int64(grant.idleTimeout)) : nil)
        } catch {
            closeReason = .internalError
            mailChannel.close(promise: nil)
            context.close(promise: nil)
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        if grant.maxSessionTime > 0 {
            sessionTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(grant.maxSessionTime))) {
                let (handler, context) = loopBound.value
                handler.closeReason = .maxSessionTime
                context.close(promise: nil)
            }
        }
        if !leftover.isEmpty {
            var buffer = mailChannel.allocator.buffer(capacity: leftover.count)
            buffer.writeBytes(leftover)
            mailChannel.writeAndFlush(buffer, promise: nil)
        }
        logger.log(.relayEstablished, session: session.id.description, [
            "vpn-user": LogValue(grant.vpnUser), "mail-user": LogValue(grant.mailUser),
            "host": LogValue(grant.mailHost), "port": .int(grant.mailPort), "policy": LogValue(grant.groupPolicy),
            "relay": LogValue(relayIndex.map { String($0) }),
        ])
    }

    private func loginFailed(temporary: Bool, mailHostReply: String = "", context: ChannelHandlerContext,
                             releaseReason: GrantReleaseReason? = nil) {
        let releaseReason = releaseReason ?? (temporary ? .mailHostUnavailable : .mailHostRefused)
        cancelLoginTimer()
        if case .awaitingRelay(_, _, let localEnd) = phase { Glibc.close(localEnd) }
        releaseGrant(reason: releaseReason)
        phase = .dialogue
        // The mail host's own words win where the protocol passes them on (a locked maildrop's
        // `-ERR [IN-USE]` is temporary, but the client must read it).
        let outcome: LoginOutcome = !mailHostReply.isEmpty ? .refusedByMailHost(reply: mailHostReply)
            : temporary ? .temporaryFailure : .failure
        perform(dialogue.loginFinished(outcome), context: context)
    }

    private func releaseGrant(reason: GrantReleaseReason) {
        guard grant != nil else { return }
        grant = nil
        session.services.authd.released(GrantReleased(session: session.id, reason: reason))
    }

    private func armLoginTimer(context: ChannelHandlerContext) {
        loginTimer?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        loginTimer = context.eventLoop.scheduleTask(in: .milliseconds(session.limits.authenticationTimeout.milliseconds)) {
            let (handler, context) = bound.value
            handler.loginTimedOut(context: context)
        }
    }

    private func cancelLoginTimer() {
        loginTimer?.cancel()
        loginTimer = nil
    }

    private func loginTimedOut(context: ChannelHandlerContext) {
        loginTimer = nil
        switch phase {
        case .awaitingAuthd(let attempt, _, _):
            session.services.authd.abandon(session: session.id, attempt: attempt)
            logger.log(.timeout, session: session.id.description, ["limit": "authentication-timeout", "waiting-for": "authd"])
            loginFailed(temporary: true, context: context)
        case .awaitingRelay:
            session.services.relays.abandon(session: session.id)
            logger.log(.timeout, session: session.id.description, ["limit": "authentication-timeout", "waiting-for": "relay"])
            loginFailed(temporary: true, context: context, releaseReason: .sessionGone)
        default:
            break
        }
    }

    // MARK: - The end

    private func finish() {
        if case .closed = phase { return }
        if case .awaitingRelay(_, _, let localEnd) = phase { Glibc.close(localEnd) }
        if case .awaitingAuthd(let attempt, _, _) = phase {
            session.services.authd.abandon(session: session.id, attempt: attempt)
        }
        phase = .closed
        // The handle's closure holds this handler, and this handler holds the handle: break the
        // cycle, or every connection's handler, channel and buffers outlive it.
        session.handle.summarize = nil
        loginTimer?.cancel()
        sessionTimer?.cancel()
        preauthDeadline?.cancel()
        session.services.registry.remove(session.id, proto: session.proto)
        session.services.relays.sessionEnded(session.id)
        if closeReason == .clientClosed, Self.endsWithGoodbye(glue?.client.tail ?? []) {
            // Whoever closed first, a session whose client said goodbye ended at the user's request.
            closeReason = .clientLogout
        } else if glue?.mailHost.closedFirst == true, closeReason == .clientClosed {
            closeReason = .mailHostClosed
        }
        let bytesIn = glue?.client.bytesRead ?? 0
        let bytesOut = glue?.mailHost.bytesRead ?? 0
        let duration = (NIODeadline.now() - session.startedAt).nanoseconds / 1_000_000
        if authdKnows {
            grant = nil
            authdKnows = false
            session.services.authd.ended(SessionEnded(session: session.id, bytesIn: bytesIn, bytesOut: bytesOut,
                                                      reason: closeReason))
        }
        logger.log(.sessionClosed, session: session.id.description, [
            "reason": LogValue(closeReason.name), "bytes-in": .int(bytesIn), "bytes-out": .int(bytesOut),
            "duration-ms": .int(max(0, duration)),
        ])
    }

    /// Whether the client's last words were IMAP LOGOUT or POP3/SMTP QUIT.
    static func endsWithGoodbye(_ tail: [UInt8]) -> Bool {
        let text = String(decoding: tail, as: UTF8.self).uppercased()
        return text.hasSuffix("LOGOUT\r\n") || text.hasSuffix("QUIT\r\n") || text.hasSuffix("LOGOUT\n") || text.hasSuffix("QUIT\n")
    }

    /// What the client reads before a pre-auth session is closed on postern's side.
    private func notice(_ reason: SessionCloseReason) -> String {
        let text = reason == .evicted ? "Too many unauthenticated connections" : "Login took too long"
        switch session.proto {
        case .imap4s: return "* BYE \(text)\r\n"
        case .pop3s: return "-ERR [SYS/TEMP] \(text)\r\n"
        case .smtps: return reason == .evicted ? "421 4.7.0 \(text)\r\n" : "421 4.4.2 \(text)\r\n"
        }
    }
}
