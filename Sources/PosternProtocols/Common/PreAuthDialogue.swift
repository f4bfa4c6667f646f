/// What the listener needs of a protocol's pre-authentication dialogue (IMAP now; POP3 and SMTP
/// next): bytes in, actions out, and nothing of sockets, so each is tested on its own.
public protocol PreAuthDialogue: Sendable {
    /// The bytes that greet a client once TLS is up.
    func greeting() -> [UInt8]
    mutating func receive(_ bytes: some Collection<UInt8>) -> [PreAuthAction]
    /// After `.authenticate`: what AAA and the mail host decided.
    mutating func loginFinished(_ outcome: LoginOutcome) -> [PreAuthAction]
    /// What the client sent after its successful login command, to go upstream first.
    mutating func takeLeftover() -> [UInt8]
    /// The name the client gave itself (SMTP EHLO/HELO), which the relay repeats upstream.
    var clientName: String? { get }
}

extension PreAuthDialogue {
    public var clientName: String? { nil }
}
