import PosternCore

/// The sessions this relay carries, from the listener's request until the login fails or the
/// relayed streams close; `posternctl status --json` shows the count, which must fall back to
/// zero when the clients are gone.
final class RelaySessions: @unchecked Sendable {
    private let lock = Lock()
    private var live: Set<SessionID> = []

    func begin(_ session: SessionID) {
        lock.withLock { _ = live.insert(session) }
    }

    /// Idempotent: whichever end comes first counts.
    func end(_ session: SessionID) {
        lock.withLock { _ = live.remove(session) }
    }

    var count: Int { lock.withLock { live.count } }
}
