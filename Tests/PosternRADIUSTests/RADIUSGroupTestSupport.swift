@testable import PosternRADIUS
import PosternCore

/// A three-server group like SPEC §2's example: 5 s a try, 2 retries, 60 s hold-down.
enum GroupFixture {
    static func group(name: String = "CORP-RADIUS", servers: [String] = ["a:1812", "b:1812", "c:1812"],
                      timeout: Duration = .seconds(5), retries: Int = 2,
                      deadTime: Duration = .seconds(60)) -> ServerGroupState {
        ServerGroupState(name: name, serverNames: servers, timeout: timeout, retries: retries, deadTime: deadTime)
    }
}

/// What authd does around a group, without sockets: one identifier pool per server socket,
/// transactions by number, identifiers taken on a first send and released when a transaction
/// leaves a server. A datagram is reduced to (server, identifier); a reply whose identifier is
/// in flight counts as verified.
struct SimulatedAuthd {
    var group: ServerGroupState
    var pools: [RADIUSIdentifierPool<Int>]
    var transactions: [Int: RADIUSTransaction] = [:]
    /// The identifier each transaction holds, and on which server.
    var held: [Int: (server: Int, identifier: UInt8)] = [:]
    var outcomes: [Int: RADIUSTransaction.Action] = [:]
    var sends: [(transaction: Int, server: String, identifier: UInt8, number: Int)] = []
    var log: [String] = []
    private var next = 0

    init(group: ServerGroupState) {
        self.group = group
        pools = Array(repeating: RADIUSIdentifierPool<Int>(), count: group.servers.count)
    }

    mutating func login(now: Duration) -> Int {
        let id = next
        next += 1
        var transaction = RADIUSTransaction()
        let step = transaction.start(now: now, group: &group)
        transactions[id] = transaction
        apply(step, to: id)
        return id
    }

    mutating func timerFires(_ id: Int, now: Duration) {
        guard var transaction = transactions[id] else { return }
        let step = transaction.timeout(now: now, group: &group)
        transactions[id] = transaction
        apply(step, to: id)
    }

    /// Returns what the pool made of the identifier.
    @discardableResult
    mutating func datagram(from server: Int, identifier: UInt8) -> RADIUSIdentifierPool<Int>.Lookup {
        let lookup = pools[server].lookup(identifier)
        if case let .inFlight(id) = lookup, var transaction = transactions[id] {
            let step = transaction.reply(from: group.servers[server], group: &group)
            transactions[id] = transaction
            apply(step, to: id)
        }
        return lookup
    }

    private mutating func apply(_ step: RADIUSTransaction.Step, to id: Int) {
        log += step.events.map { event in
            ([event.name] + event.fields.map { "\($0.0)=\($0.1.text ?? "")" }).joined(separator: " ")
        }
        switch step.action {
        case let .send(attempt):
            if !attempt.isRetransmission {
                release(id)
                guard let identifier = pools[attempt.server.index].allocate(for: id) else {
                    // The documented choice: the login fails as temporary, nothing is queued.
                    outcomes[id] = .exhausted(.identifiersExhausted(server: attempt.server))
                    transactions[id] = nil
                    return
                }
                held[id] = (attempt.server.index, identifier)
            }
            let identifier = held[id]!.identifier
            sends.append((id, attempt.server.name, identifier, attempt.number))
        case .done, .exhausted:
            release(id)
            outcomes[id] = step.action
        case .ignore:
            break
        }
    }

    private mutating func release(_ id: Int) {
        guard let (server, identifier) = held.removeValue(forKey: id) else { return }
        pools[server].release(identifier, owner: id)
    }
}
