import CPostern
import Dispatch
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// A received message and the descriptor it carried, which the receiver now owns.
public struct IPCFrame: Sendable {
    public var message: IPCMessage
    public var descriptor: Int32?
}

public enum IPCCloseReason: Sendable, CustomStringConvertible {
    case peerClosed
    case violation(IPCError)
    case ioError(Int32)
    case local

    public var description: String {
        switch self {
        case .peerClosed: "peer closed the channel"
        case .violation(let e): e.description
        case .ioError(let code): "I/O error: " + String(cString: strerror(code))
        case .local: "closed locally"
        }
    }
}

/// One end of a `SOCK_SEQPACKET` socketpair between two roles. Reads are driven by a dispatch
/// source on a serial queue (the channel's own, or its owner's, so that handlers need no hop),
/// so no event loop ever blocks on IPC. A send goes out at once from the caller's thread when
/// nothing waits before it (no thread hand-off per record); while the socket is full, records
/// wait in order and a write source drains them. The first record both ways is a hello with
/// the IPC version and the sender's role.
///
/// What arrives is checked against the role charter (SPEC §1). A well-formed record the charter
/// does not let this role accept from this peer, or one whose descriptor is missing or out of
/// place, is refused: logged (`ipc-violation`), its descriptor closed, the record dropped, and
/// the channel kept, so that one bad record never cuts every other session off. The peer is
/// dropped only when it is provably broken or hostile, since a peer of the same build can never
/// do it: a record that does not decode (truncated, trailing bytes, unknown type, over the
/// limit), anything before the hello, a second hello, a hello from another role than the
/// charter's peer, or another IPC version.
public final class IPCChannel: @unchecked Sendable {
    public let descriptor: Int32
    public let localRole: Role
    /// The role at the other end, as the charter pairs them.
    public let peerRole: Role
    public let queue: DispatchQueue
    public private(set) var peer: Hello?
    /// Which peer, for the log.
    public let label: String

    private let lock = Lock()
    private var pending: [(bytes: [UInt8], fd: Int32)] = []
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var writeSourceActive = false
    private var closed = false
    private var onMessage: (@Sendable (IPCFrame) -> Void)?
    private var onClose: (@Sendable (IPCCloseReason) -> Void)?
    private var readBuffer = [UInt8](repeating: 0, count: IPCLimits.maxRecord + 1)
    /// What the charter lets `localRole` accept from `peerRole`.
    private let accepted: Set<RecordKind>

    /// `queue`: where reads and handlers run; by default a queue of the channel's own.
    public init(descriptor: Int32, localRole: Role, peer: Role, label: String? = nil, queue: DispatchQueue? = nil) {
        self.descriptor = descriptor
        self.localRole = localRole
        self.peerRole = peer
        let label = label ?? peer.rawValue
        self.label = label
        accepted = RoleCharter.of(localRole).accepts[peer] ?? []
        self.queue = queue ?? DispatchQueue(label: "postern.ipc." + label)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    /// Starts reading; sends our hello first. Handlers run on `queue`. `handled`: the records
    /// `onMessage` acts on, written beside its switch; they must be exactly what the charter lets
    /// this role accept from this peer, or the role stops at start (a role that handles a record
    /// the charter refuses, or ignores one it accepts, is a bug to catch before any client comes).
    public func start(handling handled: Set<RecordKind>, onMessage: @escaping @Sendable (IPCFrame) -> Void,
                      onClose: @escaping @Sendable (IPCCloseReason) -> Void) {
        let chartered = accepted.subtracting([.hello])
        if handled != chartered {
            let names = { (kinds: Set<RecordKind>) in kinds.sorted().map(\.name).joined(separator: ",") }
            EventLogger(role: localRole.rawValue).log(.fatal, ["error": LogValue(
                "the \(localRole.rawValue) code handles [\(names(handled))] from \(peerRole.rawValue), "
                + "the role charter lets it accept [\(names(chartered))]")])
            exit(2)
        }
        lock.withLock {
            self.onMessage = onMessage
            self.onClose = onClose
        }
        send(.hello(Hello(role: localRole, pid: getpid())))
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.drainReadable() }
        lock.withLock { readSource = source }
        source.resume()
    }

    /// Queues a record; `fd`, if given, is handed over and closed here once sent. Returns false
    /// when the record was not queued: the channel is closed, or the record cannot be built (over
    /// the record limit). The latter is the caller's request failing, never the channel's end:
    /// the channel stays open for every other session, and the caller refuses what it asked.
    @discardableResult
    public func send(_ message: IPCMessage, fd: Int32? = nil) -> Bool {
        let bytes: [UInt8]
        do {
            bytes = try IPCCodec.encode(message)
        } catch {
            if let fd { Glibc.close(fd) }
            EventLogger(role: localRole.rawValue).log(.recordNotSent, [
                "peer": LogValue(label), "record": LogValue(message.name), "error": LogValue(error.description),
            ])
            return false
        }
        var queued = true
        let drained: Drained = lock.withLock {
            if closed {
                if let fd { Glibc.close(fd) }
                queued = false
                return .empty
            }
            pending.append((bytes, fd ?? -1))
            // Sent at once from this thread when nothing waits before it; otherwise it waits its
            // turn behind the records the write source is draining.
            return pending.count == 1 ? drainLocked() : .empty
        }
        settle(drained)
        return queued
    }

    public func close() { close(reason: .local) }

