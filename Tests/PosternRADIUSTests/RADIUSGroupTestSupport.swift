@testable import PosternRADIUS
import PosternCore

/// A three-server group like SPEC §2's example: 5 s a try, 2 retries, 60 s hold-down.
/// `unansweredBeforeDead` is 1 unless a test asks otherwise: most tests here follow one
/// server's death through failover and hold-down, which takes one unanswered request that way;
/// `ServerGroupStateTests` and `RADIUSTransactionTests` cover the default of 3 in a row.
enum GroupFixture {
    static func group(name: String = "CORP-RADIUS", servers: [String] = ["a:1812", "b:1812", "c:1812"],
                      timeout: Duration = .seconds(5), retries: Int = 2,
                      deadTime: Duration = .seconds(60), unansweredBeforeDead: Int = 1) -> ServerGroupState {
        ServerGroupState(name: name, serverNames: servers, timeout: timeout, retries: retries, deadTime: deadTime,
                         unansweredBeforeDead: unansweredBeforeDead)
    }
}

/// What authd does around a group, without sockets: one socket pool per server (a socket
/// "opens" whenever the pool asks for one), transactions by number, identifiers taken on a
/// first send and released when a transaction leaves a server. A datagram is reduced to
/// (server, socket, identifier); a reply whose identifier is in flight counts as verified.
struct SimulatedAuthd {
    typealias SocketID = RADIUSSocketPool<Int>.SocketID

    var group: ServerGroupState
    var pools: [RADIUSSocketPool<Int>]
    var transactions: [Int: RADIUSTransaction] = [:]
    /// The identifier each transaction holds, and on which server and socket.
    var held: [Int: (server: Int, socket: SocketID, identifier: UInt8)] = [:]
    var outcomes: [Int: RADIUSTransaction.Action] = [:]
    var sends: [(transaction: Int, server: String, socket: SocketID, identifier: UInt8, number: Int)] = []
    var log: [String] = []
    private var next = 0

    init(group: ServerGroupState) {
        self.group = group
        pools = Array(repeating: RADIUSSocketPool<Int>(), count: group.servers.count)
        for index in pools.indices { _ = pools[index].add(now: .zero) }
    }

    mutating func login(now: Duration) -> Int {
        let id = next
        next += 1
        var transaction = RADIUSTransaction()
        let step = transaction.start(now: now, group: &group)
        transactions[id] = transaction
        apply(step, to: id, now: now)
        return id
    }

    mutating func timerFires(_ id: Int, now: Duration) {
        guard var transaction = transactions[id] else { return }
        let step = transaction.timeout(now: now, group: &group)
        transactions[id] = transaction
        apply(step, to: id, now: now)
    }

    /// Returns what the pool made of the identifier.
    @discardableResult
    mutating func datagram(from server: Int, socket: SocketID, identifier: UInt8,
                           now: Duration = .zero) -> RADIUSIdentifierPool<Int>.Lookup {
        let lookup = pools[server].lookup(identifier, on: socket)
        if case let .inFlight(id) = lookup, var transaction = transactions[id] {
            let step = transaction.reply(from: group.servers[server], group: &group)
            transactions[id] = transaction
            apply(step, to: id, now: now)
        }
        return lookup
    }

    /// The reply to a send, as the server would send it.
    @discardableResult
    mutating func answer(_ send: (transaction: Int, server: String, socket: SocketID, identifier: UInt8, number: Int),
                         now: Duration = .zero) -> RADIUSIdentifierPool<Int>.Lookup {
        let server = group.servers.firstIndex { $0.name == send.server }!
        return datagram(from: server, socket: send.socket, identifier: send.identifier, now: now)
    }

    private mutating func apply(_ step: RADIUSTransaction.Step, to id: Int, now: Duration) {
        log += step.events.map { event in
            ([event.name] + event.fields.map { "\($0.0)=\($0.1.text ?? "")" }).joined(separator: " ")
        }
        switch step.action {
        case let .send(attempt):
            if !attempt.isRetransmission {
                release(id, now: now)
                let server = attempt.server.index
                var allocation = pools[server].allocate(for: id)
                if allocation == .needsSocket {
                    _ = pools[server].add(now: now)
                    allocation = pools[server].allocate(for: id)
                }
                guard case let .allocated(socket, identifier) = allocation else {
                    // The documented choice: the login fails as temporary, nothing is queued.
                    outcomes[id] = .exhausted(.identifiersExhausted(server: attempt.server))
                    transactions[id] = nil
                    return
                }
                held[id] = (server, socket, identifier)
            }
            let (_, socket, identifier) = held[id]!
            sends.append((id, attempt.server.name, socket, identifier, attempt.number))
        case .done, .exhausted:
            release(id, now: now)
            outcomes[id] = step.action
        case .ignore:
            break
        }
    }

    private mutating func release(_ id: Int, now: Duration) {
        guard let (server, socket, identifier) = held.removeValue(forKey: id) else { return }
        pools[server].release(identifier, on: socket, owner: id, now: now)
    }
}
