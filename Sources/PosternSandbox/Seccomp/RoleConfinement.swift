import CPostern
import PosternCore
import PosternIPC
#if canImport(Glibc)
import Glibc
#endif

/// The steps every role takes once started, in order (SPEC §1): load what the sandbox will
/// refuse later (time zone, name service), drop every capability, set no_new_privs and
/// non-dumpable, and install the seccomp filter — before any thread starts or any input is read.
public enum RoleConfinement {
    /// Returns the name of the user the role runs as, looked up before the filter refuses files.
    /// The role's powers come from its charter: the capabilities it keeps, its seccomp files.
    @discardableResult
    public static func enter(_ arguments: ChildArguments, logger: EventLogger, beforeFilter: () -> Void = {}) -> String {
        let charter = RoleCharter.of(arguments.role)
        tzset()
        // A peer that went away is an EPIPE to handle, never a signal that ends the role: the
        // relay splices into sockets, authd's libldap writes with plain write(2).
        signal(SIGPIPE, SIG_IGN)
        let user = SystemUser.currentName
        beforeFilter()
        do {
            try Privileges.restrict(to: charter.capabilities)
            try Privileges.setNoNewPrivileges()
            try Privileges.setNotDumpable()
            try RolePolicies.confine(charter, mode: arguments.seccomp)
        } catch {
            logger.log(.fatal, ["error": LogValue("\(error)")])
            exit(2)
        }
        TestHooks.installIfEnabled(role: arguments.role, logger: logger)
        return user
    }

    /// The child's arguments as the supervisor wrote them; anything else ends the process (a
    /// role is started by the supervisor only).
    public static func arguments(as role: Role) -> ChildArguments {
        do {
            return try ChildArguments.decode(CommandLine.arguments, as: role)
        } catch {
            Console.error("\(RoleCharter.of(role).executable): \(error)\n")
            exit(1)
        }
    }
}

/// Hooks for the test suite, compiled into debug builds only and off unless
/// POSTERN_TEST_HOOKS=1: SIGUSR2 makes the role attempt a forbidden system call (which one,
/// POSTERN_TEST_FORBIDDEN says: unset, personality; open-write, bind or mmap-exec);
/// POSTERN_TEST_GRANT_TOKEN=forged|missing makes the listener spoil the grant token of every
/// relay request, and =forged-established that of every session-established, as a compromised
/// listener would; POSTERN_TEST_JOIN_DELAY_MS=N makes the listener wait N ms before it adopts a
/// granted session's socketpair (so a test can send bytes into the join).
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

    /// Milliseconds the listener waits before adopting a granted session's socketpair.
    public static let joinDelayMilliseconds: Int64 = {
        #if DEBUG
        guard let flag = getenv("POSTERN_TEST_HOOKS"), String(cString: flag) == "1",
              let value = getenv("POSTERN_TEST_JOIN_DELAY_MS") else { return 0 }
        return Int64(String(cString: value)) ?? 0
        #else
        return 0
        #endif
    }()

    /// The token as the listener sends it to a relay: itself, unless a test spoils it.
    public static func grantToken(_ token: [UInt8]) -> [UInt8] {
        switch tokenMode {
        case "forged": spoiled(token)
        case "missing": []
        default: token
        }
    }

    /// The token as the listener sends it to authd in session-established.
    public static func establishedToken(_ token: [UInt8]) -> [UInt8] {
        tokenMode == "forged-established" ? spoiled(token) : token
    }

    private static func spoiled(_ token: [UInt8]) -> [UInt8] {
        token.isEmpty ? [] : [token[0] ^ 1] + token.dropFirst()
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
