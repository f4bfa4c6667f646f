/// `[process]`: how many relay processes the supervisor starts, and how the seccomp
/// filters treat a call outside their policy.
public struct ProcessSettings: Codable, Sendable, Equatable {
    /// 0: one per processor core.
    public var relayProcesses: Int
    public var seccomp: SeccompMode

    public enum SeccompMode: String, Codable, Sendable, CaseIterable {
        /// The default: the process is killed (SIGSYS) and the supervisor logs the violation.
        case kill
        /// For finding a missing rule: the call is logged with its name and role, and fails.
        case log
    }

    public init(relayProcesses: Int = 0, seccomp: SeccompMode = .kill) {
        self.relayProcesses = relayProcesses
        self.seccomp = seccomp
    }

    /// The pool size to start, given the machine's core count.
    public func relayProcessCount(cores: Int) -> Int {
        relayProcesses > 0 ? relayProcesses : max(1, cores)
    }
}
