/// Why a session ended: the listener's log field (`session-closed reason=`), the record that
/// tells authd, and from it the RADIUS Acct-Terminate-Cause. One list, so a new way to end a
/// session cannot be logged one way and accounted another.
public enum SessionCloseReason: UInt8, Sendable, CaseIterable {
    case clientClosed = 1
    /// The client's last words were IMAP LOGOUT or POP3/SMTP QUIT.
    case clientLogout
    /// The pre-authentication dialogue ended the session (LOGOUT, QUIT, too many bad commands).
    case closedByDialogue
    case mailHostClosed
    case idleTimeout
    case preauthIdleTimeout
    /// Not authenticated within `preauth-max-time`, whatever it sent.
    case preauthMaxTime
    case maxSessionTime
    /// `posternctl kill`.
    case adminReset
    /// Closed to make room under `outstanding` (SPEC §4).
    case evicted
    case tlsFailed
    case tlsError
    case clientError
    case tooManyFailures
    case internalError
    /// postern is stopping.
    case shutdown

    /// The word in the log.
    public var name: String {
        switch self {
        case .clientClosed: "client-closed"
        case .clientLogout: "client-logout"
        case .closedByDialogue: "closed-by-dialogue"
        case .mailHostClosed: "mail-host-closed"
        case .idleTimeout: "idle-timeout"
        case .preauthIdleTimeout: "preauth-idle-timeout"
        case .preauthMaxTime: "preauth-max-time"
        case .maxSessionTime: "max-session-time"
        case .adminReset: "admin-reset"
        case .evicted: "evicted"
        case .tlsFailed: "tls-failed"
        case .tlsError: "tls-error"
        case .clientError: "client-error"
        case .tooManyFailures: "too-many-failures"
        case .internalError: "internal-error"
        case .shutdown: "shutdown"
        }
    }
}

/// Why the listener gives back a grant it could not use (`grant-released`): the login slot is
/// freed, no accounting is sent, and the session may try again.
public enum GrantReleaseReason: UInt8, Sendable, CaseIterable {
    /// The mail host refused the mail credentials: counts as a failed login (penalty).
    case mailHostRefused = 1
    /// The mail host or a relay could not be reached, or answered "try later".
    case mailHostUnavailable
    /// Nobody waits for the grant any more: the session timed out, closed or was evicted.
    case sessionGone

    public var name: String {
        switch self {
        case .mailHostRefused: "mail-host-refused"
        case .mailHostUnavailable: "mail-host-unavailable"
        case .sessionGone: "session-gone"
        }
    }

    /// Whether authd counts it against the address and the user (SPEC §3's penalty).
    public var isFailedLogin: Bool { self == .mailHostRefused }
}
