import FuzzSupport
import PosternProtocols

/// The answers the listener's dialogue gets to its logins, drawn from the input.
enum LoginOutcomes {
    /// Mail host refusals as the relay passes them on, realistic and not: a locked maildrop,
    /// SMTP's multi-line and temporary replies, a second reply smuggled after a line break,
    /// and text that is no refusal at all.
    static let cannedRefusals = [
        "-ERR [IN-USE] Mailbox is locked by another POP3 session",
        "-ERR [SYS/TEMP] Try again later",
        "-ERR [AUTH] Password expired",
        "-ERR locked\r\n+OK 0 messages",
        "535 5.7.8 Error: authentication failed: bad credentials",
        "454 4.7.0 Temporary authentication failure",
        "535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more",
        "421 4.3.2 Shutting down\r\n250 2.0.0 OK",
        "+OK no refusal",
        "NO [AUTHENTICATIONFAILED] Authentication failed.",
        "garbage",
        "",
    ]

    /// Four outcomes, used in turn. A refusal's text comes from what the relay's dialogue made of
    /// the same input (`mailHostReplies`), from a canned list, or from the input's own bytes.
    static func draw(_ choices: inout FuzzChoices, _ bytes: [UInt8], mailHostReplies: [String]) -> [LoginOutcome] {
        let start = choices.below(bytes.count + 1)
        let end = start + choices.below(bytes.count - start + 1)
        let fromInput = String(decoding: bytes[start..<end], as: UTF8.self)
        let refusals = mailHostReplies + cannedRefusals + [fromInput]
        return (0..<4).map { _ in
            switch choices.below(4) {
            case 0: .success
            case 1: .failure
            case 2: .temporaryFailure
            default: .refusedByMailHost(reply: choices.pick(refusals))
            }
        }
    }
}
