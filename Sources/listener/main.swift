import PosternConfig
import PosternCore
import PosternIPC
#if canImport(Glibc)
import Glibc
#endif

// postern: the supervisor (default), `check-config`, or — started by the supervisor only —
// the listener role. Exit codes (SPEC §7): 0 ok, 1 configuration or usage error, 2 runtime failure.

let usage = """
usage: postern [--config FILE] [--foreground]
       postern check-config [--config FILE]
       postern --version
"""

var arguments = Array(CommandLine.arguments.dropFirst())
var configPath = "/etc/postern/postern.toml"
var command = "run"
var role: String?

while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--config", "-c":
        guard !arguments.isEmpty else { Console.error("postern: --config needs a file\n\(usage)\n"); exit(1) }
        configPath = arguments.removeFirst()
    case "--foreground", "-f":
        // postern always stays in the foreground (systemd runs it as Type=simple); accepted for scripts.
        break
    case "--role":
        guard !arguments.isEmpty else { exit(1) }
        role = arguments.removeFirst()
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

if let role {
    guard role == "listener", SupervisorLink.isStartedBySupervisor else {
        Console.error("postern: --role is for the supervisor's own use\n")
        exit(1)
    }
    ListenerRole().run()
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
