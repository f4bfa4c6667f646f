import PosternConfig
#if canImport(Glibc)
import Glibc
#endif

/// Binds the listening sockets the configuration asks for. Only the supervisor binds; the listener
/// receives the bound descriptors and never needs the privilege.
enum SocketBinder {
    struct Failure: Error, CustomStringConvertible {
        var endpoint: String
        var step: String
        var code: Int32
        var description: String { "cannot \(step) \(endpoint): " + String(cString: strerror(code)) }
    }

    static func bind(address: String, port: UInt16, backlog: Int32 = 1024) throws(Failure) -> Int32 {
        let display = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if address.contains(":") {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1 else {
                throw Failure(endpoint: display, step: "parse", code: EINVAL)
            }
            withUnsafeBytes(of: sin6) { src in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else {
                throw Failure(endpoint: display, step: "parse", code: EINVAL)
            }
            withUnsafeBytes(of: sin) { src in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Failure(endpoint: display, step: "create a socket for", code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            // "::" and "0.0.0.0" are configured as separate addresses; keep them apart.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure(endpoint: display, step: "bind", code: code)
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw Failure(endpoint: display, step: "listen on", code: code)
        }
        return fd
    }
}
