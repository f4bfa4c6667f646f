/// What a pre-authentication dialogue (IMAP, POP3, SMTP) asks its connection to do, in order.
public enum PreAuthAction: Sendable, Equatable {
    /// Bytes for the client.
    case send([UInt8])
    /// A username was presented: the session moves from unauthenticated to authenticating
    /// (which matters for eviction by the `outstanding` limit). Emitted once per connection.
    case usernamePresented
    /// Check these credentials (AAA, then the relay's login to the mail host) and report the
    /// result with `loginFinished`; the dialogue reads no further input until then.
    /// `tag` is the client's command tag, for the mail host's reply on success.
    case authenticate(LoginCredentials, tag: String)
    /// Close the connection once everything before this action has been sent.
    case close
}

/// Collects actions, joining adjacent sends so that one client round trip leaves in one write.
struct PreAuthActionBuffer {
    private(set) var actions: [PreAuthAction] = []

    mutating func send(_ text: String) {
        send(Array(text.utf8))
    }

    mutating func send(_ bytes: [UInt8]) {
        if case .send(var previous)? = actions.last {
            // Removed first, so the bytes are uniquely held and grow in place.
            actions.removeLast()
            previous += bytes
            actions.append(.send(previous))
        } else {
            actions.append(.send(bytes))
        }
    }

    mutating func append(_ action: PreAuthAction) {
        if case .send(let bytes) = action {
            send(bytes)
        } else {
            actions.append(action)
        }
    }

    mutating func append(contentsOf other: [PreAuthAction]) {
        for action in other { append(action) }
    }
}
