/// One role's seccomp allowlist, parsed from the readable text under `policy/`: a role's filter
/// is `runtime.policy` followed by its own file (`RolePolicies`).
///
/// One rule a line: a system call name, then optional argument conditions, then optionally
/// `errno NAME` for a harmless probe that should fail instead of killing. `#` starts a comment.
///
///     futex
///     ioctl      arg1=0x541b              # FIONREAD only
///     clone      arg0&0x10000=0x10000     # threads only (CLONE_THREAD)
///     tgkill     arg0=$pid                # signals to our own threads only
///     socket     errno EACCES             # name-service and syslog probes
///
/// A call that matches no rule kills the process.
public struct SeccompPolicy: Sendable, Equatable {
    public enum Action: Sendable, Equatable, Hashable {
        case allow
        case errno(Int32, name: String)
    }

    public enum Operand: Sendable, Equatable, Hashable {
        case number(UInt64)
        /// The process id of the process that installs the filter.
        case pid
    }

    /// `arg[index] & mask == value`; a plain `argN=value` has a mask of all ones.
    public struct Condition: Sendable, Equatable, Hashable {
        public var argument: UInt32
        public var mask: UInt64
        public var value: Operand

        /// In policy syntax, numbers in hexadecimal: `arg1=0x541b`, `arg0&0x10000=0x10000`.
        public var text: String {
            let operand: String
            switch value {
            case .number(let n): operand = "0x" + String(n, radix: 16)
            case .pid: operand = "$pid"
            }
            return mask == .max ? "arg\(argument)=\(operand)" : "arg\(argument)&0x\(String(mask, radix: 16))=\(operand)"
        }
    }

    public struct Rule: Sendable, Equatable {
        public var syscall: String
        public var conditions: [Condition]
        public var action: Action
        /// Where the rule was written: `policy/FILE.policy`, line `line`.
        public var file: String
        public var line: Int

        /// The rule in policy syntax without its comment, numbers in hexadecimal.
        public var text: String {
            var words = [syscall] + conditions.map(\.text)
            if case .errno(_, let name) = action { words += ["errno", name] }
            return words.joined(separator: " ")
        }

        /// What makes two rules the same rule: the call and its conditions, whatever the action.
        var key: String { syscall + " " + conditions.map { "\($0)" }.joined(separator: " ") }
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        /// The policy file's name without `.policy`: a role's, or `runtime`.
        public var file: String
        public var line: Int
        public var problem: String
        public var description: String { "policy/\(file).policy:\(line): \(problem)" }
    }

    /// The role whose filter this is; for a policy read from one file, that file's name.
    public let role: String
    public let rules: [Rule]

    /// The errno names a probe may be answered with.
    static let errnoValues: [String: Int32] = ["EACCES": 13, "EPERM": 1, "ENOSYS": 38, "ENOENT": 2]

    public init(role: String, rules: [Rule]) {
        self.role = role
        self.rules = rules
    }

    /// Parses `policy/ROLE.policy`; `role` also names the file in errors (`runtime` for the shared part).
    public init(role: String, text: String) throws(ParseError) {
        var rules: [Rule] = []
        var seen: Set<String> = []
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var words = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { continue }
            let name = words.removeFirst()
            func fail(_ problem: String) -> ParseError { ParseError(file: role, line: lineNumber, problem: problem) }
            guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw fail("\(name) is not a system call name")
            }
            var action = Action.allow
            if words.count >= 2, words[words.count - 2] == "errno" {
                guard let value = Self.errnoValues[words[words.count - 1]] else {
                    throw fail("unknown errno \(words[words.count - 1])")
                }
                action = .errno(value, name: words[words.count - 1])
                words.removeLast(2)
            }
            var conditions: [Condition] = []
            for word in words {
                guard let condition = Self.condition(word) else {
                    throw fail("expected argN=VALUE, argN&MASK=VALUE or errno NAME, got \(word)")
                }
                conditions.append(condition)
            }
            let rule = Rule(syscall: name, conditions: conditions, action: action, file: role, line: lineNumber)
            guard seen.insert(rule.key).inserted else { throw fail("\(name) is listed twice with the same conditions") }
            rules.append(rule)
        }
        self.role = role
        self.rules = rules
    }

    public var syscalls: Set<String> { Set(rules.map(\.syscall)) }

    private static func condition(_ word: String) -> Condition? {
        guard word.hasPrefix("arg"), let equals = word.firstIndex(of: "=") else { return nil }
        let left = word[word.index(word.startIndex, offsetBy: 3)..<equals]
        let right = word[word.index(after: equals)...]
        let indexText: Substring
        var mask = UInt64.max
        if let amp = left.firstIndex(of: "&") {
            indexText = left[..<amp]
            guard let m = number(left[left.index(after: amp)...]) else { return nil }
            mask = m
        } else {
            indexText = left
        }
        guard let index = UInt32(indexText), index < 6 else { return nil }
        let value: Operand
        if right == "$pid" {
            value = .pid
        } else if let n = number(right) {
            value = .number(n)
        } else {
            return nil
        }
        return Condition(argument: index, mask: mask, value: value)
    }

    private static func number(_ text: Substring) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    /// `base`'s rules followed by this policy's, as one filter of this role: how a role's filter is
    /// made of `runtime.policy` and its own file. A rule in both (the same call with the same
    /// conditions, whatever the action) is an error, like a rule listed twice in one file: each rule
    /// has one home, so moving a call into the runtime cannot leave a stale copy that later edits
    /// miss, and no action silently wins over another.
    public func following(_ base: SeccompPolicy) throws(ParseError) -> SeccompPolicy {
        let baseRules = Dictionary(base.rules.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for rule in rules {
            if let earlier = baseRules[rule.key] {
                throw ParseError(file: rule.file, line: rule.line,
                                 problem: "\(rule.syscall) is already in policy/\(earlier.file).policy:\(earlier.line)")
            }
        }
        return SeccompPolicy(role: role, rules: base.rules + rules)
    }

    /// This policy with every rule of `other` that it does not already cover: a call this policy
    /// allows unconditionally needs nothing more, and where the two differ only in action the
    /// allowing one wins. For the supervisor, whose filter its children inherit (filters stack),
    /// so that what a child needs is not killed by the supervisor's filter before its own.
    public func covering(_ other: SeccompPolicy) -> SeccompPolicy {
        var merged = rules
        for rule in other.rules {
            if merged.contains(where: { $0.syscall == rule.syscall && $0.conditions.isEmpty && $0.action == .allow }) {
                continue
            }
            if let at = merged.firstIndex(where: { $0.syscall == rule.syscall && $0.conditions == rule.conditions }) {
                if rule.action == .allow { merged[at].action = .allow }
            } else {
                merged.append(rule)
            }
        }
        return SeccompPolicy(role: role, rules: merged)
    }
}
