import Dispatch
import PosternConfig
import PosternCore
import PosternRADIUS
#if canImport(Glibc)
import Glibc
#endif

/// Checks a user against a RADIUS server group (SPEC §3, RFC 2865/3579): PAP with
/// Message-Authenticator, servers in order with timeout, retries and dead-time, replies
/// verified. Everything runs on authd's queue; no call blocks it.
/// Confined to authd's queue.
final class RADIUSAuthenticator: @unchecked Sendable {
    enum Outcome {
        case accepted(RADIUSAccessReply, server: String)
        case rejected(server: String)
        /// No server could be asked or none answered: a temporary failure, not a wrong password.
        case unavailable(String)
    }

    private struct Pending {
        var transaction = RADIUSTransaction()
        var groupName: String
        var endpoints: [RADIUSEndpoint]
        var secrets: [[UInt8]]
        var user: String
        var password: [UInt8]
        var attributes: [RADIUSAttribute]
        /// The request sent to the current server, kept for retransmission and for verifying.
        var request: (server: Int, identifier: UInt8, request: RADIUSRequest)?
        var completion: (Outcome) -> Void
    }

    private let queue: DispatchQueue
    private let logger: EventLogger
    private let origin = ContinuousClock.now
    private var groups: [String: RADIUSServerGroupState] = [:]
    private var endpoints: [String: RADIUSEndpoint] = [:]
    private var pending: [Int: Pending] = [:]
    private var nextTransaction = 0

    init(queue: DispatchQueue, logger: EventLogger) {
        self.queue = queue
        self.logger = logger
    }

    private var now: Duration { ContinuousClock.now - origin }

    func authenticate(group: ServerGroup, servers: [RadiusServer], secrets: [String: [UInt8]], user: String,
                      password: String, clientAddress: String, session: SessionID,
                      completion: @escaping (Outcome) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        var resolved: [RADIUSEndpoint] = []
        var keys: [[UInt8]] = []
        for server in servers {
            guard let secret = secrets[server.secretFile] else {
                return completion(.unavailable("no shared secret for \(server.host) (secret-file \(server.secretFile))"))
            }
            do {
                resolved.append(try endpoint(host: server.host, port: server.authPort))
            } catch {
                return completion(.unavailable(error.description))
            }
            keys.append(secret)
        }
        let names = resolved.map(\.name)
        if groups[group.name]?.servers.map(\.name) != names {
            groups[group.name] = RADIUSServerGroupState(name: group.name, serverNames: names,
                                                        timeout: .milliseconds(group.timeout.milliseconds),
                                                        retries: group.retries,
                                                        deadTime: .milliseconds(group.deadTime.milliseconds))
        }
        let attributes: [RADIUSAttribute] = [
            .string(.nasIdentifier, "postern"),
            .integer(.serviceType, RADIUSValues.serviceTypeLogin),
            .integer(.nasPortType, RADIUSValues.nasPortTypeVirtual),
            .string(.callingStationId, clientAddress),
            .string(.acctSessionId, session.description),
        ]
        let id = nextTransaction
        nextTransaction &+= 1
        pending[id] = Pending(groupName: group.name, endpoints: resolved, secrets: keys, user: user,
                              password: Array(password.utf8), attributes: attributes, completion: completion)
        var state = groups[group.name]!
        let step = pending[id]!.transaction.start(now: now, group: &state)
        groups[group.name] = state
        perform(step, id)
    }

    private func endpoint(host: String, port: UInt16) throws(RADIUSEndpoint.Failure) -> RADIUSEndpoint {
        let key = "\(host)|\(port)"
        if let existing = endpoints[key] { return existing }
        let created = try RADIUSEndpoint(host: host, port: port, queue: queue) { [unowned self] datagram in
            received(datagram, on: key)
        }
        endpoints[key] = created
        return created
    }

    private func perform(_ step: RADIUSTransaction.Step, _ id: Int) {
        for event in step.events {
            logger.log(event.name == "server-dead" ? .serverDead : .serverAlive, fields: event.fields)
        }
        guard var entry = pending[id] else { return }
        switch step.action {
        case .send(let attempt):
            let endpoint = entry.endpoints[attempt.server.index]
            if attempt.number == 1 || entry.request?.server != attempt.server.index {
                releaseIdentifier(of: entry, id)
                guard let identifier = endpoint.identifiers.allocate(for: id) else {
                    return finish(id, .unavailable("no RADIUS identifier free towards \(endpoint.name)"))
                }
                var attributes = entry.attributes
                if let nas = endpoint.nasAddress, let attribute = RADIUSAttribute.nasAddress(nas) {
                    attributes.insert(attribute, at: 0)
                }
                do {
                    let request = try RADIUSRequestBuilder.accessRequest(
                        identifier: identifier, userName: entry.user, password: entry.password, attributes: attributes,
                        secret: entry.secrets[attempt.server.index])
                    entry.request = (attempt.server.index, identifier, request)
                } catch {
                    endpoint.identifiers.release(identifier, owner: id)
                    return finish(id, .unavailable("cannot build the Access-Request: \(error)"))
                }
                pending[id] = entry
            }
            endpoint.send(entry.request!.request.datagram)
            let delay = attempt.deadline - now
            queue.asyncAfter(deadline: .now() + .nanoseconds(Int(max(0, delay / .nanoseconds(1))))) { [weak self] in
                self?.timedOut(id)
            }
        case .done, .ignore:
            break
        case .exhausted(let failure):
            finish(id, .unavailable("no server of group \(entry.groupName) answered (\(failure))"))
        }
    }

    private func timedOut(_ id: Int) {
        guard var entry = pending[id], var state = groups[entry.groupName] else { return }
        let step = entry.transaction.timeout(now: now, group: &state)
        groups[entry.groupName] = state
        pending[id] = entry
        perform(step, id)
    }

    private func received(_ datagram: [UInt8], on key: String) {
        guard datagram.count >= 2, let endpoint = endpoints[key] else { return }
        guard case .inFlight(let id) = endpoint.identifiers.lookup(datagram[1]), var entry = pending[id],
              let sent = entry.request, entry.endpoints[sent.server] === endpoint, sent.identifier == datagram[1] else {
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
            logger.log(event.name == "server-dead" ? .serverDead : .serverAlive, fields: event.fields)
        }
        guard case .done = step.action else { return }
        let access = RADIUSAccessReply(reply)
        finish(id, access.code == .accessAccept ? .accepted(access, server: endpoint.name) : .rejected(server: endpoint.name))
    }

    private func releaseIdentifier(of entry: Pending, _ id: Int) {
        if let sent = entry.request {
            entry.endpoints[sent.server].identifiers.release(sent.identifier, owner: id)
        }
    }

    private func finish(_ id: Int, _ outcome: Outcome) {
        guard let entry = pending.removeValue(forKey: id) else { return }
        releaseIdentifier(of: entry, id)
        entry.completion(outcome)
    }
}
