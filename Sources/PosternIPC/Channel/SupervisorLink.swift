import Foundation
import PosternConfig
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// A role's end of its channel to the supervisor, at descriptor 3. It gathers each generation's
/// material and hands it over whole on `commit`. Losing the supervisor ends the role: with no
/// supervisor there is nobody to restart or reconfigure it, so it fails closed.
public final class SupervisorLink: @unchecked Sendable {
    public struct Generation: Sendable {
        public var number: UInt32
        public var configuration: PosternConfiguration
        public var material: MaterialAssembler
        public var listenSockets: [(ListenSocket, Int32)]
    }

    public struct Handlers: Sendable {
        public var commit: @Sendable (Generation) -> Void
        public var peer: @Sendable (PeerChannel, Int32) -> Void
        /// Only the listener answers admin queries; for the others one is a violation.
        public var admin: (@Sendable (AdminQuery) -> Void)?
        /// A role with last words (authd's Accounting-Off); without it, shutdown means exit now.
        public var shutdown: (@Sendable () -> Void)?
        /// Counts the role's per-session tables, wherever that state lives, and hands them on.
        public var tables: @Sendable (@escaping @Sendable (StateTableCounts) -> Void) -> Void
        public init(commit: @escaping @Sendable (Generation) -> Void, peer: @escaping @Sendable (PeerChannel, Int32) -> Void,
                    tables: @escaping @Sendable (@escaping @Sendable (StateTableCounts) -> Void) -> Void,
                    admin: (@Sendable (AdminQuery) -> Void)? = nil, shutdown: (@Sendable () -> Void)? = nil) {
            self.commit = commit
            self.peer = peer
            self.tables = tables
            self.admin = admin
            self.shutdown = shutdown
        }
    }

    private let channel: IPCChannel
    private let logger: EventLogger

    /// For the listener's answers to admin queries.
    public func send(_ message: IPCMessage) {
        channel.send(message)
    }
    private var assembler = MaterialAssembler()
    private var sockets: [UInt32: [(ListenSocket, Int32)]] = [:]

    private let role: Role

    public init(role: Role, logger: EventLogger) {
        self.role = role
        self.channel = IPCChannel(descriptor: WellKnownDescriptor.supervisorChannel, localRole: role, peer: .supervisor)
        self.logger = logger
    }

    public func start(_ handlers: Handlers) {
        let logger = self.logger
        channel.start(handling: Self.handled(by: role, handlers), onMessage: { [self] frame in
            // Runs on the channel's queue: the only place this state is touched.
            do {
                try handle(frame, handlers)
            } catch {
                logger.log(.ipcViolation, ["peer": "supervisor", "error": LogValue("\(error)")])
                exit(2)
            }
        }, onClose: { reason in
            logger.log(.peerLost, ["peer": "supervisor", "reason": LogValue(reason.description)])
            exit(0)
        })
    }

    /// What `handle` acts on for `role` with these handlers.
    static func handled(by role: Role, _ handlers: Handlers) -> Set<RecordKind> {
        // Every role stops on `shutdown` (with its handler, or at once): the supervisor never
        // signals its children.
        var kinds: Set<RecordKind> = [.material, .peerChannel, .commit, .tableQuery, .shutdown]
        if role == .listener { kinds.insert(.listenSocket) }
        if handlers.admin != nil { kinds.insert(.adminQuery) }
        return kinds
    }

    private func handle(_ frame: IPCFrame, _ handlers: Handlers) throws(IPCError) {
        switch frame.message {
        case .material(let chunk):
            _ = try assembler.add(chunk)
        case .listenSocket(let info):
            guard let fd = frame.descriptor else { throw .descriptorMismatch("listen-socket without descriptor") }
            sockets[info.generation, default: []].append((info, fd))
        case .peerChannel(let info):
            guard let fd = frame.descriptor else { throw .descriptorMismatch("peer-channel without descriptor") }
            handlers.peer(info, fd)
        case .commit(let number):
            guard let json = assembler.piece(generation: number, kind: .configuration) else {
                throw .unexpected("commit of generation \(number) without its configuration")
            }
            let configuration: PosternConfiguration
            do {
                configuration = try JSONDecoder().decode(PosternConfiguration.self, from: Data(json))
            } catch {
                throw .malformed("configuration of generation \(number): \(error)")
            }
            let generation = Generation(number: number, configuration: configuration, material: assembler,
                                        listenSockets: sockets.removeValue(forKey: number) ?? [])
            assembler.discard(before: number + 1)
            for (old, list) in sockets where old < number {
                for (_, fd) in list { close(fd) }
                sockets[old] = nil
            }
            handlers.commit(generation)
        case .shutdown:
            guard let shutdown = handlers.shutdown else { exit(0) }
            shutdown()
        case .tableQuery(let request):
            let channel = self.channel
            handlers.tables { counts in
                channel.send(.tableReport(TableReport(request: request, tables: counts)))
            }
        case .adminQuery(let query):
            handlers.admin?(query)
        default:
            // The charter lets nothing else through.
            break
        }
    }
}

extension SupervisorLink {
    /// A role's channel is a Unix SOCK_SEQPACKET socket at descriptor 3; without one the process
    /// was not started by the supervisor, and refuses to run.
    public static var isStartedBySupervisor: Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(WellKnownDescriptor.supervisorChannel, SOL_SOCKET, SO_TYPE, &type, &length) == 0
            && type == Int32(SOCK_SEQPACKET.rawValue)
    }
}
