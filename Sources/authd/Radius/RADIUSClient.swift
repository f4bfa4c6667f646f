import Dispatch
import PosternConfig
import PosternCore
import PosternRADIUS
#if canImport(Glibc)
import Glibc
#endif

/// Talks to RADIUS server groups (SPEC §3, RFC 2865/2866/3579): one exchange is a request
/// to the group's live servers in order, with timeout, retries and dead-time, and a verified
/// reply. Authentication (PAP with Message-Authenticator) and accounting share it. A server held
/// down is probed with Status-Server (RFC 5997) every `timeout` and used again as soon as it
/// answers one. Everything runs on authd's queue, and no call blocks it. Confined to authd's queue.
final class RADIUSClient: @unchecked Sendable {
    enum Outcome {
        case accepted(RADIUSAccessReply, server: String)
        case rejected(server: String)
        /// An Accounting-Response.
        case acknowledged(server: String)
        /// No server could be asked or none answered: a temporary failure, not a wrong password.
        case unavailable(String)
    }

    enum Port {
        case authentication
        case accounting
    }

    /// Builds the request for one server: its identifier, its secret, our address towards it.
    typealias Builder = (UInt8, [UInt8], String?) throws(RADIUSError) -> RADIUSRequest

    private struct Pending {
        var transaction = RADIUSTransaction()
        var groupName: String
        var endpoints: [RADIUSEndpoint]
        var secrets: [[UInt8]]
        /// The group's `require-message-authenticator`.
        var requireMessageAuthenticator: Bool
        var build: Builder
        /// The request sent to the current server, kept for retransmission (on the same socket,
        /// with the same identifier) and for verifying.
        var request: (server: Int, socket: RADIUSEndpoint.SocketID, identifier: UInt8, request: RADIUSRequest)?
        var completion: (Outcome) -> Void
    }

    private let queue: DispatchQueue
    private let logger: EventLogger
    private let origin = ContinuousClock.now
    private var groups: [String: ServerGroupState] = [:]
    private var endpoints: [String: RADIUSEndpoint] = [:]
    private var pending: [Int: Pending] = [:]
    private var nextTransaction = 0
    /// Per group state key: the servers' endpoints and secrets as the last exchange had them,
    /// which is what a probe is sent with.
    private var targets: [String: (endpoints: [RADIUSEndpoint], secrets: [[UInt8]])] = [:]
    /// Status-Server probes waiting for an answer, by the same numbering as transactions (an
    /// identifier's owner on an endpoint is either).
    private var probes: [Int: Probe] = [:]
    /// Group state keys with a probe timer set.
    private var probeTimers: Set<String> = []

    private struct Probe {
        var stateKey: String
        var server: AAAServer
        var endpoint: RADIUSEndpoint
        var socket: RADIUSEndpoint.SocketID
        var request: RADIUSRequest
        var secret: [UInt8]
    }

    init(queue: DispatchQueue, logger: EventLogger) {
        self.queue = queue
        self.logger = logger
    }

    private var now: Duration { ContinuousClock.now - origin }

    /// PAP for `user`, as SPEC §3 and the AAA issue ask: NAS-Identifier, the NAS address,
    /// Service-Type, NAS-Port-Type Virtual, Calling-Station-Id (the client's address).
    func authenticate(group: ServerGroup, servers: [RadiusServer], secrets: [String: [UInt8]], user: String,
                      password: String, clientAddress: String, session: SessionID,
                      completion: @escaping (Outcome) -> Void) {
        let attributes: [RADIUSAttribute] = [
            .string(.nasIdentifier, "postern"),
            .integer(.serviceType, RADIUSValues.serviceTypeLogin),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
            .string(.callingStationId, clientAddress),
            .string(.acctSessionId, session.description),
        ]
        let passwordBytes = Array(password.utf8)
        exchange(group: group, servers: servers, secrets: secrets, port: .authentication, completion: completion) {
            (identifier: UInt8, secret: [UInt8], nas: String?) throws(RADIUSError) -> RADIUSRequest in
            try RADIUSRequestBuilder.accessRequest(identifier: identifier, userName: user, password: passwordBytes,
                                                   attributes: Self.withNAS(nas, attributes), secret: secret)
        }
    }

