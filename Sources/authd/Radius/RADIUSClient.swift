import Dispatch
import PosternConfig
import PosternCore
import PosternRADIUS
#if canImport(Glibc)
import Glibc
#endif

/// Talks to RADIUS server groups (SPEC §3, RFC 2865/2866/3579): one exchange is a request
/// to the group's live servers in order, with timeout, retries and dead-time, and a verified
/// reply. Authentication (PAP with Message-Authenticator) and accounting share it. Everything
/// runs on authd's queue, and no call blocks it. Confined to authd's queue.
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
        let id = nextTransaction
        nextTransaction &+= 1
        pending[id] = Pending(groupName: stateKey, endpoints: resolved, secrets: keys, build: build,
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
        perform(step, id)
    }

    private func received(_ datagram: [UInt8], on key: String, socket: RADIUSEndpoint.SocketID) {
        guard datagram.count >= 2, let endpoint = endpoints[key] else { return }
        guard case .inFlight(let id) = endpoint.lookup(datagram[1], on: socket), var entry = pending[id],
              let sent = entry.request, entry.endpoints[sent.server] === endpoint, sent.socket == socket,
              sent.identifier == datagram[1] else {
            return  // late, duplicate or unknown: dropped
        }
        let reply: RADIUSPacket
        do {
            reply = try RADIUSReplyVerifier.verify(reply: datagram, to: sent.request, secret: entry.secrets[sent.server])
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
        switch reply.code {
        case .accountingResponse: finish(id, .acknowledged(server: endpoint.name))
        case .accessAccept: finish(id, .accepted(RADIUSAccessReply(reply), server: endpoint.name))
        default: finish(id, .rejected(server: endpoint.name))
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
