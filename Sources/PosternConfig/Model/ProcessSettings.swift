/// `[process]`: how many relay processes the supervisor starts.
public struct ProcessSettings: Codable, Sendable, Equatable {
    /// 0: one per processor core.
    public var relayProcesses: Int

    public init(relayProcesses: Int = 0) {
        self.relayProcesses = relayProcesses
    }

    /// The pool size to start, given the machine's core count.
    public func relayProcessCount(cores: Int) -> Int {
        relayProcesses > 0 ? relayProcesses : max(1, cores)
    }
}
