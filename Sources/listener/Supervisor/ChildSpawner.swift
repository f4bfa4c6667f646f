import CPostern
import PosternCore
import PosternIPC
import PosternSandbox
#if canImport(Glibc)
import Glibc
#endif

/// Starts a role by fork+exec through the C helper: only async-signal-safe calls run between the
/// two, since this process is multithreaded (SPEC §1).
struct ChildSpawner {
    struct Failure: Error, CustomStringConvertible {
        var role: Role
        var code: Int32
        var description: String { "cannot start \(role.rawValue): " + String(cString: strerror(code)) }
    }

    /// The directory postern-authd and postern-relay live in (see `helperDirectory`).
    let executableDirectory: String
    /// nil when started as a plain user: every role then runs as that user.
    let users: [Role: SystemUser]?
    let selfExecutable: String

    /// Where the Debian package installs the helper executables (the FHS place for programs that
    /// only another program runs).
    static let packagedHelperDirectory = "/usr/lib/postern"

    /// `POSTERN_LIBEXEC_DIR` if set and not started as root; else the supervisor's own directory
    /// when it holds the helpers (a build tree such as .build/debug); else the package's
    /// /usr/lib/postern. As root the variable is ignored: whoever can set the environment of a
    /// root process must not choose what it runs with a role's powers.
    static func helperDirectory(selfPath: String, environment: [String: String], asRoot: Bool) -> String {
        if !asRoot, let directory = environment["POSTERN_LIBEXEC_DIR"] { return directory }
        let own = selfPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !own.isEmpty, access(own + "/" + RoleCharter.authd.executable, X_OK) == 0 { return own }
        return packagedHelperDirectory
    }

    func executablePath(for role: Role) -> String {
        role == .listener ? selfExecutable : executableDirectory + "/" + RoleCharter.of(role).executable
    }

    /// `channel` becomes descriptor 3 in the child; `stdio`, when given, its standard output and
    /// error (a journal stream of its own, whose id JOURNAL_STREAM then names).
    func spawn(_ child: ChildArguments, channel: Int32, stdio: Int32? = nil) throws(Failure) -> pid_t {
        let role = child.role
        let path = executablePath(for: role)
        let arguments = child.encoded()
        // A minimal environment: nothing of the supervisor's caller leaks into the roles.
        var environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        for key in ["JOURNAL_STREAM", "POSTERN_TEST_HOOKS", "POSTERN_TEST_GRANT_TOKEN", "POSTERN_TEST_FORBIDDEN", "POSTERN_TEST_JOIN_DELAY_MS", "LANG"] {
            if key == "JOURNAL_STREAM", let stdio {
                if let id = JournalStream.streamID(of: stdio) { environment.append(key + "=" + id) }
                continue
            }
            if let value = getenv(key) { environment.append(key + "=" + String(cString: value)) }
        }

        let cArguments = arguments.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var fds: [Int32] = [channel]
        var spec = postern_spawn_spec()
        var errorCode: Int32 = 0
        let pid: pid_t = path.withCString { cPath in
            cArguments.withUnsafeBufferPointer { argv in
                cEnvironment.withUnsafeBufferPointer { envp in
                    fds.withUnsafeMutableBufferPointer { fdBuffer in
                        spec.path = cPath
                        spec.argv = UnsafePointer(argv.baseAddress)
                        spec.envp = UnsafePointer(envp.baseAddress)
                        spec.fds = UnsafePointer(fdBuffer.baseAddress)
                        spec.nfds = Int32(fdBuffer.count)
                        spec.stdio_fd = stdio ?? -1
                        if let user = users?[role] {
                            spec.change_user = 1
                            spec.uid = user.uid
                            spec.gid = user.gid
                        }
                        return postern_spawn(&spec, &errorCode)
                    }
                }
            }
        }
        guard pid > 0 else { throw Failure(role: role, code: errorCode) }
        return pid
    }
}
