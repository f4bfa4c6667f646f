import CCap
import CPostern
import PosternCore
import PosternIPC
#if canImport(Glibc)
import Glibc
#endif

/// Capability and process-attribute handling shared by every role (SPEC §1).
public enum Privileges {
    public struct Failure: Error, CustomStringConvertible {
        public var step: String
        public var code: Int32
        public var description: String { step + ": " + String(cString: strerror(code)) }
    }

    /// Keeps exactly the charter's `capabilities` (none for the listener, authd and relays) in
    /// the permitted and effective sets and removes every other capability from the bounding
    /// set; clears the ambient and inheritable sets.
    public static func restrict(to capabilities: [Capability]) throws(Failure) {
        var keep: [cap_value_t] = []
        for capability in capabilities {
            var value = cap_value_t(0)
            guard cap_from_name(capability.rawValue, &value) == 0 else {
                throw Failure(step: "cap_from_name(\(capability.rawValue))", code: errno)
            }
            keep.append(value)
        }
        try restrict(values: keep)
    }

    private static func restrict(values keep: [cap_value_t]) throws(Failure) {
        _ = postern_ambient_clear()
        var lastCap = Int32(CAP_LAST_CAP)
        if let f = fopen("/proc/sys/kernel/cap_last_cap", "r") {
            var value: Int32 = 0
            if fscanfInt(f, &value) { lastCap = value }
            fclose(f)
        }
        // The bounding set can only shrink, and only with CAP_SETPCAP; without it (a plain user)
        // there is nothing in it that no_new_privs would let us use anyway.
        let canDropBounding = hasEffective(CAP_SETPCAP)
        if canDropBounding {
            for cap in 0...lastCap where !keep.contains(cap_value_t(cap)) {
                if postern_capbset_read(cap) == 1, postern_capbset_drop(cap) != 0 {
                    throw Failure(step: "dropping capability \(cap) from the bounding set", code: errno)
                }
            }
        }
        guard let caps = cap_init() else { throw Failure(step: "cap_init", code: errno) }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        if !keep.isEmpty {
            var list = keep
            let count = Int32(list.count)
            guard cap_set_flag(caps, CAP_PERMITTED, count, &list, CAP_SET) == 0,
                  cap_set_flag(caps, CAP_EFFECTIVE, count, &list, CAP_SET) == 0 else {
                throw Failure(step: "cap_set_flag", code: errno)
            }
        }
        guard cap_set_proc(caps) == 0 else { throw Failure(step: "cap_set_proc", code: errno) }
    }

    public static func setNoNewPrivileges() throws(Failure) {
        guard postern_set_no_new_privs() == 0 else { throw Failure(step: "PR_SET_NO_NEW_PRIVS", code: errno) }
    }

    public static func setNotDumpable() throws(Failure) {
        guard postern_set_dumpable(0) == 0 else { throw Failure(step: "PR_SET_DUMPABLE", code: errno) }
    }

    public static func hasEffective(_ cap: cap_value_t) -> Bool {
        guard let caps = cap_get_proc() else { return false }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        var value = cap_flag_value_t(rawValue: 0)
        guard cap_get_flag(caps, cap, CAP_EFFECTIVE, &value) == 0 else { return false }
        return value == CAP_SET
    }

    private static func fscanfInt(_ f: UnsafeMutablePointer<FILE>, _ out: inout Int32) -> Bool {
        var buffer = [CChar](repeating: 0, count: 32)
        guard fgets(&buffer, 32, f) != nil else { return false }
        guard let v = Int32(String(nulTerminated: buffer).trimmingWhitespace()) else { return false }
        out = v
        return true
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