    /// An Accounting-Request with `attributes` (RFC 2866), plus NAS-Identifier and the NAS address.
    func account(group: ServerGroup, servers: [RadiusServer], secrets: [String: [UInt8]], attributes: [RADIUSAttribute],
                 completion: @escaping (Outcome) -> Void) {
        let all = [RADIUSAttribute.string(.nasIdentifier, "postern")] + attributes
        exchange(group: group, servers: servers, secrets: secrets, port: .accounting, completion: completion) {
            (identifier: UInt8, secret: [UInt8], nas: String?) throws(RADIUSError) -> RADIUSRequest in
            try RADIUSRequestBuilder.accountingRequest(identifier: identifier, attributes: Self.withNAS(nas, all), secret: secret)
        }
    }

    private static func withNAS(_ nas: String?, _ attributes: [RADIUSAttribute]) -> [RADIUSAttribute] {
        guard let nas, let attribute = RADIUSAttribute.nasAddress(nas) else { return attributes }
        return [attribute] + attributes
    }

    private func exchange(group: ServerGroup, servers: [RadiusServer], secrets: [String: [UInt8]], port: Port,
                          completion: @escaping (Outcome) -> Void, build: @escaping Builder) {
        dispatchPrecondition(condition: .onQueue(queue))
        var resolved: [RADIUSEndpoint] = []
        var keys: [[UInt8]] = []
        for server in servers {
            guard let secret = secrets[server.secretFile] else {
                return completion(.unavailable("no shared secret for \(server.host) (secret-file \(server.secretFile))"))
            }
            do {
                resolved.append(try endpoint(host: server.host, port: port == .authentication ? server.authPort : server.acctPort))
            } catch {
                return completion(.unavailable(error.description))
            }
            keys.append(secret)
        }
        // Authentication and accounting ports fail independently; each has its own state.
        let stateKey = group.name + (port == .authentication ? "/auth" : "/acct")
        let names = resolved.map(\.name)
        if groups[stateKey]?.servers.map(\.name) != names {
            groups[stateKey] = ServerGroupState(name: group.name, serverNames: names,
                                                        timeout: .milliseconds(group.timeout.milliseconds),
                                                        retries: group.retries,
                                                        deadTime: .milliseconds(group.deadTime.milliseconds))
        }
        targets[stateKey] = (resolved, keys)
        let id = nextTransaction
        nextTransaction &+= 1
        pending[id] = Pending(groupName: stateKey, endpoints: resolved, secrets: keys,
                              requireMessageAuthenticator: group.requireMessageAuthenticator, build: build,
                              completion: completion)
        var state = groups[stateKey]!
        let step = pending[id]!.transaction.start(now: now, group: &state)
        groups[stateKey] = state
        perform(step, id)
    }

    private func endpoint(host: String, port: UInt16) throws(RADIUSEndpoint.Failure) -> RADIUSEndpoint {
        let key = "\(host)|\(port)"
        if let existing = endpoints[key] { return existing }
        let created = try RADIUSEndpoint(host: host, port: port, queue: queue, now: now) { [unowned self] datagram, socket in
            received(datagram, on: key, socket: socket)
        }
        endpoints[key] = created
        return created
    }

