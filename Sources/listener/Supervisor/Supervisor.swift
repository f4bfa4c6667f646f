import Dispatch
import Foundation
import PosternConfig
import PosternCore
import PosternIPC
import PosternSandbox
#if canImport(Glibc)
import Glibc
#endif

/// The root role (SPEC §1): reads the configuration and the TLS key, binds the ports, starts the
/// other roles, connects them with socketpairs, restarts them when they die, and stops them all
/// when it stops. It never reads a byte from a client or a mail host. All its state lives on the
/// main queue: children are forked from the main thread because PR_SET_PDEATHSIG fires when the
/// forking *thread* exits, and a dispatch worker thread may exit at any time.
final class Supervisor: @unchecked Sendable {
    private struct Child {
        var pid: pid_t
        var channel: IPCChannel
        var started: Double
    }

    private let queue = DispatchQueue.main
    private let logger = EventLogger(role: Role.supervisor.rawValue)
    private let configPath: String
    private let spawner: ChildSpawner
    private var configuration: PosternConfiguration
    private var generation: UInt32 = 1
    private var material: GenerationMaterial
    /// Signs grants (authd) and checks them (relays); one for the supervisor's life, so restarted
    /// roles still agree on the grants of live sessions.
    private let grantKey: GrantKey
    private var boundSockets: [ListeningEndpoint: Int32] = [:]
    private var children: [ChildSlot: Child] = [:]
    private var backoff: [ChildSlot: RestartBackoff] = [:]
    private var restartPending: Set<ChildSlot> = []
    private var stopping = false
    private var signalSources: [DispatchSourceSignal] = []
    private var admin: AdminServer?
    private struct PendingAdmin {
        var deadline: Double
        var sessions: [SessionSummary]
        var done: (AdminReply, [SessionSummary]) -> Void
        var unavailable: () -> Void
    }
    private var adminRequests: [UInt32: PendingAdmin] = [:]
    private struct PendingTables {
        var deadline: Double
        var waiting: Set<ChildSlot>
        var reports: [ChildSlot: StateTableCounts] = [:]
        var done: ([ChildSlot: StateTableCounts]) -> Void
    }
    private var tableRequests: [UInt32: PendingTables] = [:]
    /// Expires admin requests a child never answered; one timer for all of them, where a timer
    /// per request would keep every request's closure alive for its whole timeout.
    private var adminExpiry: DispatchSourceTimer?
    /// Links (the listener and a peer) whose channel closed while both roles ran, waiting to be
    /// paired again; and when each was last paired, so a link that keeps closing is paired at
    /// most once a second.
    private var linksDown: Set<ChildSlot> = []
    private var lastRepair: [ChildSlot: Double] = [:]
    private var nextAdminRequest: UInt32 = 1
    private var restarts: [ChildSlot: Int] = [:]
    private let startedAt = Supervisor.monotonic()
    private let relayCount: Int
    /// Fixed at start: every role of one run has the same.
    private let seccompMode: SeccompFilter.Mode
    /// Standard error is systemd's journal stream: each child gets a stream under its own identifier.
    private let journal: Bool

    struct StartupFailure: Error, CustomStringConvertible {
        var description: String
        var exitCode: Int32
    }

