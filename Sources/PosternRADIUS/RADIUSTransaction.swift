import PosternCore

/// One request's way through a server group (SPEC §3): send to the first live server, resend
/// after each `timeout` up to `retries` times, then count the request as unanswered against that
/// server (dead after `unansweredBeforeDead` in a row) and go to the next live one; a reply ends
/// it; with no server left it fails as temporary. Each server is asked
/// at most once per transaction. The group is passed in because transactions running at the
/// same time share what they learn about its servers.
///
/// The identifiers are the caller's, from one `RADIUSSocketPool` per server: take a socket and
/// identifier on a first send (`attempt.number == 1`), keep them and the datagram for
/// retransmissions, and release the identifier when the transaction leaves that server (a new
/// server, `.done`, `.exhausted`).
public struct RADIUSTransaction: Sendable {
    public enum Action: Hashable, Sendable {
        /// Send (or resend) to `attempt.server`; call `timeout(now:group:)` at its deadline.
        case send(ServerAttempt)
        /// `server` answered; the transaction is over.
        case done(AAAServer)
        /// No server answered or none could be asked: fail the login as temporary.
        case exhausted(RADIUSTemporaryFailure)
        /// Nothing to do: a timer for an attempt already answered or replaced, a reply from a
        /// server not being asked, or a call after the end.
        case ignore
    }

    /// An action and what to log with it.
    public struct Step: Hashable, Sendable {
        public let action: Action
        public let events: [ServerGroupEvent]
    }

    public enum State: Hashable, Sendable {
        case idle
        case waiting(ServerAttempt)
        case done(AAAServer)
        case exhausted(RADIUSTemporaryFailure)
    }

    public private(set) var state: State = .idle
    /// Server indexes given up on in this transaction.
    private var tried: Set<Int> = []

    public init() {}

    public mutating func start(now: Duration, group: inout ServerGroupState) -> Step {
        guard case .idle = state else { return Step(action: .ignore, events: []) }
        guard let attempt = group.plan(now: now) else { return finish(.noLiveServer, events: []) }
        state = .waiting(attempt)
        return Step(action: .send(attempt), events: [])
    }

    /// The deadline of the attempt in flight passed. Early calls (before the deadline) and
    /// calls in any other state are ignored, so a stray timer does no harm.
    public mutating func timeout(now: Duration, group: inout ServerGroupState) -> Step {
        guard case let .waiting(attempt) = state, now >= attempt.deadline else {
            return Step(action: .ignore, events: [])
        }
        // Another transaction may already have given this server up: then stop resending.
        if attempt.number < group.sendsPerServer, group.isLive(attempt.server, now: now) {
            let again = ServerAttempt(server: attempt.server, number: attempt.number + 1, deadline: now + group.timeout)
            state = .waiting(again)
            return Step(action: .send(again), events: [])
        }
        let events = group.markUnanswered(attempt.server, now: now)
        tried.insert(attempt.server.index)
        guard let next = group.plan(now: now, excluding: tried) else { return finish(.noServerAnswered, events: events) }
        state = .waiting(next)
        return Step(action: .send(next), events: events)
    }

    /// A verified reply from `server` (the caller matched its identifier and checked its
    /// authenticators first: an unverified datagram must not end a transaction).
    public mutating func reply(from server: AAAServer, group: inout ServerGroupState) -> Step {
        guard case let .waiting(attempt) = state, attempt.server == server else {
            return Step(action: .ignore, events: [])
        }
        state = .done(server)
        return Step(action: .done(server), events: group.markAlive(server))
    }

    private mutating func finish(_ failure: RADIUSTemporaryFailure, events: [ServerGroupEvent]) -> Step {
        state = .exhausted(failure)
        return Step(action: .exhausted(failure), events: events)
    }
}
