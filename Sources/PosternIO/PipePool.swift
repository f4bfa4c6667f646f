import CPostern
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// Pipes for splice(2), lent only while data moves: an idle session holds none (SPEC §9), and a
/// few empty ones are kept for the next burst instead of being made anew.
public final class PipePool: @unchecked Sendable {
    public struct Pipe: Sendable {
        public let readEnd: Int32
        public let writeEnd: Int32
    }

    private let lock = Lock()
    private var idle: [Pipe] = []
    private var lentCount = 0
    private let maxIdle: Int

    public init(maxIdle: Int = 32) {
        self.maxIdle = maxIdle
    }

    /// Pipes out on loan now.
    public var lent: Int { lock.withLock { lentCount } }

    public func borrow() -> Pipe? {
        if let pipe = lock.withLock({ () -> Pipe? in
            let pipe = idle.popLast()
            if pipe != nil { lentCount += 1 }
            return pipe
        }) { return pipe }
        var fds: [Int32] = [-1, -1]
        guard postern_pipe_nonblocking(&fds) == 0 else { return nil }
        lock.withLock { lentCount += 1 }
        return Pipe(readEnd: fds[0], writeEnd: fds[1])
    }

    /// `empty`: nothing is left inside; a pipe with data in it is closed, never lent again.
    public func giveBack(_ pipe: Pipe, empty: Bool) {
        let kept = lock.withLock {
            lentCount -= 1
            guard empty, idle.count < maxIdle else { return false }
            idle.append(pipe)
            return true
        }
        if !kept {
            close(pipe.readEnd)
            close(pipe.writeEnd)
        }
    }
}
