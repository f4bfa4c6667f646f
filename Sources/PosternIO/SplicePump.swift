import CPostern
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// Moves bytes both ways between two plain stream sockets with splice(2), so the relay never
/// copies a mail byte through user space. Each direction borrows a pipe from the pool only while
/// data is in flight and reads only while its destination can take more. When either side ends,
/// both close. All state is confined to the loop's thread.
public final class SplicePump: @unchecked Sendable {
    public struct Totals: Sendable {
        /// Bytes from `a` to `b`, and from `b` to `a`.
        public var aToB: UInt64
        public var bToA: UInt64
    }

    private final class Direction {
        let from: Int32
        let to: Int32
        var reading = false
        var writing = false
        var pipe: PipePool.Pipe?
        var inPipe = 0
        var prefix: [UInt8] = []
        var bytes: UInt64 = 0

        init(from: Int32, to: Int32) {
            self.from = from
            self.to = to
        }
    }

    private static let chunk = 64 * 1024
    private let a: Int32
    private let b: Int32
    private let loop: EpollLoop
    private let pipes: PipePool
    private let aToB: Direction
    private let bToA: Direction
    /// What epoll watches on `a` and `b` now.
    private var watched: (a: UInt32, b: UInt32) = (0, 0)
    private var finished = false
    private var onClose: (@Sendable (Totals) -> Void)?

    /// `prefixForA` is written to `a` before anything spliced from `b`. Both descriptors are
    /// made non-blocking: one slow peer must never stop the loop that every pump shares.
    public init(a: Int32, b: Int32, prefixForA: [UInt8], loop: EpollLoop, pipes: PipePool) {
        for fd in [a, b] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        self.a = a
        self.b = b
        self.loop = loop
        self.pipes = pipes
        aToB = Direction(from: a, to: b)
        bToA = Direction(from: b, to: a)
        bToA.prefix = prefixForA
    }

    /// The loop's handlers hold the pump until it finishes.
    public func start(onClose: @escaping @Sendable (Totals) -> Void) {
        loop.execute { [self] in
            self.onClose = onClose
            do {
                try loop.add(a, events: 0) { [self] events in ready(a, events) }
                try loop.add(b, events: 0) { [self] events in ready(b, events) }
            } catch {
                return finish()
            }
            aToB.reading = true
            if drain(bToA) { bToA.reading = true }
            if !finished { watch() }
        }
    }

    // MARK: - Readiness

    private func ready(_ fd: Int32, _ events: UInt32) {
        let (incoming, outgoing) = fd == a ? (aToB, bToA) : (bToA, aToB)
        // A hang-up still lets what the socket holds be read (the mail host's last reply after
        // its close): it is handled by whichever direction waits on this descriptor. While
        // none does, the loop does not watch it (EpollLoop.modify), so it cannot spin.
        let hangUp = events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        if !finished, outgoing.writing, events & EPOLLOUT.rawValue != 0 || hangUp { writable(outgoing) }
        if !finished, incoming.reading, events & EPOLLIN.rawValue != 0 || hangUp { pump(incoming) }
        if !finished { watch() }
    }

    /// Tells epoll what each descriptor waits for now; nothing when that has not changed.
    private func watch() {
        let wantA = (aToB.reading ? EPOLLIN.rawValue : 0) | (bToA.writing ? EPOLLOUT.rawValue : 0)
        let wantB = (bToA.reading ? EPOLLIN.rawValue : 0) | (aToB.writing ? EPOLLOUT.rawValue : 0)
        if wantA != watched.a { loop.modify(a, events: wantA); watched.a = wantA }
        if wantB != watched.b { loop.modify(b, events: wantB); watched.b = wantB }
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
        d.reading = false
        d.writing = true
        return false
    }

    private func writable(_ d: Direction) {
        guard !finished, drain(d) else { return }
        d.writing = false
        d.reading = true
        pump(d)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        let totals = Totals(aToB: aToB.bytes, bToA: bToA.bytes)
        for d in [aToB, bToA] {
            if let pipe = d.pipe { pipes.giveBack(pipe, empty: d.inPipe == 0) }
            d.pipe = nil
        }
        // Out of epoll before they close; this drops the handlers, and with them the pump.
        loop.remove(a)
        loop.remove(b)
        close(a)
        close(b)
        let onClose = self.onClose
        self.onClose = nil
        onClose?(totals)
    }
}
