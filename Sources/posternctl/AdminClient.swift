import Foundation
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// Sends one request to the supervisor's admin socket and reads its one response.
enum AdminClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func send(_ request: AdminRequest, socketPath: String) throws(Failure) -> AdminResponse {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "\(socketPath): too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: " + String.errnoText(errno)) }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            let hint = code == EACCES ? " (root or the admin group only)" : code == ENOENT || code == ECONNREFUSED ? " (is postern running?)" : ""
            throw Failure(description: "cannot connect to \(socketPath): " + String.errnoText(code) + hint)
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let line: Data
        do {
            line = try JSONEncoder().encode(request) + Data([0x0a])
        } catch {
            throw Failure(description: "cannot encode the request: \(error)")
        }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw Failure(description: "write: " + String.errnoText(errno)) }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw Failure(description: "read: " + String.errnoText(errno)) }
            if n == 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        do {
            return try JSONDecoder().decode(AdminResponse.self, from: response)
        } catch {
            throw Failure(description: "the supervisor's answer is not understood: \(error)")
        }
    }
}
