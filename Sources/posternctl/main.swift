import PosternCore
#if canImport(Glibc)
import Glibc
#endif

// posternctl: the administrator's command (SPEC §7). Exit codes: 0 ok, 1 usage, 2 runtime failure.

let usage = """
usage: posternctl passwd USER [--policy GROUP-POLICY] [--file USERS-FILE] [--scheme yescrypt|sha512]
         Reads the password from standard input (asked twice on a terminal) and prints the
         users-file line name:hash[:group-policy]; with --file, adds or replaces USER's line there.
"""

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    Console.error(usage + "\n")
    exit(1)
}
arguments.removeFirst()

switch command {
case "passwd":
    exit(PasswdCommand.run(arguments))
case "--help", "-h", "help":
    print(usage)
    exit(0)
default:
    Console.error("posternctl: unknown command \(command)\n\(usage)\n")
    exit(1)
}
