import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// Under systemd every process of the unit writes to one journal stream, whose identifier systemd
/// chose for the unit. To give each role its own identifier (`journalctl -t postern-authd`), the
/// supervisor opens one stream per child, as sd_journal_stream_fd(3) does, and makes it the child's
/// standard output and error. Outside systemd (no JOURNAL_STREAM), or if journald cannot be
/// reached, a child inherits the supervisor's standard error as before.
///
/// journald credits a stream to the process that connected it, so `_PID` of a role's lines is the
/// supervisor's; the line's own `pid=` names the role's process.
enum JournalStream {
    static let socketPath = "/run/systemd/journal/stdout"

    /// The header journald reads first on a stream (systemd's journald-stream.c): identifier, unit
    /// id (empty: journald takes the unit from the connecting process), priority 6 (info), level
    /// prefix 0 (a line holding "<3>" stays as it is), then forwarding to syslog, kmsg and console
    /// off (journald's own ForwardToSyslog= and the like still apply).
    static func header(identifier: String) -> [UInt8] {
        precondition(!identifier.isEmpty && !identifier.utf8.contains(0x0a), "one line, not empty")
        return Array((identifier + "\n\n6\n0\n0\n0\n0\n").utf8)
    }

    /// A descriptor's device and inode as JOURNAL_STREAM writes them: "DEVICE:INODE" in decimal.
    static func streamID(of fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }

    /// Whether standard error is the journal stream systemd connected (systemd.exec(5), JOURNAL_STREAM):
    /// the variable alone is not enough, since a shell started from a unit passes it on.
    static func standardErrorIsJournal() -> Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        return streamID(of: 2) == String(cString: value)
    }

    /// A stream connected to journald under `identifier`, header sent, or nil.
    static func open(identifier: String, path: String = socketPath) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        // As sd_journal_stream_fd: nothing is read from it, and a large send buffer keeps a busy
        // journald from blocking a role's write(2) at once (the kernel caps it at wmem_max).
        _ = shutdown(fd, Int32(SHUT_RD))
        var size: Int32 = 8 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let header = header(identifier: identifier)
        let written = header.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == header.count else {
            close(fd)
            return nil
        }
        return fd
    }
}

extension Role {
    /// The journal identifier (SYSLOG_IDENTIFIER) of the role's lines under systemd; the unit file
    /// gives the supervisor's as SyslogIdentifier=postern-supervisor.
    var journalIdentifier: String { "postern-" + rawValue }
}