    init(configPath: String, configuration: PosternConfiguration) throws(StartupFailure) {
        self.configPath = configPath
        self.configuration = configuration
        let isRoot = geteuid() == 0
        var users: [Role: SystemUser]?
        if isRoot {
            var found: [Role: SystemUser] = [:]
            for role in RoleCharter.supervisor.peers {
                let name = RoleCharter.of(role).user
                guard let user = SystemUser.lookup(name) else {
                    throw StartupFailure(description: "the system user \(name) for the \(role.rawValue) role does not exist; "
                                         + "create it (the package's postinst does: useradd --system \(name))", exitCode: 1)
                }
                guard user.uid != 0 else {
                    throw StartupFailure(description: "the user \(name) for the \(role.rawValue) role must not be root", exitCode: 1)
                }
                found[role] = user
            }
            users = found
        }
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = ChildSpawner.helperDirectory(selfPath: selfPath, environment: ProcessInfo.processInfo.environment,
                                                    asRoot: geteuid() == 0)
        spawner = ChildSpawner(executableDirectory: directory, users: users, selfExecutable: selfPath)
        journal = JournalStream.standardErrorIsJournal()
        seccompMode = SeccompFilter.Mode(rawValue: configuration.process.seccomp.rawValue) ?? .kill
        relayCount = configuration.process.relayProcessCount(cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        do {
            material = try GenerationMaterial.read(configuration)
        } catch {
            throw StartupFailure(description: error.description, exitCode: 1)
        }
        guard let key = GrantKey.generate() else {
            throw StartupFailure(description: "no random bytes for the grant key (OpenSSL RAND_bytes failed)", exitCode: 1)
        }
        grantKey = key
        for role in [Role.authd, .relay] {
            let path = spawner.executablePath(for: role)
            guard access(path, X_OK) == 0 else {
                throw StartupFailure(description: "cannot execute \(path) for the \(role.rawValue) role", exitCode: 2)
            }
        }
        if users == nil {
            logger.log(.usersNotSwitched, ["user": LogValue(SystemUser.current().name),
                                           "reason": "not started as root: every role runs as this user"])
        }
    }

    /// Binds, starts every role, and never returns.
    func run() throws(StartupFailure) -> Never {
        // An admin client that hangs up early is an EPIPE, not the supervisor's end.
        signal(SIGPIPE, SIG_IGN)
        for endpoint in configuration.listeningEndpoints() {
            do {
                boundSockets[endpoint] = try SocketBinder.bind(address: endpoint.address, port: endpoint.port)
            } catch {
                throw StartupFailure(description: error.description, exitCode: 2)
            }
        }
        do {
            admin = try AdminServer(path: configuration.admin.socket, group: configuration.admin.group, logger: logger)
        } catch {
            throw StartupFailure(description: error.description, exitCode: 2)
        }
        if geteuid() == 0 {
            do {
                try Privileges.restrict(to: RoleCharter.supervisor.capabilities)
            } catch {
                throw StartupFailure(description: "cannot reduce the supervisor's capabilities: \(error)", exitCode: 2)
            }
        }
        do {
            try RolePolicies.confine(.supervisor, mode: seccompMode)
        } catch {
            throw StartupFailure(description: "cannot install the supervisor's seccomp filter: \(error)", exitCode: 2)
        }
        logger.log(.configLoaded, ["file": LogValue(configPath), "generation": .int(generation),
                                   "endpoints": .int(boundSockets.count), "seccomp": LogValue(seccompMode.rawValue)])
        warnAboutUnsignedRADIUS()
        installSignalHandlers()
        admin?.start(on: queue) { [unowned self] request, respond in
            handleAdmin(request, respond: respond)
        }
        queue.async {
            self.start(.authd)
            for i in 0..<self.relayCount { self.start(.relay(i)) }
            self.start(.listener)
        }
        dispatchMain()
    }

    // MARK: - Children

    private func start(_ slot: ChildSlot) {
        dispatchPrecondition(condition: .onQueue(queue))
        restartPending.remove(slot)
        guard !stopping else { return }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            logger.log(.childStartFailed, ["child": LogValue(slot.role.rawValue), "error": LogValue(String(cString: strerror(errno)))])
            scheduleRestart(slot, ranFor: 0)
            return
        }
        let stdio = journal ? JournalStream.open(identifier: slot.role.journalIdentifier) : nil
        defer { if let stdio { close(stdio) } }
        let pid: pid_t
        do {
            pid = try spawner.spawn(ChildArguments(role: slot.role, index: slot.index, seccomp: seccompMode),
                                    channel: pair[1], stdio: stdio)
        } catch {
            close(pair[0]); close(pair[1])
            logger.log(.childStartFailed, ["child": LogValue(slot.role.rawValue), "index": .int(slot.index),
                                           "error": LogValue(error.description)])
            scheduleRestart(slot, ranFor: 0)
            return
        }
        close(pair[1])
        let channel = IPCChannel(descriptor: pair[0], localRole: .supervisor, peer: slot.role, label: slot.description)
        children[slot] = Child(pid: pid, channel: channel, started: now())
        logger.log(.childStarted, ["child": LogValue(slot.role.rawValue), "index": .int(slot.index), "pid": .int(pid),
                                   "user": LogValue(spawner.users?[slot.role]?.name ?? SystemUser.current().name)])
        // Children speak to the supervisor only to answer (the listener admin queries, every child
        // table queries) and to report a lost channel; the charter lets nothing else through.
        channel.start(handling: slot.role == .listener ? [.channelLost, .tableReport, .adminReply] : [.channelLost, .tableReport],
                      onMessage: { [weak self] frame in
            switch frame.message {
            case .adminReply(let reply): DispatchQueue.main.async { self?.adminReplied(reply) }
            case .tableReport(let report): DispatchQueue.main.async { self?.tablesReported(report, by: slot) }
            case .channelLost(let peer): DispatchQueue.main.async { self?.channelLost(peer, reportedBy: slot) }
            default: break
            }
        }, onClose: { _ in })
        sendGeneration(to: slot, channel: channel)
        connectPeers(of: slot)
    }

