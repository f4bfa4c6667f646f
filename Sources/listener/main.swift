import NIOCore
import PosternConfig
import PosternCore
import PosternIPC
import PosternSandbox
import PosternTLS
#if canImport(Glibc)
import Glibc
#endif

// postern: the supervisor (default), `check-config`, or — started by the supervisor only —
// the listener role. Exit codes (SPEC §7): 0 ok, 1 configuration or usage error, 2 runtime failure.

let usage = """
usage: postern [--config FILE] [--foreground]
       postern check-config [--config FILE]
       postern --print-seccomp-policy supervisor|listener|authd|relay
       postern --version
"""

// The listener role: the supervisor re-executes this program with the arguments it encoded.
if CommandLine.arguments.dropFirst().first == "--role" {
    guard SupervisorLink.isStartedBySupervisor else {
        Console.error("postern: --role is for the supervisor's own use\n")
        exit(1)
    }
    let child = RoleConfinement.arguments(as: .listener)
    let logger = EventLogger(role: Role.listener.rawValue)
    // NIO reads the core count from cgroup files: before the filter refuses them.
    let threads = System.coreCount
    let user = RoleConfinement.enter(child, logger: logger, beforeFilter: TLSLibrary.initialize)
    ListenerRole(threads: threads).run(user: user)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var configPath = "/etc/postern/postern.toml"
var command = "run"
var printRole = ""

while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--config", "-c":
        guard !arguments.isEmpty else { Console.error("postern: --config needs a file\n\(usage)\n"); exit(1) }
        configPath = arguments.removeFirst()
    case "--foreground", "-f":
        // postern always stays in the foreground (systemd runs it as Type=simple); accepted for scripts.
        break
    case "--print-seccomp-policy":
        guard !arguments.isEmpty else { Console.error("postern: --print-seccomp-policy needs a role\n\(usage)"); exit(1) }
        command = "print-seccomp-policy"
        printRole = arguments.removeFirst()
    case "check-config":
        command = "check-config"
    case "--version":
        print("postern \(PosternVersion.current)")
        exit(0)
    case "--help", "-h":
        print(usage)
        exit(0)
    default:
        Console.error("postern: unknown argument \(argument)\n\(usage)\n")
        exit(1)
    }
}

if command == "print-seccomp-policy" {
    guard let printed = Role(rawValue: printRole) else {
        Console.error("postern: no role \(printRole); one of supervisor, listener, authd, relay")
        exit(1)
    }
    do {
        print(try SeccompFilter.describe(RolePolicies.policy(for: printed), mode: .kill), terminator: "")
        exit(0)
    } catch {
        Console.error("postern: \(error)")
        exit(2)
    }
}

let configuration: PosternConfiguration
do {
    configuration = try ConfigLoader.load(path: configPath)
} catch {
    Console.error("postern: \(error)\n")
    if command == "run" {
        EventLogger(role: Role.supervisor.rawValue).log(.configRejected, ["file": LogValue(configPath), "error": LogValue(error.description)])
    }
    exit(1)
}

if command == "check-config" {
    print("\(configPath): ok")
    exit(0)
}

do {
    let supervisor = try Supervisor(configPath: configPath, configuration: configuration)
    try supervisor.run()
} catch {
    Console.error("postern: \(error)\n")
    EventLogger(role: Role.supervisor.rawValue).log(.fatal, ["error": LogValue(error.description)])
    exit(error.exitCode)
}
