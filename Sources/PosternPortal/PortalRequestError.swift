/// Why the portal refuses what a browser sent. The browser gets a generic page with the HTTP
/// status; the log gets `reason`.
public enum PortalRequestError: Error, Sendable, Equatable {
    /// A form that is not `application/x-www-form-urlencoded` as RFC 1866 and the URL Standard
    /// write it: a bad `%` escape, bytes that are not UTF-8, a field named twice.
    case malformedForm(String)
    /// More fields, or a longer name or value, than the portal's forms ever hold.
    case formTooLarge(String)
    /// A form posted without the CSRF token the page carried, or with another one.
    case csrfRejected

    public var reason: String {
        switch self {
        case .malformedForm(let detail): "malformed form: \(detail)"
        case .formTooLarge(let detail): "form too large: \(detail)"
        case .csrfRejected: "CSRF token missing or not this page's"
        }
    }
}