    /// The material the charter names for the slot's role, its listening sockets if the charter
    /// lets it accept them, then `commit`.
    private func sendGeneration(to slot: ChildSlot, channel: IPCChannel) {
        let charter = RoleCharter.of(slot.role)
        for kind in charter.material {
            for (name, bytes) in pieces(of: kind) {
                for message in Material.chunks(bytes, generation: generation, kind: kind, name: name) {
                    channel.send(message)
                }
            }
        }
        if charter.accepts(.listenSocket, from: .supervisor) {
            for (endpoint, fd) in boundSockets {
                let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
                guard copy >= 0 else { continue }
                channel.send(.listenSocket(ListenSocket(generation: generation, interface: endpoint.interface,
                                                        proto: endpoint.mailProtocol, address: endpoint.address,
                                                        port: endpoint.port)), fd: copy)
            }
        }
        channel.send(.commit(generation: generation))
    }

    /// The pieces of one kind of material, by name.
    private func pieces(of kind: MaterialKind) -> [(String, [UInt8])] {
        switch kind {
        case .configuration: [("", material.configurationJSON)]
        case .tlsIdentity:
            [("certificate", material.certificate), ("private-key", material.privateKey)]
                + (material.clientCA.map { [("client-ca", $0)] } ?? []) + (material.crl.map { [("crl", $0)] } ?? [])
        case .upstreamTrust: material.upstreamTrust.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        case .secret: material.secrets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        case .grantKey: [("", grantKey.bytes)]
        }
    }

    /// Makes a fresh socketpair for every link of `slot` whose other end runs, and hands the ends over.
    private func connectPeers(of slot: ChildSlot) {
        for peer in RoleCharter.of(slot.role).peers {
            for other in slots(of: peer) {
                pair(slot, other)
            }
        }
    }

    /// The running places of `role`: one, or one per relay.
    private func slots(of role: Role) -> [ChildSlot] {
        role == .relay ? (0..<relayCount).map(ChildSlot.relay) : [ChildSlot(role: role, index: 0)]
    }

