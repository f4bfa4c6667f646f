import NIOCore
import PosternConfig
import PosternCore

/// A session as the registry knows it: its channel, and a way to describe it that runs on the
/// channel's event loop (where the session's state lives).
final class SessionHandle: @unchecked Sendable {
    let id: SessionID
    let channel: Channel
    /// Set by the session's frontend; called on `channel.eventLoop` only.
    var summarize: (() -> SessionSummary)?

    init(id: SessionID, channel: Channel) {
        self.id = id
        self.channel = channel
        Self.live.add(1)
    }

    deinit {
        Self.live.add(-1)
    }

    /// Handles alive in this process, closed sessions not yet freed included.
    static let live = LiveCount()
}

/// A count changed from any thread.
final class LiveCount: @unchecked Sendable {
    private let lock = Lock()
    private var value = 0

    func add(_ delta: Int) { lock.withLock { value += delta } }
    var current: Int { lock.withLock { value } }
}

/// The listener's sessions: the outstanding limit per protocol (SPEC §4), the channels to close
/// when a session is evicted or killed by an administrator, and the list `posternctl sessions`
/// shows.
final class SessionRegistry: @unchecked Sendable {
    private let lock = Lock()
    private var trackers: [MailProtocol: OutstandingTracker<SessionID>] = [:]
    private var handles: [SessionID: SessionHandle] = [:]

    /// Registers a new unauthenticated session from `address`; returns the sessions evicted to
    /// make room.
    func admit(_ handle: SessionHandle, proto: MailProtocol, address: String, limit: Int,
               perAddress: Int) -> [SessionHandle] {
        lock.withLock {
            var tracker = trackers[proto] ?? OutstandingTracker(limit: limit, perAddress: perAddress)
            if tracker.limit != limit || tracker.perAddress != perAddress {
                tracker = tracker.withLimits(limit, perAddress: perAddress)
            }
            let evicted = tracker.admit(handle.id, address: address)
            trackers[proto] = tracker
            handles[handle.id] = handle
            return evicted.compactMap { handles[$0] }
        }
    }

    func update(_ session: SessionID, proto: MailProtocol, to state: SessionState) {
        lock.withLock { trackers[proto]?.update(session, to: state) }
    }

    func remove(_ session: SessionID, proto: MailProtocol) {
        lock.withLock {
            trackers[proto]?.remove(session)
            handles[session] = nil
        }
    }

    var count: Int { lock.withLock { handles.count } }

    /// Sessions held, and those counted against the outstanding limits.
    var tableCounts: (sessions: Int, outstanding: Int) {
        lock.withLock { (handles.count, trackers.values.reduce(0) { $0 + $1.count }) }
    }

    func handle(_ session: SessionID) -> SessionHandle? {
        lock.withLock { handles[session] }
    }

    /// Every session's summary, each taken on its own event loop.
    func summaries(on eventLoop: EventLoop) -> EventLoopFuture<[SessionSummary]> {
        let all = lock.withLock { Array(handles.values) }
        let futures = all.map { handle in
            handle.channel.eventLoop.submit { handle.summarize?() }
        }
        return EventLoopFuture.whenAllComplete(futures, on: eventLoop).map { results in
            results.compactMap { try? $0.get() }.compactMap { $0 }.sorted { $0.ageSeconds > $1.ageSeconds }
        }
    }
}
