import FuzzSupport
import PosternRADIUS

/// The secret and the requests every input is checked as a reply to: an Access-Request, an
/// Accounting-Request and a Status-Server, built by postern's own request builder with fixed
/// Request Authenticators so that a crashing input replays exactly.
enum FixedRequests {
    static let secret = Array("fuzz-shared-secret".utf8)

    static let all: [RADIUSRequest] = {
        do {
            return [
                try RADIUSRequestBuilder.accessRequest(
                    identifier: 0x2A, userName: "alice", password: Array("secret".utf8),
                    attributes: [.string(.nasIdentifier, "postern")], secret: secret,
                    requestAuthenticator: Array(0x10..<0x20)),
                try RADIUSRequestBuilder.accountingRequest(
                    identifier: 0x07, attributes: [.integer(.acctStatusType, 1), .string(.acctSessionId, "s7Kq2")],
                    secret: secret),
                try RADIUSRequestBuilder.statusServer(
                    identifier: 0xC8, attributes: [], secret: secret, requestAuthenticator: Array(0x40..<0x50)),
            ]
        } catch {
            violation("harness: cannot build the requests: \(error)")
        }
    }()

    /// RFC 2865 §3, RFC 2866 §3, RFC 5997 §3: the reply codes each request may get.
    static func acceptableReplies(to request: RADIUSRequest) -> Set<UInt8> {
        switch request.code {
        case .accessRequest: [2, 3, 11]
        case .accountingRequest: [5]
        case .statusServer: [2, 5]
        default: []
        }
    }
}
