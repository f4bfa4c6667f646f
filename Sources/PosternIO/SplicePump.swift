import CPostern
import Dispatch
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// Moves bytes both ways between two plain stream sockets with splice(2), so the relay never
/// copies a mail byte through user space. Each direction borrows a pipe from the pool only while
/// data is in flight and reads only while its destination can take more. When either side ends,
/// both close. All state is confined to `queue`.
public final class SplicePump: @unchecked Sendable {
    public struct Totals: Sendable {
        /// Bytes from `a` to `b`, and from `b` to `a`.
        public var aToB: UInt64
        public var bToA: UInt64
    }

    private final class Direction {
        let from: Int32
        let to: Int32
        let readSource: DispatchSourceRead
        let writeSource: DispatchSourceWrite
        var readActive = false
        var writeActive = false
        var pipe: PipePool.Pipe?
        var inPipe = 0
        var prefix: [UInt8] = []
        var bytes: UInt64 = 0

        init(from: Int32, to: Int32, queue: DispatchQueue) {
            self.from = from
            self.to = to
            readSource = DispatchSource.makeReadSource(fileDescriptor: from, queue: queue)
            writeSource = DispatchSource.makeWriteSource(fileDescriptor: to, queue: queue)
        }
    }

    private static let chunk = 64 * 1024
    private let a: Int32
    private let b: Int32
    private let queue: DispatchQueue
    private let pipes: PipePool
    private let aToB: Direction
    private let bToA: Direction
    private var finished = false
    private var onClose: (@Sendable (Totals) -> Void)?
    /// The pump keeps itself alive while it runs: nothing else holds it, and dispatch sources
    /// must not be released while they are suspended or active.
    private var running: SplicePump?

    /// `prefixForA` is written to `a` before anything spliced from `b`.
    public init(a: Int32, b: Int32, prefixForA: [UInt8], queue: DispatchQueue, pipes: PipePool) {
        self.a = a
        self.b = b
        self.queue = queue
        self.pipes = pipes
        aToB = Direction(from: a, to: b, queue: queue)
        bToA = Direction(from: b, to: a, queue: queue)
        bToA.prefix = prefixForA
    }

    public func start(onClose: @escaping @Sendable (Totals) -> Void) {
        queue.async { [self] in
            self.onClose = onClose
            running = self
            for direction in [aToB, bToA] {
                direction.readSource.setEventHandler { [weak self, unowned direction] in self?.pump(direction) }
                direction.writeSource.setEventHandler { [weak self, unowned direction] in self?.writable(direction) }
            }
            setRead(aToB, active: true)
            if drain(bToA) { setRead(bToA, active: true) }
        }
    }

    // MARK: - Moving bytes

    private func pump(_ d: Direction) {
        while !finished {
            guard drain(d) else { return }
            if d.pipe == nil {
                guard let pipe = pipes.borrow() else { return finish() }
                d.pipe = pipe
            }
            let n = postern_splice(d.from, d.pipe!.writeEnd, Self.chunk, 1)
            if n > 0 {
                d.inPipe += n
                continue
            }
            if n == 0 { return finish() }
            if errno == EAGAIN || errno == EINTR {
                // Nothing more to read: the pipe goes back while the session idles.
                pipes.giveBack(d.pipe!, empty: true)
                d.pipe = nil
                return
            }
            return finish()
        }
    }

    /// Writes what is pending towards `d.to`; false when the destination is full (then the
    /// direction stops reading until it can write again).
    private func drain(_ d: Direction) -> Bool {
        while !d.prefix.isEmpty {
            let n = d.prefix.withUnsafeBytes { write(d.to, $0.baseAddress, $0.count) }
            if n > 0 {
                d.prefix.removeFirst(n)
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return block(d) }
            finish()
            return false
        }
        while d.inPipe > 0, let pipe = d.pipe {
            let n = postern_splice(pipe.readEnd, d.to, d.inPipe, 0)
            if n > 0 {
                d.inPipe -= n
                d.bytes &+= UInt64(n)
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return block(d) }
            finish()
            return false
        }
        return true
    }

    private func block(_ d: Direction) -> Bool {
        setRead(d, active: false)
        setWrite(d, active: true)
        return false
    }

    private func writable(_ d: Direction) {
        guard !finished, drain(d) else { return }
        setWrite(d, active: false)
        setRead(d, active: true)
        pump(d)
    }

    // MARK: - Sources

    private func setRead(_ d: Direction, active: Bool) {
        guard d.readActive != active else { return }
        d.readActive = active
        if active { d.readSource.resume() } else { d.readSource.suspend() }
    }

    private func setWrite(_ d: Direction, active: Bool) {
        guard d.writeActive != active else { return }
        d.writeActive = active
        if active { d.writeSource.resume() } else { d.writeSource.suspend() }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        let totals = Totals(aToB: aToB.bytes, bToA: bToA.bytes)
        // The descriptors close only after dispatch stops watching them: every source's cancel
        // handler has run (a suspended source must be resumed for that).
        let group = DispatchGroup()
        for d in [aToB, bToA] {
            for source in [d.readSource as DispatchSourceProtocol, d.writeSource as DispatchSourceProtocol] {
                group.enter()
                source.setCancelHandler { group.leave() }
            }
            if !d.readActive { d.readSource.resume() }
            if !d.writeActive { d.writeSource.resume() }
            d.readActive = true
            d.writeActive = true
            d.readSource.cancel()
            d.writeSource.cancel()
            if let pipe = d.pipe { pipes.giveBack(pipe, empty: d.inPipe == 0) }
            d.pipe = nil
        }
        let (a, b) = (self.a, self.b)
        let onClose = self.onClose
        self.onClose = nil
        group.notify(queue: queue) { [self] in
            close(a)
            close(b)
            onClose?(totals)
            running = nil
        }
    }
}