    /// A fresh socketpair between the listener and `other`, one end to each; false when either
    /// does not run.
    @discardableResult
    private func pair(_ one: ChildSlot, _ other: ChildSlot) -> Bool {
        guard let a = children[one], let b = children[other] else { return false }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            logger.log(.fatal, ["error": LogValue("socketpair: " + String(cString: strerror(errno)))])
            return false
        }
        a.channel.send(.peerChannel(PeerChannel(role: other.role, index: UInt16(other.index), pid: b.pid)), fd: pair[0])
        b.channel.send(.peerChannel(PeerChannel(role: one.role, index: UInt16(one.index), pid: a.pid)), fd: pair[1])
        return true
    }

    /// A role says its channel to a peer closed while it runs (the peer refused a record, or
    /// closed it): the two are paired again, so that one broken channel never leaves logins
    /// failing until a restart. A peer that died is paired when it restarts instead.
    private func channelLost(_ peer: PeerChannel, reportedBy slot: ChildSlot) {
        // A link is named by its end that is not the listener (every link has the listener at
        // one end: the charter gives the others no channel to each other).
        let claimed = ChildSlot(role: peer.role, index: Int(peer.index))
        let other = slot.role == .listener ? claimed : slot
        guard RoleCharter.of(slot.role).peers.contains(peer.role), slots(of: other.role).contains(other),
              other.role != .listener else {
            logger.log(.ipcViolation, ["peer": LogValue(slot.description), "record": "channel-lost",
                                       "error": LogValue("no link between \(slot.description) and \(peer.role.rawValue)")])
            return
        }
        guard !stopping, !linksDown.contains(other) else { return }
        linksDown.insert(other)
        let delay = max(0.1, 1 - (now() - (lastRepair[other] ?? 0)))
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.repair(other) }
    }

    private func repair(_ other: ChildSlot) {
        linksDown.remove(other)
        guard !stopping, children[.listener] != nil, children[other] != nil else { return }
        lastRepair[other] = now()
        if pair(.listener, other) {
            logger.log(.linkRepaired, ["a": "listener", "b": LogValue(other.description)])
        }
    }

    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let (slot, child) = children.first(where: { $0.value.pid == pid }) else { continue }
            children[slot] = nil
            child.channel.close()
            let ranFor = now() - child.started
            var fields: [(String, LogValue)] = [("child", LogValue(slot.role.rawValue)), ("index", .int(slot.index)),
                                                 ("pid", .int(pid)), ("ran-seconds", LogValue(String(format: "%.1f", ranFor)))]
            let exited = status & 0x7f == 0
            if exited {
                fields.append(("exit-status", .int((status >> 8) & 0xff)))
            } else {
                let signal = status & 0x7f
                fields.append(("signal", LogValue(signalName(signal))))
                if signal == SIGSYS { fields.append(("cause", "seccomp-violation")) }
            }
            logger.log(.childDied, fields: fields)
            if !exited && status & 0x7f == SIGSYS {
                // The kernel killed it for a call outside its policy; dmesg names the call.
                logger.log(.seccompViolation, ["child": LogValue(slot.role.rawValue), "index": .int(slot.index),
                                               "pid": .int(pid), "action": "killed"])
            }
            if !stopping { scheduleRestart(slot, ranFor: ranFor) }
        }
    }

    private func scheduleRestart(_ slot: ChildSlot, ranFor: Double) {
        guard !stopping, !restartPending.contains(slot) else { return }
        restarts[slot, default: 0] += 1
        let delay = backoff[slot, default: RestartBackoff()].delay(afterRunning: ranFor)
        restartPending.insert(slot)
        logger.log(.childRestartScheduled, ["child": LogValue(slot.role.rawValue), "index": .int(slot.index),
                                             "delay-seconds": LogValue(String(format: "%.2f", delay))])
        queue.asyncAfter(deadline: .now() + delay) { self.start(slot) }
    }

    // MARK: - Signals

    private func installSignalHandlers() {
        for sig in [SIGTERM, SIGINT, SIGHUP] { signal(sig, SIG_IGN) }
        let handlers: [(Int32, () -> Void)] = [
            (SIGCHLD, { [unowned self] in self.reap() }),
            (SIGTERM, { [unowned self] in self.shutdown(reason: "SIGTERM") }),
            (SIGINT, { [unowned self] in self.shutdown(reason: "SIGINT") }),
            (SIGHUP, { [unowned self] in self.reload() }),
        ]
        for (sig, handler) in handlers {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            signalSources.append(source)
        }
    }

    /// SIGHUP or `posternctl reload` (SPEC §2): the new file is checked whole first; a bad one is
    /// refused and the running configuration kept. A good one becomes the next generation: new or
    /// changed ports are bound, removed ones closed, and every role gets it for new sessions, while
    /// established sessions go on untouched.
    @discardableResult
    private func reload() -> Result<String, ReloadFailure> {
        dispatchPrecondition(condition: .onQueue(queue))
        func reject(_ reason: String) -> Result<String, ReloadFailure> {
            logger.log(.configRejected, ["file": LogValue(configPath), "error": LogValue(reason), "kept-generation": .int(generation)])
            return .failure(ReloadFailure(description: reason))
        }
        let next: PosternConfiguration
        do {
            next = try ConfigLoader.load(path: configPath)
        } catch {
            return reject(error.description)
        }
        let nextMaterial: GenerationMaterial
        do {
            nextMaterial = try GenerationMaterial.read(next)
        } catch {
            return reject(error.description)
        }
        if next.process.relayProcessCount(cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) != relayCount
            || next.process.seccomp != configuration.process.seccomp || next.admin != configuration.admin {
            logger.log(.configReloaded, ["note": "relay-processes, seccomp and [admin] take effect at the next restart"])
        }
        let wanted = Set(next.listeningEndpoints())
        var added: [ListeningEndpoint: Int32] = [:]
        for endpoint in wanted where boundSockets[endpoint] == nil {
            do {
                added[endpoint] = try SocketBinder.bind(address: endpoint.address, port: endpoint.port)
            } catch {
                for fd in added.values { close(fd) }
                return reject(error.description)
            }
        }
        let removed = boundSockets.keys.filter { !wanted.contains($0) }
        for endpoint in removed {
            close(boundSockets[endpoint]!)
            boundSockets[endpoint] = nil
        }
        boundSockets.merge(added) { old, _ in old }
        configuration = next
        material = nextMaterial
        generation += 1
        for (slot, child) in children {
            sendGeneration(to: slot, channel: child.channel)
        }
        logger.log(.configReloaded, ["file": LogValue(configPath), "generation": .int(generation),
                                     "endpoints": .int(boundSockets.count), "added": .int(added.count),
                                     "removed": .int(removed.count)])
        warnAboutUnsignedRADIUS()
        return .success("configuration generation \(generation) loaded from \(configPath)")
    }

    struct ReloadFailure: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: - Admin

    /// A RADIUS group that takes unsigned replies is a weakness the administrator chose: said
    /// at every load, so it is not forgotten (SPEC §2).
    private func warnAboutUnsignedRADIUS() {
        for group in configuration.serverGroups.values.sorted(by: { $0.name < $1.name })
        where group.aaaProtocol == .radius && !group.requireMessageAuthenticator {
            logger.log(.radiusUnsignedAccepted, [
                "group": LogValue(group.name), "generation": .int(generation),
                "note": "require-message-authenticator = false: replies without Message-Authenticator are accepted",
            ])
        }
    }

    private func handleAdmin(_ request: AdminRequest, respond: @escaping (AdminResponse) -> Void) {
        switch request.command {
        case .reload:
            switch reload() {
            case .success(let message): respond(AdminResponse(ok: true, message: message))
            case .failure(let failure): respond(.failure("configuration rejected, the running one is kept: \(failure.description)"))
            }
        case .status:
            askTables { [unowned self] tables in
                respond(AdminResponse(ok: true, status: statusReport(tables: tables)))
            }
        case .sessions:
            askListener(.sessions) { _, sessions in
                respond(AdminResponse(ok: true, sessions: sessions))
            } unavailable: {
                respond(.failure("the listener is not running"))
            }
        case .kill:
            guard let text = request.session, text.count == 16, let raw = UInt64(text, radix: 16) else {
                respond(.failure("kill needs a session id: 16 hex digits, as `posternctl sessions` shows"))
                return
            }
            askListener(.kill(SessionID(rawValue: raw))) { reply, _ in
                respond(reply.found ? AdminResponse(ok: true, message: "session \(text) is closing")
                                    : .failure("no session \(text)"))
            } unavailable: {
                respond(.failure("the listener is not running"))
            }
        }
    }

    private func askListener(_ kind: AdminQuery.Kind, done: @escaping (AdminReply, [SessionSummary]) -> Void,
                             unavailable: @escaping () -> Void) {
        guard let listener = children[.listener] else { return unavailable() }
        let request = nextAdminRequest
        nextAdminRequest &+= 1
        // A listener that dies or never answers must not leave the administrator waiting.
        adminRequests[request] = PendingAdmin(deadline: now() + 5, sessions: [], done: done, unavailable: unavailable)
        listener.channel.send(.adminQuery(AdminQuery(request: request, kind: kind)))
        armAdminExpiry()
    }

    private func armAdminExpiry() {
        guard adminExpiry == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { [weak self] in self?.expireAdminRequests() }
        adminExpiry = timer
        timer.resume()
    }

    private func expireAdminRequests() {
        let now = now()
        for (request, pending) in adminRequests where pending.deadline <= now {
            adminRequests[request] = nil
            pending.unavailable()
        }
        for (request, pending) in tableRequests where pending.deadline <= now {
            tableRequests[request] = nil
            pending.done(pending.reports)
        }
        if adminRequests.isEmpty && tableRequests.isEmpty {
            adminExpiry?.cancel()
            adminExpiry = nil
        }
    }

    /// Asks every running child for its table sizes; answers with what came within two seconds
    /// (a child that is restarting or stuck is reported without tables).
    private func askTables(done: @escaping ([ChildSlot: StateTableCounts]) -> Void) {
        let request = nextAdminRequest
        nextAdminRequest &+= 1
        tableRequests[request] = PendingTables(deadline: now() + 2, waiting: Set(children.keys), done: done)
        for child in children.values { child.channel.send(.tableQuery(request: request)) }
        if children.isEmpty { return finishTables(request) }
        armAdminExpiry()
    }

    private func tablesReported(_ report: TableReport, by slot: ChildSlot) {
        guard var pending = tableRequests[report.request], pending.waiting.remove(slot) != nil else { return }
        pending.reports[slot] = report.tables
        tableRequests[report.request] = pending
        if pending.waiting.isEmpty { finishTables(report.request) }
    }

    private func finishTables(_ request: UInt32) {
        guard let pending = tableRequests.removeValue(forKey: request) else { return }
        pending.done(pending.reports)
    }

    private func adminReplied(_ reply: AdminReply) {
        guard var pending = adminRequests[reply.request] else { return }
        pending.sessions += reply.sessions
        if reply.last {
            adminRequests[reply.request] = nil
            pending.done(reply, pending.sessions)
        } else {
            adminRequests[reply.request] = pending
        }
    }

    private func statusReport(tables: [ChildSlot: StateTableCounts]) -> StatusReport {
        let now = now()
        var slots: [ChildSlot] = [.listener, .authd] + (0..<relayCount).map { ChildSlot.relay($0) }
        slots.sort { ($0.role.rawValue, $0.index) < ($1.role.rawValue, $1.index) }
        let children = slots.map { slot in
            StatusReport.Child(role: slot.role.rawValue, index: slot.index, pid: self.children[slot]?.pid,
                               user: spawner.users?[slot.role]?.name ?? SystemUser.currentName,
                               uptimeSeconds: self.children[slot].map { now - $0.started },
                               restarts: restarts[slot] ?? 0, tables: tables[slot]?.byName)
        }
        let sessions = Int(tables[.listener]?.counts[.sessions] ?? 0)
        let endpoints = boundSockets.keys.sorted { ($0.port, $0.address) < ($1.port, $1.address) }.map {
            StatusReport.Endpoint(interface: $0.interface, proto: $0.mailProtocol.rawValue, address: $0.address, port: $0.port)
        }
        var report = StatusReport(version: PosternVersion.current, pid: getpid(), uptimeSeconds: now - startedAt,
                                  configFile: configPath, generation: generation, seccomp: seccompMode.rawValue,
                                  sessions: sessions, children: children, endpoints: endpoints)
        report.linksDown = linksDown.map { "listener-\($0.description)" }.sorted()
        return report
    }

    private func shutdown(reason: String) {
        guard !stopping else { return }
        stopping = true
        logger.log(.shutdown, ["reason": LogValue(reason)])
        // Told over their channels: the supervisor needs no CAP_KILL. authd has last words for
        // the accounting servers (at most two seconds); the others exit at once.
        for child in children.values { child.channel.send(.shutdown) }
        waitForChildren(until: now() + 5)
    }

    private func waitForChildren(until deadline: Double) {
        reap()
        if children.isEmpty || now() > deadline {
            // A child still running gets SIGKILL from the kernel as the supervisor exits
            // (PR_SET_PDEATHSIG, set in each child after its user switch).
            exit(0)
        }
        queue.asyncAfter(deadline: .now() + 0.05) { self.waitForChildren(until: deadline) }
    }

    private func now() -> Double { Self.monotonic() }

    private static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGSYS: "SIGSYS"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal-\(signal)"
        }
    }
}
