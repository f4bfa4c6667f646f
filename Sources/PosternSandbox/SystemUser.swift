#if canImport(Glibc)
import Glibc
#endif

/// A system account a role runs as.
public struct SystemUser: Sendable, Equatable {
    public var name: String
    public var uid: uid_t
    public var gid: gid_t

    public static func lookup(_ name: String) -> SystemUser? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return SystemUser(name: name, uid: pwd.pw_uid, gid: pwd.pw_gid)
    }

    public static func current() -> SystemUser {
        let uid = getuid()
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let name = getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: pwd.pw_name) : String(uid)
        return SystemUser(name: name, uid: uid, gid: getgid())
    }
}

extension SystemUser {
    public static var currentName: String { current().name }
}