    private func perform(_ step: RADIUSTransaction.Step, _ id: Int) {
        for event in step.events {
            logger.log(event)
        }
        guard var entry = pending[id] else { return }
        switch step.action {
        case .send(let attempt):
            let endpoint = entry.endpoints[attempt.server.index]
            if attempt.number == 1 || entry.request?.server != attempt.server.index {
                releaseIdentifier(of: entry, id)
                entry.request = nil
                let socket: RADIUSEndpoint.SocketID, identifier: UInt8
                do {
                    (socket, identifier) = try endpoint.allocate(for: id, now: now)
                } catch {
                    pending[id] = entry
                    return finish(id, .unavailable(error.description))
                }
                do {
                    let request = try entry.build(identifier, entry.secrets[attempt.server.index], endpoint.nasAddress)
                    entry.request = (attempt.server.index, socket, identifier, request)
                } catch {
                    endpoint.release(identifier, on: socket, owner: id, now: now)
                    pending[id] = entry
                    return finish(id, .unavailable("cannot build the RADIUS request: \(error)"))
                }
                pending[id] = entry
            }
            let sent = entry.request!
            endpoint.send(sent.request.datagram, on: sent.socket)
            let delay = attempt.deadline - now
            queue.asyncAfter(deadline: .now() + .nanoseconds(Int(max(0, delay / .nanoseconds(1))))) { [weak self] in
                self?.timedOut(id)
            }
        case .done, .ignore:
            break
        case .exhausted(let failure):
            finish(id, .unavailable("no server of group \(entry.groupName.split(separator: "/").first ?? "") answered (\(failure))"))
        }
    }

    private func timedOut(_ id: Int) {
        guard var entry = pending[id], var state = groups[entry.groupName] else { return }
        let step = entry.transaction.timeout(now: now, group: &state)
        groups[entry.groupName] = state
        pending[id] = entry
        let stateKey = entry.groupName
        perform(step, id)
        if step.events.contains(where: { $0.logEvent == .serverDead }) {
            armProbeTimer(stateKey)
        }
    }

    private func received(_ datagram: [UInt8], on key: String, socket: RADIUSEndpoint.SocketID) {
        guard datagram.count >= 2, let endpoint = endpoints[key],
              case .inFlight(let id) = endpoint.lookup(datagram[1], on: socket) else {
            return  // late, duplicate or unknown: dropped
        }
        if probes[id] != nil {
            return probeAnswered(id, datagram, endpoint: endpoint, socket: socket)
        }
        guard var entry = pending[id], let sent = entry.request, entry.endpoints[sent.server] === endpoint,
              sent.socket == socket, sent.identifier == datagram[1] else {
            return
        }
        /// Nil: authentic by its Response Authenticator, only unsigned, and the group requires
        /// Message-Authenticator. The server answered, so it is not dead, but the reply is not
        /// taken. Asking another server would not help a group whose servers are set up alike;
        /// the reason says what to change.
        let reply: RADIUSPacket?
        do {
            reply = try RADIUSReplyVerifier.verify(reply: datagram, to: sent.request, secret: entry.secrets[sent.server],
                                                   requireMessageAuthenticator: entry.requireMessageAuthenticator)
        } catch .missingMessageAuthenticator {
            reply = nil
        } catch {
            // A forged or broken reply is not an answer; the retry timer goes on.
            logger.log(.protocolError, ["peer": LogValue(endpoint.name), "error": LogValue("RADIUS reply refused: \(error)")])
            return
        }
        guard var state = groups[entry.groupName] else { return }
        let step = entry.transaction.reply(from: state.servers[sent.server], group: &state)
        groups[entry.groupName] = state
        pending[id] = entry
        for event in step.events {
            logger.log(event)
        }
        guard case .done = step.action else { return }
        guard let reply else {
            let group = entry.groupName.split(separator: "/").first.map(String.init) ?? entry.groupName
            return finish(id, .unavailable("reply from \(endpoint.name) has no Message-Authenticator; set "
                + "require-message-authenticator = false for group \(group), or have the server sign replies"))
        }
        switch reply.code {
        case .accountingResponse: finish(id, .acknowledged(server: endpoint.name))
        case .accessAccept: finish(id, .accepted(RADIUSAccessReply(reply), server: endpoint.name))
        default: finish(id, .rejected(server: endpoint.name))
        }
    }

    // MARK: Status-Server probes

