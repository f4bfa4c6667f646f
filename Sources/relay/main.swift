import PosternCore
import PosternIPC
import PosternSandbox
import PosternTLS
#if canImport(Glibc)
import Glibc
#endif

// postern-relay: talks to the mail hosts. Started by the supervisor only, with its channel at descriptor 3.
guard SupervisorLink.isStartedBySupervisor else {
    Console.error("postern-relay: this program is started by postern (the supervisor), not by hand\n")
    exit(1)
}
var index = 0
if let at = CommandLine.arguments.firstIndex(of: "--index"), at + 1 < CommandLine.arguments.count {
    index = Int(CommandLine.arguments[at + 1]) ?? 0
}
let logger = EventLogger(role: Role.relay.rawValue)
let user = RoleConfinement.enter(.relay, mode: RoleConfinement.seccompMode(from: CommandLine.arguments), logger: logger,
                                 beforeFilter: TLSLibrary.initialize)
RelayDaemon(index: index, user: user).run()
