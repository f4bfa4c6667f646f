import FuzzSupport
import PosternProtocols

/// Drives `IMAPPreAuthMachine` with one input, answering each login with an outcome drawn from
/// the input, once in one read and once cut at places drawn from it; both must agree.
enum PreAuthCheck {
    /// Small enough that the fuzzer reaches every limit with short inputs.
    static let tightLimits = IMAPLimits(maxLineLength: 40, maxLiteralSize: 24, maxFailedAttempts: 2,
                                        maxInvalidCommands: 3)

    static func run(_ bytes: [UInt8]) {
        var choices = FuzzChoices(bytes)
        let outcomes: [LoginOutcome] = (0..<4).map { _ in choices.pick([.success, .failure, .temporaryFailure]) }
        let chunks = choices.chunks(of: bytes, maxCuts: 4)
        for limits in [IMAPLimits(), tightLimits] {
            let whole = drive([bytes[...]], limits: limits, outcomes: outcomes)
            let cut = drive(chunks, limits: limits, outcomes: outcomes)
            // IMAPLimits.maxPendingInput (internal): past it, holding input while a login is checked
            // closes the connection, which legitimately depends on how much arrived at once.
            if bytes.count <= limits.maxLineLength * 4 {
                require(whole == cut, "pre-auth: the result depends on how the input was cut into reads")
            }
        }
    }

    static func drive(_ chunks: [ArraySlice<UInt8>], limits: IMAPLimits, outcomes: [LoginOutcome]) -> PreAuthTranscript {
        var machine = IMAPPreAuthMachine(limits: limits)
        require(ByteChecks.arePrintableCRLFLines(machine.greeting()), "pre-auth: greeting is not a CRLF line")
        var transcript = PreAuthTranscript()
        var logins = 0
        var authenticated = false
        for chunk in chunks {
            if authenticated {
                // The listener stops feeding the dialogue here; the bytes go to the relay.
                transcript.passthrough += chunk
                continue
            }
            transcript.record(machine.receive(chunk))
            while transcript.awaitingLogin {
                let outcome = outcomes[logins % outcomes.count]
                logins += 1
                transcript.record(outcome)
                let actions = machine.loginFinished(outcome)
                if outcome == .success {
                    require(actions.isEmpty, "pre-auth: actions after a successful login")
                    authenticated = true
                    transcript.passthrough = machine.takeLeftover()
                    break
                }
                transcript.record(actions)
            }
        }
        // An outcome nobody asked for changes nothing.
        require(machine.loginFinished(.failure).isEmpty, "pre-auth: acted on an unrequested outcome")
        if !authenticated {
            require(machine.takeLeftover().isEmpty, "pre-auth: leftover without a login")
        }
        return transcript
    }
}
