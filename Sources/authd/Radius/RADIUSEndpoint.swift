import CPostern
import Dispatch
import PosternCore
import PosternRADIUS
#if canImport(Glibc)
import Glibc
#endif

/// One RADIUS server port: connected UDP sockets to it, each read by a dispatch source on
/// authd's queue, and the identifiers in flight on each (`RADIUSSocketPool`). The first socket
/// is opened here and kept; another (a new source port, 256 more identifiers) is opened when
/// every identifier of the open ones is in flight, up to 16; one with nothing in flight for a
/// minute is closed when the next request comes. Confined to authd's queue.
final class RADIUSEndpoint: @unchecked Sendable {
    typealias SocketID = RADIUSSocketPool<Int>.SocketID

    let name: String
    let nasAddress: String?
    private let queue: DispatchQueue
    private let received: ([UInt8], SocketID) -> Void
    private var pool = RADIUSSocketPool<Int>()
    private var sockets: [SocketID: RADIUSSocket] = [:]
    /// The first socket's: further sockets connect to its peer, so a host name is looked up once.
    private let firstDescriptor: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Resolves and connects; a host name is resolved here, once (configure addresses to avoid it).
    /// `received` gets each datagram with the socket it came in on.
    init(host: String, port: UInt16, queue: DispatchQueue, now: Duration,
         received: @escaping ([UInt8], SocketID) -> Void) throws(Failure) {
        name = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        self.queue = queue
        self.received = received
        var code: Int32 = 0
        let fd = postern_connect_udp(host, port, &code)
        guard fd >= 0 else { throw Failure(description: "cannot reach \(name): " + String.errnoText(code)) }
        firstDescriptor = fd
        var local = [CChar](repeating: 0, count: 64)
        nasAddress = postern_local_address(fd, &local, local.count) == 0 ? String(nulTerminated: local) : nil
        let id = pool.add(now: now)!    // an empty pool has room
        sockets[id] = RADIUSSocket(descriptor: fd, id: id, queue: queue, received: received)
    }

    /// A socket and identifier for a request of `owner`'s, opening a socket when every open one
    /// is full; fails (a temporary failure for the login) when all 16 are.
    func allocate(for owner: Int, now: Duration) throws(Failure) -> (socket: SocketID, identifier: UInt8) {
        for idle in pool.closeIdle(now: now) {
            sockets.removeValue(forKey: idle)?.close()
        }
        switch pool.allocate(for: owner) {
        case let .allocated(socket, identifier):
            return (socket, identifier)
        case .exhausted:
            throw Failure(description: "no RADIUS identifier free towards \(name) "
                + "(\(pool.capacity) requests in flight on \(pool.maximumSockets) sockets)")
        case .needsSocket:
            var code: Int32 = 0
            let fd = postern_connect_udp_like(firstDescriptor, &code)
            guard fd >= 0 else {
                throw Failure(description: "cannot open another socket towards \(name): " + String.errnoText(code))
            }
            let id = pool.add(now: now)!    // .needsSocket: below the cap
            sockets[id] = RADIUSSocket(descriptor: fd, id: id, queue: queue, received: received)
            guard case let .allocated(socket, identifier) = pool.allocate(for: owner) else {
                preconditionFailure("a socket just added has every identifier free")
            }
            return (socket, identifier)
        }
    }

    func lookup(_ identifier: UInt8, on socket: SocketID) -> RADIUSIdentifierPool<Int>.Lookup {
        pool.lookup(identifier, on: socket)
    }

    func release(_ identifier: UInt8, on socket: SocketID, owner: Int, now: Duration) {
        pool.release(identifier, on: socket, owner: owner, now: now)
    }

    /// Sends on `socket`, which is open while the identifier taken on it is in flight.
    func send(_ datagram: [UInt8], on socket: SocketID) {
        sockets[socket]?.send(datagram)
    }

    deinit {
        for socket in sockets.values { socket.close() }
    }
}

/// One connected UDP socket towards a RADIUS server, read by a dispatch source. The read
/// handler holds the descriptor, not this object, so closing the socket from within a reply's
/// handling is safe: the descriptor stays open until the handler has returned.
private final class RADIUSSocket {
    private let descriptor: Int32
    private let source: DispatchSourceRead

    init(descriptor fd: Int32, id: RADIUSEndpoint.SocketID, queue: DispatchQueue,
         received: @escaping ([UInt8], RADIUSEndpoint.SocketID) -> Void) {
        descriptor = fd
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: RADIUSPacket.maximumLength + 1) { buffer in
                while true {
                    let n = recv(fd, buffer.baseAddress, buffer.count, 0)
                    guard n > 0 else { return }
                    received(Array(buffer[0..<n]), id)
                }
            }
        }
        source.setCancelHandler { Glibc.close(fd) }
        source.resume()
    }

    func send(_ datagram: [UInt8]) {
        // A full socket buffer loses the datagram like the network would; the retry covers it.
        _ = datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
    }

    /// Stops reading; the descriptor is closed once no read handler runs.
    func close() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }
}
