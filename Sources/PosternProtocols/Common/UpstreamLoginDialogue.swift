/// What the relay needs of a protocol's login to the mail host: bytes in, actions out.
public protocol UpstreamLoginDialogue: Sendable {
    mutating func receive(_ bytes: some Collection<UInt8>) -> [UpstreamLoginAction]
    /// After `.startTLS`: the upstream connection now speaks TLS.
    mutating func tlsEstablished() -> [UpstreamLoginAction]
    /// What the mail host sent after its reply to the login, for the joined stream.
    mutating func takeLeftover() -> [UInt8]
}

extension IMAPUpstreamLogin: UpstreamLoginDialogue {}
