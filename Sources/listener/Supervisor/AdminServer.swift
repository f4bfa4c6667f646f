import CPostern
import Dispatch
import Foundation
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// The admin socket (SPEC §7, `[admin]`): a Unix stream socket the supervisor serves, for root
/// and members of the admin group only (checked with SO_PEERCRED on every connection). One JSON
/// request line in, one JSON response out.
final class AdminServer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    typealias Handler = (AdminRequest, @escaping (AdminResponse) -> Void) -> Void

    private let path: String
    private let groupID: gid_t?
    private let descriptor: Int32
    private let logger: EventLogger
    private var source: DispatchSourceRead?
    private var handler: Handler?
    private static let maxRequest = 4096

    /// Binds the socket: mode 0660, group `group` (or root only without one). Call while still
    /// privileged enough to choose the socket's group.
    init(path: String, group: String?, logger: EventLogger) throws(Failure) {
        self.path = path
        self.logger = logger
        if let group {
            guard let entry = getgrnam(group) else {
                throw Failure(description: "admin.group: there is no group \(group) (the package creates postern-admin)")
            }
            groupID = entry.pointee.gr_gid
        } else {
            groupID = nil
        }
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        if stat(directory, &info) != 0, errno == ENOENT {
            try Self.createDirectory(directory, group: groupID)
        }
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw Failure(description: "admin.socket: \(directory) is not a directory")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "admin.socket: \(path) is too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "admin.socket: socket: " + String.errnoText(errno)) }
        // A socket left by an earlier run is replaced; anything else at the path is not.
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                close(fd)
                throw Failure(description: "admin.socket: \(path) exists and is not a socket")
            }
            unlink(path)
        }
        let previous = umask(0o177)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "admin.socket: cannot bind \(path): " + String.errnoText(code))
        }
        if let groupID {
            guard chown(path, 0, groupID) == 0 || geteuid() != 0, chmod(path, 0o660) == 0 else {
                let code = errno
                close(fd)
                throw Failure(description: "admin.socket: cannot give \(path) to group \(group ?? ""): " + String.errnoText(code))
            }
        }
        // Room for a burst of administrators and monitoring scripts; a full backlog refuses with EAGAIN.
        guard listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "admin.socket: listen: " + String.errnoText(code))
        }
        descriptor = fd
    }

    /// The first run without the package's tmpfiles or systemd's RuntimeDirectory (SPEC §8):
    /// the socket's directory, made here, is root's, mode 0750, its group the admin group
    /// (`[admin] group`, else `postern-admin` when it exists, else root), so only the admin
    /// group can reach the socket inside it. Only the last component is made: a missing
    /// parent is a typo more often than a fresh machine.
    private static func createDirectory(_ directory: String, group: gid_t?) throws(Failure) {
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw Failure(description: "admin.socket: cannot create the directory \(directory): " + String.errnoText(errno))
        }
        let groupID = group ?? getgrnam("postern-admin").map { $0.pointee.gr_gid } ?? 0
        if geteuid() == 0 {
            guard chown(directory, 0, groupID) == 0 else {
                throw Failure(description: "admin.socket: cannot give \(directory) to root: " + String.errnoText(errno))
            }
        }
        guard chmod(directory, 0o750) == 0 else {
            throw Failure(description: "admin.socket: cannot set the mode of \(directory): " + String.errnoText(errno))
        }
    }

    func start(on queue: DispatchQueue, handler: @escaping Handler) {
        self.handler = handler
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.acceptAll(queue: queue) }
        self.source = source
        source.resume()
    }

    private func acceptAll(queue: DispatchQueue) {
        while true {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            var pid: pid_t = 0
            var uid: uid_t = 0
            var gid: gid_t = 0
            guard postern_peer_credentials(client, &pid, &uid, &gid) == 0, permitted(client: client, uid: uid, gid: gid) else {
                logger.log(.adminRefused, ["peer-pid": .int(pid), "peer-uid": .int(uid)])
                // Answered without reading the request: the reply closes the connection after it.
                DispatchQueue.global().async { [self] in
                    reply(client, .failure("permission denied: the admin socket is for root and the admin group"))
                }
                continue
            }
            serve(client, peerUID: uid, queue: queue)
        }
    }

    /// Root, the admin group as primary group, or the admin group among the peer's supplementary
    /// groups: SO_PEERCRED carries only the primary one, SO_PEERGROUPS the others, both as they
    /// were when the peer connected. Nothing is read from /proc, which the shipped unit's
    /// ProtectProc=invisible hides from the supervisor.
    private func permitted(client: Int32, uid: uid_t, gid: gid_t) -> Bool {
        if uid == 0 { return true }
        guard let groupID else { return false }
        if gid == groupID { return true }
        var capacity = 64
        while capacity <= 65536 {
            var groups = [gid_t](repeating: 0, count: capacity)
            var needed: Int32 = 0
            let count = postern_peer_groups(client, &groups, Int32(capacity), &needed)
            if count >= 0 { return groups.prefix(Int(count)).contains(groupID) }
            guard errno == ERANGE else { return false }
            capacity = max(capacity * 2, Int(needed))
        }
        return false
    }

    /// Reads one request line (bounded, with a deadline), answers, closes.
    private func serve(_ client: Int32, peerUID: uid_t, queue: DispatchQueue) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        DispatchQueue.global().async { [self] in
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1024)
            while !request.contains(0x0a) && request.count < Self.maxRequest {
                let n = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            let line = request.split(separator: 0x0a, maxSplits: 1, omittingEmptySubsequences: false).first.map(Array.init) ?? []
            guard let decoded = try? JSONDecoder().decode(AdminRequest.self, from: Data(line)) else {
                reply(client, .failure("expected one JSON request line, e.g. {\"command\":\"status\"}"))
                return
            }
            queue.async { [self] in
                logger.log(.adminCommand, ["command": LogValue(decoded.command.rawValue), "peer-uid": .int(peerUID),
                                           "session-arg": LogValue(decoded.session)])
                handler?(decoded) { response in
                    DispatchQueue.global().async { self.reply(client, response) }
                }
            }
        }
    }

    private func reply(_ client: Int32, _ response: AdminResponse) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = encode(response)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(client, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
        // Whatever the peer sent and we did not read is drained first: closing with unread data
        // would reset the connection and the peer could lose the reply.
        shutdown(client, Int32(SHUT_WR))
        var drain = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &drain, socklen_t(MemoryLayout<timeval>.size))
        var scratch = [UInt8](repeating: 0, count: 4096)
        var budget = 64 * 1024
        while budget > 0 {
            let n = scratch.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            budget -= n
        }
        close(client)
    }

    private func encode(_ response: AdminResponse) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(response)) ?? Data("{\"ok\":false}".utf8)) + [0x0a]
    }
}