    // MARK: - Writing and reading

    private enum Drained { case empty, mustWait, failed(Int32) }

    /// Sends queued records in order until none is left or the socket is full. Called under
    /// `lock`, so that no record overtakes another and a close from another thread can neither
    /// empty the queue nor close a record's descriptor while it is being sent.
    private func drainLocked() -> Drained {
        while !closed, let record = pending.first {
            let n = record.bytes.withUnsafeBytes { postern_send_record(descriptor, $0.baseAddress, $0.count, record.fd, 1) }
            if n < 0 {
                let code = errno
                return code == EAGAIN || code == EWOULDBLOCK ? .mustWait : .failed(code)
            }
            pending.removeFirst()
            if record.fd >= 0 { Glibc.close(record.fd) }
        }
        return .empty
    }

    private func settle(_ drained: Drained) {
        switch drained {
        case .empty: break
        case .mustWait: armWriteSource()
        case .failed(let code): close(reason: code == EPIPE || code == ECONNRESET ? .peerClosed : .ioError(code))
        }
    }

    private func flush() {
        settle(lock.withLock { drainLocked() })
    }

    private func armWriteSource() {
        let source: DispatchSourceWrite? = lock.withLock {
            if closed { return nil }
            if let existing = writeSource { return existing }
            let created = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            created.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.withLock {
                    if self.writeSourceActive { self.writeSource?.suspend(); self.writeSourceActive = false }
                }
                self.flush()
            }
            writeSource = created
            return created
        }
        guard let source else { return }
        lock.withLock {
            // close() takes the source and resumes it to cancel it; not twice.
            if !closed && !writeSourceActive { source.resume(); writeSourceActive = true }
        }
    }

    private func drainReadable() {
        while true {
            var fd: Int32 = -1
            var truncated: Int32 = 0
            let n = readBuffer.withUnsafeMutableBytes {
                postern_recv_record(descriptor, $0.baseAddress, $0.count, &fd, &truncated, 1)
            }
            if n < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return }
                close(reason: code == ECONNRESET ? .peerClosed : .ioError(code))
                return
            }
            if n == 0 {
                close(reason: .peerClosed)
                return
            }
            if truncated != 0 || n > IPCLimits.maxRecord {
                if fd >= 0 { Glibc.close(fd) }
                close(reason: .violation(.oversized(n)))
                return
            }
            let message: IPCMessage
            do {
                message = try IPCCodec.decode(Array(readBuffer[0..<n]))
            } catch {
                if fd >= 0 { Glibc.close(fd) }
                close(reason: .violation(error))
                return
            }
            if message.kind.carriesDescriptor != (fd >= 0) {
                if fd >= 0 { Glibc.close(fd) }
                refuse(message, because: "\(message.name) \(fd >= 0 ? "carried" : "lacked") a descriptor")
                continue
            }
            if case .hello(let hello) = message {
                guard peer == nil else {
                    close(reason: .violation(.unexpected("second hello")))
                    return
                }
                guard hello.role == peerRole else {
                    close(reason: .violation(.unexpected("hello from \(hello.role.rawValue) where \(peerRole.rawValue) belongs")))
                    return
                }
                guard hello.version == IPCLimits.version else {
                    close(reason: .violation(.versionMismatch(peer: hello.version, ours: IPCLimits.version)))
                    return
                }
                peer = hello
                continue
            }
            guard peer != nil else {
                if fd >= 0 { Glibc.close(fd) }
                close(reason: .violation(.unexpected("\(message.name) before hello")))
                return
            }
            guard accepted.contains(message.kind) else {
                if fd >= 0 { Glibc.close(fd) }
                refuse(message, because: "the charter does not let \(localRole.rawValue) accept it from \(peerRole.rawValue)")
                continue
            }
            let handler = lock.withLock { onMessage }
            handler?(IPCFrame(message: message, descriptor: fd >= 0 ? fd : nil))
            if lock.withLock({ closed }) { return }
        }
    }

    /// A record refused and dropped; the channel goes on.
    private func refuse(_ message: IPCMessage, because error: String) {
        EventLogger(role: localRole.rawValue).log(.ipcViolation, session: message.session?.description, [
            "peer": LogValue(label), "record": LogValue(message.name), "error": LogValue(error),
        ])
    }

    private func close(reason: IPCCloseReason) {
        let taken: (handler: (@Sendable (IPCCloseReason) -> Void)?, read: DispatchSourceRead?,
                    write: DispatchSourceWrite?, writeActive: Bool, fds: [Int32])? = lock.withLock {
            guard !closed else { return nil }
            closed = true
            let result = (onClose, readSource, writeSource, writeSourceActive, pending.map(\.fd).filter { $0 >= 0 })
            pending.removeAll()
            onClose = nil
            onMessage = nil
            readSource = nil
            writeSource = nil
            return result
        }
        guard let taken else { return }
        for fd in taken.fds { Glibc.close(fd) }
        if let write = taken.write {
            // A suspended source must be resumed before it can be cancelled.
            if !taken.writeActive { write.resume() }
            write.cancel()
        }
        let descriptor = self.descriptor
        if let read = taken.read {
            // The descriptor closes only once dispatch has stopped watching it.
            read.setCancelHandler { _ = Glibc.close(descriptor) }
            read.cancel()
        } else {
            Glibc.close(descriptor)
        }
        if let handler = taken.handler {
            queue.async { handler(reason) }
        }
    }
}
