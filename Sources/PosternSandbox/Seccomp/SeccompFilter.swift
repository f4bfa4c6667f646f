import CPostern
import CSeccomp
import PosternIPC
#if canImport(Glibc)
import Glibc
#endif

/// Loads a role's policy into the kernel with libseccomp (SPEC §1). The default action kills
/// the whole process; in `log` mode (a debugging aid, `[process] seccomp = "log"`) a call
/// outside the policy is logged with its name and the role, and fails with ENOSYS instead.
public enum SeccompFilter {
    public typealias Mode = SeccompMode

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func install(_ policy: SeccompPolicy, mode: Mode) throws(Failure) {
        let context = try build(policy, mode: mode)
        defer { seccomp_release(context) }
        if mode == .log {
            guard postern_seccomp_trap_logger(policy.role) == 0 else {
                throw Failure(description: "cannot install the SIGSYS handler for log mode")
            }
        }
        let rc = seccomp_load(context)
        guard rc == 0 else { throw Failure(description: "seccomp_load: " + String(cString: strerror(-rc))) }
    }

    /// The policy as the kernel will see it: each rule with its number, then libseccomp's
    /// pseudo filter code.
    public static func describe(_ policy: SeccompPolicy, mode: Mode) throws(Failure) -> String {
        var out = "# seccomp policy of the \(policy.role) role (\(policy.rules.count) rules); "
        out += "default action: \(mode == .kill ? "kill the process" : "log and fail with ENOSYS")\n"
        for rule in policy.rules {
            let number = seccomp_syscall_resolve_name(rule.syscall)
            let action: String
            switch rule.action {
            case .allow: action = "allow"
            case .errno(_, let name): action = "errno " + name
            }
            let conditions = rule.conditions.map(\.text).joined(separator: " ")
            let padded = rule.syscall + String(repeating: " ", count: max(1, 20 - rule.syscall.count))
            out += padded + String(number) + "\t" + action + (conditions.isEmpty ? "" : "\tif " + conditions) + "\n"
        }
        let context = try build(policy, mode: mode)
        defer { seccomp_release(context) }
        out += "# pseudo filter code\n"
        if let pfc = postern_seccomp_export_pfc(UnsafeMutableRawPointer(context)) {
            out += String(cString: pfc)
            free(UnsafeMutableRawPointer(mutating: pfc))
        }
        return out
    }

    private static func build(_ policy: SeccompPolicy, mode: Mode) throws(Failure) -> scmp_filter_ctx {
        let defaultAction = mode == .kill ? postern_scmp_act_kill_process() : postern_scmp_act_trap()
        guard let context = seccomp_init(defaultAction) else { throw Failure(description: "seccomp_init failed") }
        // Every thread, including any a library started before us, gets the filter.
        _ = seccomp_attr_set(context, SCMP_FLTATR_CTL_TSYNC, 1)
        for rule in policy.rules {
            let number = seccomp_syscall_resolve_name(rule.syscall)
            guard number != __NR_SCMP_ERROR else {
                seccomp_release(context)
                throw Failure(description: "policy/\(rule.file).policy:\(rule.line): \(rule.syscall) is not a system call on this architecture")
            }
            let action: UInt32
            switch rule.action {
            case .allow: action = postern_scmp_act_allow()
            case .errno(let value, _): action = postern_scmp_act_errno(UInt16(value))
            }
            let rc: Int32
            if rule.conditions.isEmpty {
                rc = postern_seccomp_rule_add0(context, action, number)
            } else {
                let arguments = rule.conditions.map(\.argument)
                let masks = rule.conditions.map(\.mask)
                let values = rule.conditions.map { c -> UInt64 in
                    switch c.value {
                    case .number(let n): return n
                    case .pid: return UInt64(getpid())
                    }
                }
                rc = postern_seccomp_rule_add_masked(context, action, number, UInt32(arguments.count), arguments, masks, values)
            }
            guard rc == 0 else {
                seccomp_release(context)
                throw Failure(description: "seccomp_rule_add(\(rule.syscall)): " + String(cString: strerror(-rc)))
            }
        }
        return context
    }
}
