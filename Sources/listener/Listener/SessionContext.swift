import NIOCore
import PosternConfig
import PosternCore

/// What one client session knows about itself and the listener it runs in.
struct SessionContext {
    let id: SessionID
    let handle: SessionHandle
    let proto: MailProtocol
    let interface: String
    let clientAddress: String
    let clientPort: UInt16
    let startedAt: NIODeadline
    let settings: ProtocolSettings
    let limits: LimitSettings
    let services: ListenerServices
}

/// The listener-wide services a session uses; one instance, shared across event loops.
struct ListenerServices: Sendable {
    let logger: EventLogger
    let authd: AuthdLink
    let relays: RelayPool
    let registry: SessionRegistry
}

/// Sent down a session's pipeline from another thread to close it: for the outstanding limit,
/// or at an administrator's request.
enum SessionControl: Sendable {
    case evict
    /// `posternctl kill`.
    case adminReset
}
