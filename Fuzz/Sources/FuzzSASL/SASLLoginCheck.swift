import FuzzSupport
import PosternProtocols

/// The SASL LOGIN exchange asks for a username, then a password, then is done; it refuses a
/// response only when it is too long, holds NUL, is not UTF-8, is an empty username, or comes
/// after the end, and a refusal does not move it on.
enum SASLLoginCheck {
    static func run(_ bytes: [UInt8], maxLength: Int) {
        var exchange = SASLLoginExchange(maxResponseLength: maxLength)
        var username: [UInt8]?
        var finished = false
        for response in bytes.split(separator: 0x0A, maxSplits: 4, omittingEmptySubsequences: false) {
            let text = String(validating: response, as: UTF8.self)
            let acceptable = response.count <= maxLength && !response.contains(0) && text != nil
                && !finished && (username != nil || !response.isEmpty)
            let step: SASLLoginExchange.Step
            do {
                step = try exchange.receive(response)
            } catch {
                require(!acceptable, "SASL LOGIN: refused an acceptable response (\(error))")
                continue
            }
            require(acceptable, "SASL LOGIN: accepted a response it should refuse")
            switch step {
            case .challenge(let challenge):
                require(username == nil, "SASL LOGIN: a challenge after the username")
                require(challenge == SASLLoginExchange.passwordChallenge, "SASL LOGIN: wrong challenge")
                username = Array(response)
            case .finished(let credentials):
                require(username == Array(credentials.username.utf8), "SASL LOGIN: username changed")
                require(Array(credentials.password.utf8) == Array(response), "SASL LOGIN: password changed")
                finished = true
            }
        }
    }
}
