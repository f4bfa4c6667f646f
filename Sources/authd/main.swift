import PosternCore
import PosternIPC
import PosternSandbox
#if canImport(Glibc)
import Glibc
#endif

// postern-authd: the AAA role. Started by the supervisor only, with its channel at descriptor 3.
guard SupervisorLink.isStartedBySupervisor else {
    Console.error("postern-authd: this program is started by postern (the supervisor), not by hand\n")
    exit(1)
}
// libldap reads /etc/ldap/ldap.conf and ~/.ldaprc unless told not to: the configuration
// alone decides how postern talks to a directory (certificate checks included).
setenv("LDAPNOINIT", "1", 1)
let logger = EventLogger(role: Role.authd.rawValue)
let user = RoleConfinement.enter(RoleConfinement.arguments(as: .authd), logger: logger)
AuthDaemon(user: user).run()
