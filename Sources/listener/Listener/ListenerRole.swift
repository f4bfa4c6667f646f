import Dispatch
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

/// The unprivileged role that faces clients (SPEC §1): it accepts on sockets the supervisor bound,
/// terminates TLS with the key the supervisor handed it, and speaks each protocol's dialogue up to
/// the login. It opens no files and no outbound connections.
final class ListenerRole: @unchecked Sendable {
    private let logger = EventLogger(role: Role.listener.rawValue)
    private let group: MultiThreadedEventLoopGroup
    private let services: ListenerServices
    private let lock = Lock()
    private var servers: [Channel] = []

    init(threads: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        services = ListenerServices(logger: logger, authd: AuthdLink(logger: logger), relays: RelayPool(logger: logger),
                                    registry: SessionRegistry())
    }

    /// Call once confined (`RoleConfinement.enter`): the event loop threads start here.
    func run(user: String) -> Never {
        logger.log(.roleStarted, ["user": LogValue(user)])
        let link = SupervisorLink(role: .listener, logger: logger)
        link.start(.init(commit: { [self] generation in
            apply(generation)
        }, peer: { [self] info, fd in
            switch info.role {
            case .authd: services.authd.attach(descriptor: fd)
            case .relay: services.relays.attach(index: info.index, descriptor: fd)
            default:
                close(fd)
                logger.log(.ipcViolation, ["peer": "supervisor", "record": LogValue("peer-channel for \(info.role.rawValue)")])
            }
        }))
        dispatchMain()
    }

    private func apply(_ generation: SupervisorLink.Generation) {
        let tls: TLSContext
        do {
            guard let certificate = generation.material.piece(generation: generation.number, kind: .tlsIdentity, name: "certificate"),
                  let key = generation.material.piece(generation: generation.number, kind: .tlsIdentity, name: "private-key") else {
                throw TLSError.certificateLoad("the supervisor sent no TLS identity")
            }
            let settings = generation.configuration.tls
            tls = try TLSContext.server(certificateChainPEM: certificate, privateKeyPEM: key,
                                        minimumVersion: settings.minVersion == .v1_3 ? .v1_3 : .v1_2,
                                        ciphers: settings.ciphers)
        } catch {
            logger.log(.fatal, ["error": LogValue("TLS: \(error)")])
            exit(2)
        }
        let configuration = generation.configuration
        var futures: [EventLoopFuture<Channel>] = []
        for (info, fd) in generation.listenSockets {
            guard let settings = configuration.protocols[info.proto] else {
                close(fd)
                continue
            }
            futures.append(serve(fd: fd, info: info, settings: settings, limits: configuration.limits, tls: tls))
        }
        let logger = self.logger
        EventLoopFuture.whenAllComplete(futures, on: group.next()).whenComplete { [self] result in
            guard case .success(let results) = result else { return }
            var bound: [Channel] = []
            for r in results {
                switch r {
                case .success(let channel): bound.append(channel)
                case .failure(let error):
                    logger.log(.fatal, ["error": LogValue("cannot serve a listening socket: \(error)")])
                    exit(2)
                }
            }
            lock.withLock { servers += bound }
            logger.log(.listenerReady, ["generation": .int(generation.number), "sockets": .int(bound.count)])
        }
    }

    private func serve(fd: Int32, info: ListenSocket, settings: ProtocolSettings, limits: LimitSettings,
                       tls: TLSContext) -> EventLoopFuture<Channel> {
        let services = self.services
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let remote = channel.remoteAddress
                    let session = SessionContext(
                        id: SessionID.random(), proto: info.proto, interface: info.interface,
                        clientAddress: remote?.ipAddress ?? "unknown", clientPort: UInt16(clamping: remote?.port ?? 0),
                        startedAt: .now(), settings: settings, limits: limits, services: services)
                    services.logger.log(.connectionAccepted, session: session.id.description, [
                        "client": LogValue(session.clientAddress), "client-port": .int(session.clientPort),
                        "interface": LogValue(info.interface), "protocol": LogValue(info.proto.rawValue),
                        "local-port": .int(info.port),
                    ])
                    for (victim, victimChannel) in services.registry.admit(session.id, proto: info.proto,
                                                                           limit: settings.outstanding, channel: channel) {
                        services.logger.log(.outstandingEvicted, session: victim.description, [
                            "protocol": LogValue(info.proto.rawValue), "limit": .int(settings.outstanding),
                            "for-session": LogValue(session.id.description),
                        ])
                        victimChannel.pipeline.fireUserInboundEventTriggered(SessionControl.evict)
                    }
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(OpenSSLHandler(serverContext: tls,
                                                           handshakeTimeout: .milliseconds(limits.handshakeTimeout.milliseconds)))
                    try pipeline.addHandler(IdleTimeoutHandler(timeout: .milliseconds(limits.preauthIdleTimeout.milliseconds)))
                    try pipeline.addHandler(Self.frontend(for: session, limits: limits))
                }
            }
            .withBoundSocket(fd)
    }

    private static func frontend(for session: SessionContext, limits: LimitSettings) -> ChannelHandler {
        switch session.proto {
        case .imap4s, .pop3s, .smtps:
            // POP3S and SMTPS dialogues arrive with their own issue; until then only IMAP4S can be enabled.
            let imapLimits = IMAPLimits(maxLineLength: limits.maxLineLength, maxLiteralSize: limits.maxLiteralSize,
                                        maxFailedAttempts: limits.maxFailedAttempts)
            return PreAuthFrontend(session: session, dialogue: IMAPPreAuthMachine(limits: imapLimits))
        }
    }
}
