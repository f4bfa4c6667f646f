import CPostern
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
    /// What new sessions use; replaced whole when a new configuration generation arrives, while
    /// established sessions keep what they started with.
    struct Current: Sendable {
        var generation: UInt32
        var configuration: PosternConfiguration
        /// One context a protocol: each answers ALPN with its own id only and checks its
        /// `server-names` (SPEC §4), so a TLS session meant for one port is no use on another.
        var tls: [MailProtocol: TLSContext]
    }

    /// One listening socket: the same endpoint in a new generation keeps its server channel.
    struct EndpointKey: Hashable {
        var interface: String
        var proto: MailProtocol
        var address: String
        var port: UInt16
    }

    private let logger = EventLogger(role: Role.listener.rawValue)
    private let group: MultiThreadedEventLoopGroup
    private let services: ListenerServices
    private let lock = Lock()
    private var current: Current?
    private var servers: [EndpointKey: Channel] = [:]
    private let link: SupervisorLink

    init(threads: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let link = SupervisorLink(role: .listener, logger: logger)
        self.link = link
        let reportLost: @Sendable (PeerChannel) -> Void = { peer in link.send(.channelLost(peer)) }
        services = ListenerServices(logger: logger, authd: AuthdLink(logger: logger, reportLost: reportLost),
                                    relays: RelayPool(logger: logger, reportLost: reportLost), registry: SessionRegistry())
    }

    /// Call once confined (`RoleConfinement.enter`): the event loop threads start here.
    func run(user: String) -> Never {
        logger.log(.roleStarted, ["user": LogValue(user)])
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
        }, tables: { [services] report in
            let (sessions, outstanding) = services.registry.tableCounts
            let authd = services.authd.tableCounts
            let relays = services.relays.tableCounts
            report(StateTableCounts([
                .sessions: UInt64(sessions), .outstanding: UInt64(outstanding),
                .sessionsInMemory: UInt64(SessionHandle.live.current),
                .authdPending: UInt64(authd.pending), .authdEstablished: UInt64(authd.established),
                .relayPending: UInt64(relays.pending), .relayAssigned: UInt64(relays.assigned),
            ]))
        }, admin: { [self] query in
            answer(query)
        }))
        installTestHook()
        dispatchMain()
    }

    // MARK: - Generations

    private func apply(_ generation: SupervisorLink.Generation) {
        var tls: [MailProtocol: TLSContext] = [:]
        do {
            guard let certificate = generation.material.piece(generation: generation.number, kind: .tlsIdentity, name: "certificate"),
                  let key = generation.material.piece(generation: generation.number, kind: .tlsIdentity, name: "private-key") else {
                throw TLSError.certificateLoad("the supervisor sent no TLS identity")
            }
            let settings = generation.configuration.tls
            let clientCA = generation.material.piece(generation: generation.number, kind: .tlsIdentity, name: "client-ca")
            let crl = generation.material.piece(generation: generation.number, kind: .tlsIdentity, name: "crl")
            for (proto, protocolSettings) in generation.configuration.protocols where protocolSettings.isEnabled {
                // Only a protocol that lists `certificate` asks clients for one (SPEC §3).
                var clientCertificates: ClientCertificateTrust?
                if protocolSettings.authentication.contains(.certificate) {
                    guard let clientCA else { throw TLSError.certificateLoad("the supervisor sent no client-ca") }
                    clientCertificates = ClientCertificateTrust(certificateAuthoritiesPEM: clientCA, revocationListsPEM: crl,
                                                                depth: settings.verifyDepth)
                }
                tls[proto] = try TLSContext.server(certificateChainPEM: certificate, privateKeyPEM: key,
                                                   minimumVersion: settings.minVersion == .v1_3 ? .v1_3 : .v1_2,
                                                   ciphers: settings.ciphers,
                                                   applicationProtocol: proto.applicationProtocolID,
                                                   serverNames: protocolSettings.serverNames,
                                                   clientCertificates: clientCertificates)
            }
        } catch {
            for (_, fd) in generation.listenSockets { close(fd) }
            if lock.withLock({ current == nil }) {
                logger.log(.fatal, ["error": LogValue("TLS: \(error)")])
                exit(2)
            }
            // The supervisor checked the files; keep serving what we have.
            logger.log(.configRejected, ["generation": .int(generation.number), "error": LogValue("TLS: \(error)")])
            return
        }
        let kept: [EndpointKey: Channel] = lock.withLock {
            current = Current(generation: generation.number, configuration: generation.configuration, tls: tls)
            return servers
        }
        var wanted: Set<EndpointKey> = []
        var futures: [EventLoopFuture<(EndpointKey, Channel)>] = []
        for (info, fd) in generation.listenSockets {
            let key = EndpointKey(interface: info.interface, proto: info.proto, address: info.address, port: info.port)
            wanted.insert(key)
            if kept[key] != nil {
                close(fd)
                continue
            }
            futures.append(serve(fd: fd, info: info).map { (key, $0) })
        }
        // Sockets no longer configured stop accepting; sessions accepted on them go on.
        let retired = lock.withLock {
            let gone = servers.filter { !wanted.contains($0.key) }
            for key in gone.keys { servers[key] = nil }
            return gone
        }
        for (_, channel) in retired { channel.close(promise: nil) }
        let logger = self.logger
        EventLoopFuture.whenAllComplete(futures, on: group.next()).whenComplete { [self] result in
            guard case .success(let results) = result else { return }
            var added = 0
            for r in results {
                switch r {
                case .success(let (key, channel)):
                    lock.withLock { servers[key] = channel }
                    added += 1
                case .failure(let error):
                    logger.log(.fatal, ["error": LogValue("cannot serve a listening socket: \(error)")])
                    exit(2)
                }
            }
            logger.log(.listenerReady, ["generation": .int(generation.number), "sockets": .int(lock.withLock { servers.count }),
                                        "added": .int(added), "retired": .int(retired.count)])
        }
    }

    /// NIO keeps a channel's receive buffers for the next reads, for as long as the channel
    /// lives: an idle session holds them in each of its two channels (SPEC §9). Starting small
    /// keeps them to what the session's traffic needed (bulk still doubles them), and one read
    /// per wake-up (`maxMessagesPerRead` 1) keeps one buffer, not four. make bench: PSS per idle
    /// session 27.2 -> 23.8 KiB, CPU per GiB unchanged.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)

    private func serve(fd: Int32, info: ListenSocket) -> EventLoopFuture<Channel> {
        let services = self.services
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.recvAllocator, value: ListenerRole.receiveBuffers)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let now = lock.withLock({ current }), let settings = now.configuration.protocols[info.proto],
                          let tls = now.tls[info.proto] else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    try accept(channel, info: info, settings: settings, limits: now.configuration.limits, tls: tls,
                               services: services)
                }
            }
            .withBoundSocket(fd)
    }

    private func accept(_ channel: Channel, info: ListenSocket, settings: ProtocolSettings, limits: LimitSettings,
                        tls: TLSContext, services: ListenerServices) throws {
        let remote = channel.remoteAddress
        let id = SessionID.random()
        let handle = SessionHandle(id: id, channel: channel)
        let session = SessionContext(
            id: id, handle: handle, proto: info.proto, interface: info.interface,
            clientAddress: remote?.ipAddress ?? "unknown", clientPort: UInt16(clamping: remote?.port ?? 0),
            startedAt: .now(), settings: settings, limits: limits, services: services)
        services.logger.log(.connectionAccepted, session: id.description, [
            "client": LogValue(session.clientAddress), "client-port": .int(session.clientPort),
            "interface": LogValue(info.interface), "protocol": LogValue(info.proto.rawValue),
            "local-port": .int(info.port),
        ])
        for victim in services.registry.admit(handle, proto: info.proto, address: session.clientAddress,
                                              limit: settings.outstanding, perAddress: settings.outstandingPerAddress) {
            services.logger.log(.outstandingEvicted, session: victim.id.description, [
                "protocol": LogValue(info.proto.rawValue), "limit": .int(settings.outstanding),
                "per-address": .int(settings.outstandingPerAddress), "for-session": LogValue(id.description),
            ])
            victim.channel.pipeline.fireUserInboundEventTriggered(SessionControl.evict)
        }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(OpenSSLHandler(serverContext: tls,
                                               handshakeTimeout: .milliseconds(limits.handshakeTimeout.milliseconds)))
        try pipeline.addHandler(IdleTimeoutHandler(timeout: .milliseconds(limits.preauthIdleTimeout.milliseconds)))
        try pipeline.addHandler(Self.frontend(for: session, limits: limits))
    }

    private static func frontend(for session: SessionContext, limits: LimitSettings) -> ChannelHandler {
        switch session.proto {
        case .imap4s:
            let imapLimits = IMAPLimits(maxLineLength: limits.maxLineLength, maxLiteralSize: limits.maxLiteralSize,
                                        maxFailedAttempts: limits.maxFailedAttempts)
            return PreAuthFrontend(session: session, dialogue: IMAPPreAuthMachine(limits: imapLimits))
        case .pop3s:
            let pop3Limits = POP3Limits(maxLineLength: limits.maxLineLength, maxFailedAttempts: limits.maxFailedAttempts)
            return PreAuthFrontend(session: session, dialogue: POP3PreAuthMachine(limits: pop3Limits))
        case .smtps:
            let smtpLimits = SMTPLimits(maxLineLength: limits.maxLineLength, maxFailedAttempts: limits.maxFailedAttempts)
            return PreAuthFrontend(session: session, dialogue: SMTPPreAuthMachine(limits: smtpLimits,
                                                                                  extensions: session.settings.advertise))
        }
    }

    /// Debug builds with POSTERN_TEST_HOOKS=1: SIGUSR1 closes the channel to authd, as a record
    /// authd refused would, so a test can watch the supervisor pair the two again. (A signal
    /// handler and a poll on an event loop: a dispatch signal source would need signalfd4, which
    /// the listener's filter does not allow.)
    private func installTestHook() {
        #if DEBUG
        guard let flag = getenv("POSTERN_TEST_HOOKS"), String(cString: flag) == "1" else { return }
        guard postern_install_test_usr1_flag() == 0 else { return }
        group.next().scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [services] _ in
            if postern_take_test_usr1_flag() != 0 { services.authd.closeChannelForTest() }
        }
        #endif
    }

    // MARK: - Admin queries

    private func answer(_ query: AdminQuery) {
        let link = self.link
        switch query.kind {
        case .kill(let id):
            let handle = services.registry.handle(id)
            handle?.channel.pipeline.fireUserInboundEventTriggered(SessionControl.adminReset)
            link.send(.adminReply(AdminReply(request: query.request, last: true, found: handle != nil, sessions: [])))
        case .sessions:
            services.registry.summaries(on: group.next()).whenComplete { result in
                let all = (try? result.get()) ?? []
                for reply in AdminReply.split(request: query.request, found: true, sessions: all) {
                    link.send(.adminReply(reply))
                }
            }
        }
    }
}
