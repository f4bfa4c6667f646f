/// The states of SPEC §4: a connection is unauthenticated until it presents a username,
/// authenticating until the mail host accepts the login, then authenticated.
public enum SessionState: String, Sendable, Comparable {
    case unauthenticated
    case authenticating
    case authenticated

    public static func < (a: SessionState, b: SessionState) -> Bool { a.order < b.order }
    private var order: Int {
        switch self {
        case .unauthenticated: 0
        case .authenticating: 1
        case .authenticated: 2
        }
    }
}
