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
let arguments = RoleConfinement.arguments(as: .relay)
let logger = EventLogger(role: Role.relay.rawValue)
let user = RoleConfinement.enter(arguments, logger: logger, beforeFilter: TLSLibrary.initialize)
RelayDaemon(index: arguments.index, user: user).run()
