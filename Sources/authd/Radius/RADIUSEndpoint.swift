import CPostern
import Dispatch
import PosternCore
import PosternRADIUS
#if canImport(Glibc)
import Glibc
#endif

/// One RADIUS server's authentication port: a connected UDP socket read by a dispatch source
/// on authd's queue, and the identifiers in flight on it.
/// Confined to authd's queue.
final class RADIUSEndpoint: @unchecked Sendable {
    let name: String
    let nasAddress: String?
    private let descriptor: Int32
    private let source: DispatchSourceRead
    var identifiers = RADIUSIdentifierPool<Int>()
    private var buffer = [UInt8](repeating: 0, count: RADIUSPacket.maximumLength + 1)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Resolves and connects; a host name is resolved here, once (configure addresses to avoid it).
    init(host: String, port: UInt16, queue: DispatchQueue, received: @escaping ([UInt8]) -> Void) throws(Failure) {
        name = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var code: Int32 = 0
        let fd = postern_connect_udp(host, port, &code)
        guard fd >= 0 else { throw Failure(description: "cannot reach \(name): " + String.errnoText(code)) }
        descriptor = fd
        var local = [CChar](repeating: 0, count: 64)
        nasAddress = postern_local_address(fd, &local, local.count) == 0 ? String(nulTerminated: local) : nil
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { return }
                received(Array(buffer[0..<n]))
            }
        }
        source.setCancelHandler { close(fd) }
        source.resume()
    }

    func send(_ datagram: [UInt8]) {
        // A full socket buffer loses the datagram like the network would; the retry covers it.
        _ = datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
    }

    deinit {
        source.cancel()
    }
}
