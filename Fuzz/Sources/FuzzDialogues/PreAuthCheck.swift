import FuzzSupport
import PosternProtocols

/// Drives a protocol's pre-authentication dialogue with one input as the client's bytes,
/// answering each login with an outcome drawn from the input, in a setup and two feedings
/// drawn from it; both feedings must agree.
public enum PreAuthCheck<Syntax: MailSyntax> {
    /// `mailHostReplies`: refusals the relay's dialogue passed on for the same input, so that
    /// the listener is also handed what the relay really produces.
    public static func run(_ bytes: [UInt8], _ setups: [PreAuthSetup<Syntax>], mailHostReplies: [String]) {
        var choices = FuzzChoices(bytes)
        let outcomes = LoginOutcomes.draw(&choices, bytes, mailHostReplies: mailHostReplies)
        let feedings = Feedings(bytes, &choices, maxCuts: 4)
        // One setup per input, not all of them: a setup is a few bits of the input's hash, so
        // the fuzzer reaches each as often, at a fraction of the cost per input.
        let setup = choices.pick(setups)
        checkGreeting(setup)
        let transcripts = feedings.all.map { drive($0, setup, outcomes) }
        // Past the bound on input held while a login is checked, the dialogue closes the
        // connection, which legitimately depends on how much arrived at once.
        if bytes.count <= setup.maxLineLength * 4 {
            require(transcripts.allSatisfy { $0 == transcripts[0] },
                    "\(setup.label): the result depends on how the input was cut into reads")
        }
    }

    private static func checkGreeting(_ setup: PreAuthSetup<Syntax>) {
        let greeting = setup.fresh.greeting()
        let replies = ClientReplies.parse(greeting, as: Syntax.self)
        require(ByteChecks.arePrintableCRLFLines(greeting) && replies?.count == 1
                    && replies.map { Syntax.isGreeting($0[0]) } == true,
                "\(setup.label): the greeting is not one greeting reply")
    }

    private static func drive(_ chunks: [ArraySlice<UInt8>], _ setup: PreAuthSetup<Syntax>,
                              _ outcomes: [LoginOutcome]) -> PreAuthTranscript<Syntax> {
        var dialogue = setup.fresh
        var transcript = PreAuthTranscript<Syntax>(setup)
        var logins = 0
        var authenticated = false
        for chunk in chunks {
            if authenticated {
                // The listener stops feeding the dialogue here; the bytes go to the relay.
                transcript.passthrough += chunk
                continue
            }
            transcript.record(dialogue.receive(chunk))
            checkClientName(dialogue, setup, transcript)
            while transcript.awaitingLogin {
                let outcome = outcomes[logins % outcomes.count]
                logins += 1
                if outcome == .success {
                    transcript.recordSuccess()
                    require(dialogue.loginFinished(.success).isEmpty, "\(setup.label): actions after a successful login")
                    authenticated = true
                    transcript.passthrough = dialogue.takeLeftover()
                    break
                }
                // What a failure and a temporary failure would have led to, from the same state,
                // for comparing with what the outcome drawn led to.
                var failing = dialogue
                var unavailable = dialogue
                let probes = [failing.loginFinished(.failure), unavailable.loginFinished(.temporaryFailure)]
                transcript.recordRefusal(outcome, dialogue.loginFinished(outcome), probes: probes)
                checkClientName(dialogue, setup, transcript)
            }
        }
        // An outcome nobody asked for changes nothing.
        require(dialogue.loginFinished(.failure).isEmpty, "\(setup.label): acted on an unrequested outcome")
        if !authenticated {
            require(dialogue.takeLeftover().isEmpty, "\(setup.label): leftover without a login")
        }
        return transcript
    }

    /// The name a client gave itself is repeated in the relay's EHLO: one token of visible ASCII.
    private static func checkClientName(_ dialogue: Syntax.Listener, _ setup: PreAuthSetup<Syntax>,
                                        _ transcript: PreAuthTranscript<Syntax>) {
        if let name = dialogue.clientName {
            require((1...255).contains(name.utf8.count) && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
                    "\(setup.label): client name \(name.debugDescription) cannot be repeated upstream")
        }
        if setup.handsOver, transcript.awaitingLogin {
            require(dialogue.clientName != nil, "\(setup.label): handed over before the client named itself")
        }
    }
}
