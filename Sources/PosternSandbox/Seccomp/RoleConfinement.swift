import CPostern
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// The steps every role takes once started, in order (SPEC §1): load what the sandbox will
/// refuse later (time zone, name service), drop every capability, set no_new_privs and
/// non-dumpable, and install the seccomp filter — before any thread starts or any input is read.
public enum RoleConfinement {
    /// The seccomp mode the supervisor passed (`--seccomp kill|log`); kill unless told otherwise.
    public static func seccompMode(from arguments: [String]) -> SeccompFilter.Mode {
        guard let at = arguments.firstIndex(of: "--seccomp"), at + 1 < arguments.count,
              let mode = SeccompFilter.Mode(rawValue: arguments[at + 1]) else { return .kill }
        return mode
    }

    /// Returns the name of the user the role runs as, looked up before the filter refuses files.
    @discardableResult
    public static func enter(_ role: Role, mode: SeccompFilter.Mode, logger: EventLogger,
                             beforeFilter: () -> Void = {}) -> String {
        tzset()
        // A peer that went away is an EPIPE to handle, never a signal that ends the role: the
        // relay splices into sockets, authd's libldap writes with plain write(2).
        signal(SIGPIPE, SIG_IGN)
        let user = SystemUser.currentName
        beforeFilter()
        do {
            try Privileges.dropAll()
            try RolePolicies.confine(role, mode: mode)
        } catch {
            logger.log(.fatal, ["error": LogValue("\(error)")])
            exit(2)
        }
        TestHooks.installIfEnabled(role: role, logger: logger)
        return user
    }
}

/// Hooks for the test suite, compiled into debug builds only and off unless
/// POSTERN_TEST_HOOKS=1: SIGUSR2 makes the role attempt a forbidden system call;
/// POSTERN_TEST_GRANT_TOKEN=forged|missing makes the listener spoil the grant token of every
/// relay request, as a compromised listener would.
public enum TestHooks {
    private static let tokenMode: String? = {
        #if DEBUG
        guard let flag = getenv("POSTERN_TEST_HOOKS"), String(cString: flag) == "1",
              let mode = getenv("POSTERN_TEST_GRANT_TOKEN") else { return nil }
        return String(cString: mode)
        #else
        return nil
        #endif
    }()

    /// The token as the listener sends it to a relay: itself, unless a test spoils it.
    public static func grantToken(_ token: [UInt8]) -> [UInt8] {
        switch tokenMode {
        case "forged": token.isEmpty ? [] : [token[0] ^ 1] + token.dropFirst()
        case "missing": []
        default: token
        }
    }

    public static func installIfEnabled(role: Role, logger: EventLogger) {
        guard let flag = getenv("POSTERN_TEST_HOOKS"), String(cString: flag) == "1" else { return }
        #if DEBUG
        _ = postern_install_test_violation_trigger()
        #else
        logger.log(.testHooksRefused, ["reason": "POSTERN_TEST_HOOKS is honoured by test builds only"])
        #endif
    }
}