    /// Sets one timer per group for its next probe, if a server is held down.
    private func armProbeTimer(_ stateKey: String) {
        guard !probeTimers.contains(stateKey), let due = groups[stateKey]?.nextProbeDue else { return }
        probeTimers.insert(stateKey)
        let delay = max(.zero, due - now)
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(delay / .nanoseconds(1)))) { [weak self] in
            self?.probeTimerFired(stateKey)
        }
    }

    private func probeTimerFired(_ stateKey: String) {
        probeTimers.remove(stateKey)
        guard var state = groups[stateKey], let target = targets[stateKey],
              target.endpoints.map(\.name) == state.servers.map(\.name) else { return }
        let now = self.now
        for server in state.probesDue(now: now) {
            state.probeSent(server, now: now)
            sendProbe(stateKey, server, endpoint: target.endpoints[server.index], secret: target.secrets[server.index])
        }
        groups[stateKey] = state
        armProbeTimer(stateKey)
    }

    private func sendProbe(_ stateKey: String, _ server: AAAServer, endpoint: RADIUSEndpoint, secret: [UInt8]) {
        let id = nextTransaction
        nextTransaction &+= 1
        let socket: RADIUSEndpoint.SocketID, identifier: UInt8
        do {
            (socket, identifier) = try endpoint.allocate(for: id, now: now)
        } catch {
            return  // every identifier in flight: the server is busy with requests, which will tell
        }
        let request: RADIUSRequest
        do {
            request = try RADIUSRequestBuilder.statusServer(
                identifier: identifier, attributes: Self.withNAS(endpoint.nasAddress, [.string(.nasIdentifier, "postern")]),
                secret: secret)
        } catch {
            endpoint.release(identifier, on: socket, owner: id, now: now)
            return
        }
        probes[id] = Probe(stateKey: stateKey, server: server, endpoint: endpoint, socket: socket, request: request,
                           secret: secret)
        endpoint.send(request.datagram, on: socket)
        let timeout = groups[stateKey]?.timeout ?? .seconds(5)
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(timeout / .nanoseconds(1)))) { [weak self] in
            self?.endProbe(id)
        }
    }

    /// A probe's identifier goes back when it is answered or its time is up.
    private func endProbe(_ id: Int) {
        guard let probe = probes.removeValue(forKey: id) else { return }
        probe.endpoint.release(probe.request.identifier, on: probe.socket, owner: id, now: now)
    }

    private func probeAnswered(_ id: Int, _ datagram: [UInt8], endpoint: RADIUSEndpoint,
                               socket: RADIUSEndpoint.SocketID) {
        guard let probe = probes[id], probe.endpoint === endpoint, probe.socket == socket else { return }
        do {
            // Liveness only: an authentic Response Authenticator proves the server holds the
            // secret and answers, and no login depends on this reply, signed or not.
            _ = try RADIUSReplyVerifier.verify(reply: datagram, to: probe.request, secret: probe.secret,
                                               requireMessageAuthenticator: false)
        } catch {
            logger.log(.protocolError, ["peer": LogValue(endpoint.name),
                                        "error": LogValue("RADIUS Status-Server reply refused: \(error)")])
            return
        }
        endProbe(id)
        guard var state = groups[probe.stateKey], state.servers.indices.contains(probe.server.index),
              state.servers[probe.server.index] == probe.server else { return }
        let events = state.markAlive(probe.server)
        groups[probe.stateKey] = state
        for event in events {
            logger.log(event)
        }
    }

    private func releaseIdentifier(of entry: Pending, _ id: Int) {
        if let sent = entry.request {
            entry.endpoints[sent.server].release(sent.identifier, on: sent.socket, owner: id, now: now)
        }
    }

    private func finish(_ id: Int, _ outcome: Outcome) {
        guard let entry = pending.removeValue(forKey: id) else { return }
        releaseIdentifier(of: entry, id)
        entry.completion(outcome)
    }
}
