import PosternCore
import PosternIPC
#if canImport(Glibc)
import Glibc
#endif

/// The listener's channels to the relay processes. A login goes to the relay with the fewest
/// sessions, so no relay nears its descriptor limit; when a relay goes away only its own sessions
/// end (their socketpairs close with it).
final class RelayPool: @unchecked Sendable {
    typealias Completion = @Sendable (RelayResult) -> Void

    private struct Relay {
        var channel: IPCChannel
        var sessions: Set<SessionID> = []
    }

    private let lock = Lock()
    private var relays: [UInt16: Relay] = [:]
    private var pending: [SessionID: (relay: UInt16, completion: Completion)] = [:]
    private let logger: EventLogger
    /// Tells the supervisor that a channel closed while both roles live, so it pairs them again.
    private let reportLost: @Sendable (PeerChannel) -> Void

    init(logger: EventLogger, reportLost: @escaping @Sendable (PeerChannel) -> Void) {
        self.logger = logger
        self.reportLost = reportLost
    }

    func attach(index: UInt16, descriptor: Int32) {
        let channel = IPCChannel(descriptor: descriptor, localRole: .listener, peer: .relay, label: "relay\(index)")
        let old: IPCChannel? = lock.withLock {
            let old = relays[index]?.channel
            relays[index] = Relay(channel: channel)
            return old
        }
        old?.close()
        channel.start(handling: [.relayResult], onMessage: { [weak self] frame in
            self?.received(frame, index: index, on: channel)
        }, onClose: { [weak self] reason in
            self?.lost(index: index, channel: channel, reason: reason)
        })
        logger.log(.peerConnected, ["peer": "relay", "index": .int(index)])
    }

    /// Hands `descriptor` (the listener's far end of the plaintext socketpair) to a relay.
    /// Returns the relay's index, or nil when no relay is connected.
    func relay(_ request: RelayRequest, descriptor: Int32, completion: @escaping Completion) -> UInt16? {
        let chosen: (UInt16, IPCChannel)? = lock.withLock {
            guard let (index, relay) = relays.min(by: { $0.value.sessions.count < $1.value.sessions.count
                || ($0.value.sessions.count == $1.value.sessions.count && $0.key < $1.key) }) else { return nil }
            relays[index]?.sessions.insert(request.session)
            pending[request.session] = (index, completion)
            return (index, relay.channel)
        }
        guard let (index, channel) = chosen else {
            close(descriptor)
            return nil
        }
        if !channel.send(.relayRequest(request), fd: descriptor) {
            // Not sent (the channel closed meanwhile, or the record could not be built): the
            // login fails as temporary, like a lost relay's.
            let failed: Completion? = lock.withLock {
                relays[index]?.sessions.remove(request.session)
                return pending.removeValue(forKey: request.session)?.completion
            }
            failed?(RelayResult(session: request.session, success: false, temporary: true,
                                reason: "the relay request could not be sent"))
        }
        return index
    }

    var tableCounts: (pending: Int, assigned: Int) {
        lock.withLock { (pending.count, relays.values.reduce(0) { $0 + $1.sessions.count }) }
    }

    func abandon(session: SessionID) {
        lock.withLock { _ = pending.removeValue(forKey: session) }
    }

    func sessionEnded(_ session: SessionID) {
        lock.withLock {
            for index in relays.keys { relays[index]?.sessions.remove(session) }
            pending[session] = nil
        }
    }

    private func received(_ frame: IPCFrame, index: UInt16, on channel: IPCChannel) {
        guard case .relayResult(let result) = frame.message else { return }
        let completion: Completion? = lock.withLock {
            guard let entry = pending[result.session], entry.relay == index else { return nil }
            pending[result.session] = nil
            return entry.completion
        }
        completion?(result)
    }

    private func lost(index: UInt16, channel: IPCChannel, reason: IPCCloseReason) {
        let failed: [(SessionID, Completion)]? = lock.withLock {
            // A channel replaced by a newer one is not a loss.
            guard relays[index]?.channel === channel else { return nil }
            relays[index] = nil
            let failed = pending.filter { $0.value.relay == index }
            for key in failed.keys { pending[key] = nil }
            return failed.map { ($0.key, $0.value.completion) }
        }
        guard let failed else { return }
        logger.log(.peerLost, ["peer": "relay", "index": .int(index), "reason": LogValue(reason.description)])
        for (session, completion) in failed {
            completion(RelayResult(session: session, success: false, temporary: true, reason: "relay process lost"))
        }
        reportLost(PeerChannel(role: .relay, index: index))
    }
}
