#if canImport(Glibc)
import Glibc
#endif

/// A whole file read with a bound on its size: what a mistaken path (a log, a device) may cost
/// a role before it says so. Each caller words the failure for its own setting.
public enum BoundedFile {
    public enum Failure: Error, Sendable, Equatable {
        /// open(2) or read(2) failed; strerror's words.
        case unreadable(String)
        /// The file holds more than the limit.
        case tooLarge
    }

    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            bytes += buffer[..<count]
            guard bytes.count <= limit else { throw .tooLarge }
        }
    }
}
