/// The server's side of the (non-standard but ubiquitous) SASL LOGIN mechanism: prompt
/// for the username, then for the password, each answered with one base64 response.
/// Responses are passed in decoded; base64 belongs to the protocol carrying them.
public struct SASLLoginExchange: Sendable, Equatable {
    /// base64 of "Username:".
    public static let usernameChallenge = "VXNlcm5hbWU6"
    /// base64 of "Password:".
    public static let passwordChallenge = "UGFzc3dvcmQ6"
    public static let defaultMaxResponseLength = 1024

    public enum Step: Sendable, Equatable {
        /// Send this base64 challenge and wait for the next response.
        case challenge(String)
        case finished(LoginCredentials)
    }

    private enum State: Sendable, Equatable {
        case awaitingUsername
        case awaitingPassword(username: String)
        case finished
    }

    private var state = State.awaitingUsername
    private let maxResponseLength: Int

    public init(maxResponseLength: Int = defaultMaxResponseLength) {
        self.maxResponseLength = maxResponseLength
    }

    /// The challenge to send before the first response (none is needed when the client
    /// sent the username as an initial response).
    public static var firstChallenge: String { usernameChallenge }

    public mutating func receive(_ response: some Collection<UInt8>) throws(SASLLoginError) -> Step {
        guard response.count <= maxResponseLength else {
            throw .tooLong(length: response.count, limit: maxResponseLength)
        }
        guard !response.contains(ASCII.nul) else { throw .nulByte }
        guard let text = String(validating: response, as: UTF8.self) else { throw .invalidUTF8 }
        switch state {
        case .awaitingUsername:
            guard !text.isEmpty else { throw .emptyUsername }
            state = .awaitingPassword(username: text)
            return .challenge(Self.passwordChallenge)
        case .awaitingPassword(let username):
            state = .finished
            return .finished(LoginCredentials(username: username, password: text))
        case .finished:
            throw .alreadyFinished
        }
    }
}

public enum SASLLoginError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(length: Int, limit: Int)
    case nulByte
    case invalidUTF8
    case emptyUsername
    case alreadyFinished

    public var description: String {
        switch self {
        case .tooLong(let length, let limit): "SASL LOGIN response of \(length) bytes exceeds \(limit)"
        case .nulByte: "SASL LOGIN response contains a NUL byte"
        case .invalidUTF8: "SASL LOGIN response is not valid UTF-8"
        case .emptyUsername: "SASL LOGIN username is empty"
        case .alreadyFinished: "SASL LOGIN exchange already finished"
        }
    }
}
