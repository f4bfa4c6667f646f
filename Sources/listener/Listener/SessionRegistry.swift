import NIOCore
import PosternConfig
import PosternCore

/// The listener's sessions: the outstanding limit per protocol (SPEC §4) and the channels to close
/// when a session is evicted.
final class SessionRegistry: @unchecked Sendable {
    private let lock = Lock()
    private var trackers: [MailProtocol: OutstandingTracker<SessionID>] = [:]
    private var channels: [SessionID: Channel] = [:]

    /// Registers a new unauthenticated session; returns the sessions evicted to make room.
    func admit(_ session: SessionID, proto: MailProtocol, limit: Int, channel: Channel) -> [(SessionID, Channel)] {
        lock.withLock {
            var tracker = trackers[proto] ?? OutstandingTracker(limit: limit)
            if tracker.limit != limit {
                tracker = tracker.withLimit(limit)
            }
            let evicted = tracker.admit(session)
            trackers[proto] = tracker
            channels[session] = channel
            return evicted.compactMap { id in channels[id].map { (id, $0) } }
        }
    }

    func update(_ session: SessionID, proto: MailProtocol, to state: SessionState) {
        lock.withLock { trackers[proto]?.update(session, to: state) }
    }

    func remove(_ session: SessionID, proto: MailProtocol) {
        lock.withLock {
            trackers[proto]?.remove(session)
            channels[session] = nil
        }
    }

    var count: Int { lock.withLock { channels.count } }
}
