/// The server's side of one SASL PLAIN or LOGIN exchange (RFC 4616, the LOGIN draft), shared
/// by the IMAP, POP3 and SMTP pre-authentication dialogues: what each client response means.
/// Each dialogue words the answer in its own protocol.
public struct SASLServerExchange: Sendable {
    public enum Step: Equatable, Sendable {
        /// Send this base64 challenge and wait for the next response.
        case challenge(String)
        case finished(LoginCredentials)
        /// The client answered `*`.
        case cancelled
        case invalidBase64
        /// Decoded, but not a PLAIN message or LOGIN answer we accept.
        case invalidMessage
        /// PLAIN asked to act as another user.
        case authorizationRefused
    }

    private enum Mechanism: Sendable {
        case plain
        case login(SASLLoginExchange)
    }

    private var mechanism: Mechanism

    public init(_ mechanism: SASLMechanism) {
        switch mechanism {
        case .plain: self.mechanism = .plain
        case .login: self.mechanism = .login(SASLLoginExchange())
        }
    }

    /// A response sent with the command (SASL-IR, RFC 4954/5034): `=` stands for an empty one.
    public mutating func initialResponse(_ bytes: [UInt8]) -> Step {
        if bytes == [ASCII.equals] { return decoded([]) }
        guard let decoded = try? StrictBase64.decode(bytes) else { return .invalidBase64 }
        return self.decoded(decoded)
    }

    /// A response line after a challenge; `*` cancels.
    public mutating func response(_ line: [UInt8]) -> Step {
        if line == [ASCII.asterisk] { return .cancelled }
        guard let decoded = try? StrictBase64.decode(line) else { return .invalidBase64 }
        return self.decoded(decoded)
    }

    private mutating func decoded(_ response: [UInt8]) -> Step {
        switch mechanism {
        case .plain:
            guard let message = try? SASLPlain.decode(response),
                  LoginCredentials.isAcceptableUsername(message.credentials.username) else {
                return .invalidMessage
            }
            guard message.authorizesOnlyItself else { return .authorizationRefused }
            return .finished(message.credentials)
        case .login(var login):
            let step: SASLLoginExchange.Step
            do {
                step = try login.receive(response)
            } catch {
                return .invalidMessage
            }
            mechanism = .login(login)
            switch step {
            case .challenge(let challenge):
                return .challenge(challenge)
            case .finished(let credentials):
                guard LoginCredentials.isAcceptableUsername(credentials.username) else { return .invalidMessage }
                return .finished(credentials)
            }
        }
    }
}
