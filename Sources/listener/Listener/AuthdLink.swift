import PosternCore
import PosternIPC
#if canImport(Glibc)
import Glibc
#endif

/// The listener's channel to authd. Requests wait for their reply here; when authd goes away
/// every waiting request fails as temporary (SPEC §1) and a restarted authd is told which
/// sessions are established, so its simultaneous-login counts stay right.
final class AuthdLink: @unchecked Sendable {
    typealias Completion = @Sendable (AuthDecision) -> Void
    private struct PendingKey: Hashable { var session: SessionID; var attempt: UInt16 }

    private let lock = Lock()
    private var channel: IPCChannel?
    private var pending: [PendingKey: Completion] = [:]
    private var established: [SessionID: SessionEstablished] = [:]
    private let logger: EventLogger
    /// Tells the supervisor that the channel closed while both roles live, so it pairs them again.
    private let reportLost: @Sendable (PeerChannel) -> Void

    init(logger: EventLogger, reportLost: @escaping @Sendable (PeerChannel) -> Void) {
        self.logger = logger
        self.reportLost = reportLost
    }

    func attach(descriptor: Int32) {
        let channel = IPCChannel(descriptor: descriptor, localRole: .listener, label: "authd")
        let (old, resync): (IPCChannel?, [SessionEstablished]) = lock.withLock {
            let old = self.channel
            self.channel = channel
            return (old, Array(established.values))
        }
        old?.close()
        channel.start(onMessage: { [weak self] frame in
            self?.received(frame, on: channel)
        }, onClose: { [weak self] reason in
            self?.lost(channel, reason: reason)
        })
        for session in resync { channel.send(.sessionEstablished(session)) }
        logger.log(.peerConnected, ["peer": "authd"])
    }

    func authenticate(_ request: AuthRequest, completion: @escaping Completion) {
        let target: IPCChannel? = lock.withLock {
            guard let current = self.channel else { return nil }
            pending[PendingKey(session: request.session, attempt: request.attempt)] = completion
            return current
        }
        guard let target else {
            completion(.deny(.temporary))
            return
        }
        if !target.send(.authRequest(request)) {
            // Not sent (the field bounds keep a request from being too large): refused as temporary.
            abandon(session: request.session, attempt: request.attempt)
            completion(.deny(.temporary))
        }
    }

    /// Drops a request the session no longer waits for (it timed out or closed).
    func abandon(session: SessionID, attempt: UInt16) {
        lock.withLock { _ = pending.removeValue(forKey: PendingKey(session: session, attempt: attempt)) }
    }

    var tableCounts: (pending: Int, established: Int) {
        lock.withLock { (pending.count, established.count) }
    }

    func established(_ message: SessionEstablished) {
        let target: IPCChannel? = lock.withLock {
            established[message.session] = message
            return self.channel
        }
        target?.send(.sessionEstablished(message))
    }

    func ended(_ message: SessionEnded) {
        let target: IPCChannel? = lock.withLock {
            established[message.session] = nil
            return self.channel
        }
        target?.send(.sessionEnded(message))
    }

    /// Returns a grant nobody will use: authd frees its login slot; the session may ask again.
    func handBack(_ session: SessionID) {
        ended(SessionEnded(session: session, bytesIn: 0, bytesOut: 0, durationMilliseconds: 0, reason: "abandoned"))
    }

    #if DEBUG
    /// Test hook: closes the channel as a refused record would, while both roles run on.
    func closeChannelForTest() {
        lock.withLock { channel }?.close()
    }
    #endif

    private func received(_ frame: IPCFrame, on channel: IPCChannel) {
        guard case .authReply(let reply) = frame.message else {
            if let fd = frame.descriptor { close(fd) }
            logger.log(.ipcViolation, ["peer": "authd", "record": LogValue(frame.message.name)])
            channel.close()
            return
        }
        let completion = lock.withLock {
            pending.removeValue(forKey: PendingKey(session: reply.session, attempt: reply.attempt))
        }
        guard let completion else {
            // Nobody waits any more (the session timed out or closed): a grant took a login slot
            // that nobody will use, so hand it straight back.
            if case .allow = reply.decision { handBack(reply.session) }
            return
        }
        completion(reply.decision)
    }

    private func lost(_ channel: IPCChannel, reason: IPCCloseReason) {
        let failed: [Completion]? = lock.withLock {
            // A channel replaced by a newer one is not a loss.
            guard self.channel === channel else { return nil }
            self.channel = nil
            let failed = Array(pending.values)
            pending.removeAll()
            return failed
        }
        guard let failed else { return }
        logger.log(.peerLost, ["peer": "authd", "reason": LogValue(reason.description), "requests-failed": .int(failed.count)])
        for completion in failed { completion(.deny(.temporary)) }
        reportLost(PeerChannel(role: .authd, index: 0))
    }
}
