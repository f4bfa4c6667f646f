import PosternCore
#if canImport(Glibc)
import Glibc
#endif

// posternctl: the administrator's command (SPEC §7). Exit codes: 0 ok, 1 usage, 2 runtime failure.

let usage = """
usage: posternctl [--socket PATH] [--json] status | sessions | kill SESSION | reload
       posternctl passwd USER [--policy GROUP-POLICY] [--file USERS-FILE] [--scheme yescrypt|sha512]

  status     the supervisor, its roles and listening sockets
  sessions   every client session: protocol, client, users, mail host, policy, state, age, bytes
  kill       ends a session (by the id the log and `sessions` show)
  reload     reads the configuration again (as SIGHUP does); a bad file is refused
  passwd     reads a password from standard input (asked twice on a terminal) and prints the
             users-file line name:hash[:group-policy]; with --file, adds or replaces USER's line
  --socket   the admin socket [/run/postern/admin.sock]
"""

var arguments = Array(CommandLine.arguments.dropFirst())
var socketPath = "/run/postern/admin.sock"
var json = false
var words: [String] = []
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--socket":
        guard !arguments.isEmpty else { Console.error("posternctl: --socket needs a path\n\(usage)"); exit(1) }
        socketPath = arguments.removeFirst()
    case "--json":
        json = true
    case "--help", "-h", "help":
        print(usage)
        exit(0)
    case "passwd":
        exit(PasswdCommand.run(arguments))
    default:
        words.append(argument)
    }
}

guard let command = words.first else {
    Console.error(usage)
    exit(1)
}
switch (command, words.count) {
case ("status", 1): exit(AdminCommands.run(.status, session: nil, socketPath: socketPath, json: json))
case ("sessions", 1): exit(AdminCommands.run(.sessions, session: nil, socketPath: socketPath, json: json))
case ("reload", 1): exit(AdminCommands.run(.reload, session: nil, socketPath: socketPath, json: json))
case ("kill", 2): exit(AdminCommands.run(.kill, session: words[1], socketPath: socketPath, json: json))
default:
    Console.error("posternctl: unknown command \(words.joined(separator: " "))\n\(usage)")
    exit(1)
}
