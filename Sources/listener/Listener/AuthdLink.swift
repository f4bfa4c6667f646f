import PosternConfig
import PosternCore
import PosternIPC
import PosternSandbox
#if canImport(Glibc)
import Glibc
#endif

/// The listener's channel to authd. Requests wait for their reply here; when authd goes away
/// every waiting request fails as temporary (SPEC §1) and a newly paired authd is told which
/// sessions are established (`session-resync`), so its simultaneous-login counts stay right and
/// it can send their Stops, without a second Start.
final class AuthdLink: @unchecked Sendable {
    typealias Completion = @Sendable (AuthDecision) -> Void
    private struct PendingKey: Hashable { var session: SessionID; var attempt: UInt16 }

    private let lock = Lock()
    private var channel: IPCChannel?
    private var pending: [PendingKey: Completion] = [:]
    /// Established sessions as a new authd must hear of them; `loggedInAt` for Acct-Session-Time.
    private var established: [SessionID: (resync: SessionResync, loggedInAt: ContinuousClock.Instant)] = [:]
    private let logger: EventLogger
    /// Tells the supervisor that the channel closed while both roles live, so it pairs them again.
    private let reportLost: @Sendable (PeerChannel) -> Void

    init(logger: EventLogger, reportLost: @escaping @Sendable (PeerChannel) -> Void) {
        self.logger = logger
        self.reportLost = reportLost
    }

    func attach(descriptor: Int32) {
        let channel = IPCChannel(descriptor: descriptor, localRole: .listener, peer: .authd)
        let now = ContinuousClock.now
        let (old, resync): (IPCChannel?, [SessionResync]) = lock.withLock {
            let old = self.channel
            self.channel = channel
            return (old, established.values.map { entry in
                var resync = entry.resync
                let age = now - entry.loggedInAt
                resync.authenticatedMilliseconds = UInt64(max(0, age.components.seconds)) * 1000
                    + UInt64(max(0, age.components.attoseconds) / 1_000_000_000_000_000)
                return resync
            })
        }
        old?.close()
        channel.start(handling: [.authReply], onMessage: { [weak self] frame in
            self?.received(frame, on: channel)
        }, onClose: { [weak self] reason in
            self?.lost(channel, reason: reason)
        })
        for session in resync { channel.send(.sessionResync(session)) }
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

    /// The mail host accepted the login of `grant`: authd counts it and sends Accounting-Start.
    func established(session: SessionID, proto: MailProtocol, grant: Grant, clientAddress: String) {
        let resync = SessionResync(claims: grant.claims(session: session, proto: proto), clientAddress: clientAddress,
                                   authenticatedMilliseconds: 0, classes: grant.classes, token: grant.token)
        let target: IPCChannel? = lock.withLock {
            established[session] = (resync, ContinuousClock.now)
            return self.channel
        }
        target?.send(.sessionEstablished(SessionEstablished(session: session, vpnUser: grant.vpnUser, proto: proto,
                                                            token: TestHooks.establishedToken(grant.token))))
    }

    func ended(_ message: SessionEnded) {
        let target: IPCChannel? = lock.withLock {
            established[message.session] = nil
            return self.channel
        }
        target?.send(.sessionEnded(message))
    }

    func released(_ message: GrantReleased) {
        lock.withLock { channel }?.send(.grantReleased(message))
    }

    /// Returns a grant nobody will use: authd frees its login slot; the session may ask again.
    func handBack(_ session: SessionID) {
        released(GrantReleased(session: session, reason: .sessionGone))
    }

    #if DEBUG
    /// Test hook: closes the channel as a refused record would, while both roles run on.
    func closeChannelForTest() {
        lock.withLock { channel }?.close()
    }
    #endif

    private func received(_ frame: IPCFrame, on channel: IPCChannel) {
        // The charter lets nothing else through from authd.
        guard case .authReply(let reply) = frame.message else { return }
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
