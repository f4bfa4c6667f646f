import Dispatch
import NIOCore
import NIOPosix
import PosternConfig
import PosternCore
import PosternIO
import PosternIPC
import PosternSandbox
import PosternTLS
#if canImport(Glibc)
import Glibc
#endif

/// A relay process (SPEC §1): takes logins handed over by the listener, connects to the mail host
/// (only one the configuration names), logs in with the user's mail credentials, reports the result,
/// and then moves bytes. It holds neither the TLS key nor any AAA secret.
final class RelayDaemon: @unchecked Sendable {
    private let logger = EventLogger(role: Role.relay.rawValue)
    private let index: Int
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let connectQueue = DispatchQueue(label: "postern.relay.connect", attributes: .concurrent)
    /// Where every splice pump of this relay runs: one thread, one wake-up per readiness event.
    private let pumpLoop: EpollLoop
    private let pipes = PipePool()
    private let sessions = RelaySessions()
    private let lock = Lock()
    private var configuration: PosternConfiguration?
    private var trust: [MailProtocol: TLSContext] = [:]
    /// Checks grant tokens; from the supervisor.
    private var grantKey: GrantKey?
    private var listener: IPCChannel?

    private let user: String
    private let link: SupervisorLink

    init(index: Int, user: String) {
        self.index = index
        self.user = user
        link = SupervisorLink(role: .relay, logger: logger)
        do {
            pumpLoop = try EpollLoop(name: "relay-pump")
        } catch {
            EventLogger(role: Role.relay.rawValue).log(.fatal, ["error": LogValue("cannot start the pump thread: \(error)")])
            exit(2)
        }
    }

    func run() -> Never {
        logger.log(.roleStarted, ["index": .int(index), "user": LogValue(user)])
        link.start(.init(commit: { [self] generation in
            apply(generation)
        }, peer: { [self] info, fd in
            guard info.role == .listener else {
                close(fd)
                return
            }
            attachListener(fd)
        }, tables: { [sessions, pipes] report in
            report(StateTableCounts([.relaySessions: UInt64(sessions.count), .pipesLent: UInt64(pipes.lent)]))
        }))
        dispatchMain()
    }

    private func apply(_ generation: SupervisorLink.Generation) {
        var contexts: [MailProtocol: TLSContext] = [:]
        for (proto, settings) in generation.configuration.protocols where settings.upstreamTLS != .none {
            let roots = generation.material.piece(generation: generation.number, kind: .upstreamTrust, name: proto.rawValue)
            do {
                contexts[proto] = try TLSContext.client(trustRootsPEM: roots)
            } catch {
                logger.log(.fatal, ["error": LogValue("upstream TLS for \(proto.rawValue): \(error)")])
                exit(2)
            }
        }
        let key = generation.material.piece(generation: generation.number, kind: .grantKey).flatMap(GrantKey.init)
        lock.withLock {
            configuration = generation.configuration
            trust = contexts
            grantKey = key
        }
    }

    private func attachListener(_ fd: Int32) {
        let channel = IPCChannel(descriptor: fd, localRole: .relay, peer: .listener)
        let old: IPCChannel? = lock.withLock {
            let old = listener
            listener = channel
            return old
        }
        old?.close()
        channel.start(handling: [.relayRequest], onMessage: { [self] frame in
            received(frame, on: channel)
        }, onClose: { [self] reason in
            logger.log(.peerLost, ["peer": "listener", "reason": LogValue(reason.description)])
            // Closed while this role lives, and not replaced: the supervisor pairs us again.
            if lock.withLock({ listener === channel }) {
                link.send(.channelLost(PeerChannel(role: .listener, index: 0)))
            }
        })
        logger.log(.peerConnected, ["peer": "listener"])
    }

    private func received(_ frame: IPCFrame, on channel: IPCChannel) {
        // The charter lets only relay requests, each with its descriptor, through from the listener.
        guard case .relayRequest(let request) = frame.message, let fd = frame.descriptor else { return }
        let (configuration, tls, key) = lock.withLock { (self.configuration, self.trust[request.proto], grantKey) }
        // Grants come only from authd (SPEC §1): a request whose token authd did not sign is a
        // compromised listener's, and no login, upstream or not, is made for it.
        guard GrantToken.verify(request.token, request.claims, key: key) else {
            close(fd)
            logger.log(.grantRefused, session: request.session.description, [
                "peer": "listener", "vpn-user": LogValue(request.vpnUser), "host": LogValue(request.mailHost),
                "reason": LogValue(request.token.isEmpty ? "no grant token" : "grant token does not verify"),
            ])
            channel.send(.relayResult(RelayResult(session: request.session, success: false, temporary: false,
                                                  reason: "grant refused")))
            return
        }
        guard let configuration, let settings = configuration.protocols[request.proto] else {
            close(fd)
            channel.send(.relayResult(RelayResult(session: request.session, success: false, temporary: true,
                                                  reason: "relay has no configuration for \(request.proto.rawValue)")))
            return
        }
        // Defence in depth: authd chose the host, but the relay connects only where the
        // configuration allows, whatever a compromised listener asks.
        let target = MailHost(host: request.mailHost, port: request.mailPort)
        guard settings.server == target || settings.allowedServers.contains(target) else {
            close(fd)
            logger.log(.ipcViolation, session: request.session.description, [
                "peer": "listener", "error": LogValue("relay request for \(target), which the configuration does not allow"),
            ])
            channel.send(.relayResult(RelayResult(session: request.session, success: false, temporary: false,
                                                  reason: "mail host not allowed")))
            return
        }
        let session = UpstreamSession(
            request: request, downstream: fd, mode: settings.upstreamTLS, tls: tls,
            loginTimeout: .milliseconds(configuration.limits.authenticationTimeout.milliseconds),
            services: .init(eventLoop: group.next(), connectQueue: connectQueue, pumpLoop: pumpLoop, pipes: pipes,
                            sessions: sessions, logger: logger))
        session.start { result in
            if !channel.send(.relayResult(result)) {
                // A mail host's refusal too long for a record: the outcome still goes back, with
                // 512 bytes of the reason (bytes: one character may be any number of them).
                channel.send(.relayResult(RelayResult.shortened(result)))
            }
        }
    }
}
