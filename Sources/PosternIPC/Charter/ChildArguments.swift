import PosternCore

/// How a role's seccomp filter acts on a call it does not allow (`[process] seccomp`).
public enum SeccompMode: String, Sendable, Codable, CaseIterable {
    case kill
    case log
}

/// The command line the supervisor starts a child with, and the child reads back: one value,
/// one encoding, so the spawner and the three `main.swift` cannot disagree on it.
public struct ChildArguments: Equatable, Sendable {
    public var role: Role
    /// Which relay (0 for the other roles).
    public var index: Int
    public var seccomp: SeccompMode

    public init(role: Role, index: Int = 0, seccomp: SeccompMode = .kill) {
        self.role = role; self.index = index; self.seccomp = seccomp
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// argv, program name first.
    public func encoded() -> [String] {
        var arguments = [RoleCharter.of(role).executable]
        // The listener shares the supervisor's executable: it is told which it is.
        if role == .listener { arguments += ["--role", role.rawValue] }
        if role == .relay { arguments += ["--index", String(index)] }
        arguments += ["--seccomp", seccomp.rawValue]
        return arguments
    }

    /// Reads what `encoded()` wrote, for `role` (the executable knows which role it carries).
    /// Anything else is refused: nobody but the supervisor starts a role.
    public static func decode(_ argv: [String], as role: Role) throws(Invalid) -> ChildArguments {
        var parsed = ChildArguments(role: role)
        var rest = ArraySlice(argv.dropFirst())
        var sawRole = false
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw Invalid(description: "\(flag) needs a value") }
            switch flag {
            case "--role" where role == .listener && value == role.rawValue && !sawRole:
                sawRole = true
            case "--index" where role == .relay:
                guard let index = Int(value), (0..<1024).contains(index) else { throw Invalid(description: "bad relay index \(value)") }
                parsed.index = index
            case "--seccomp":
                guard let mode = SeccompMode(rawValue: value) else { throw Invalid(description: "bad seccomp mode \(value)") }
                parsed.seccomp = mode
            default:
                throw Invalid(description: "unexpected argument \(flag) \(value)")
            }
        }
        guard role != .listener || sawRole else { throw Invalid(description: "--role listener missing") }
        return parsed
    }
}
