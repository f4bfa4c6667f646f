import CPostern
import PosternCore
#if canImport(Glibc)
import Glibc
#endif

/// One thread waiting in epoll_wait(2) on the descriptors registered with it, running their
/// handlers itself. A readiness event costs one thread wake-up; a dispatch source costs two
/// (libdispatch's manager thread, then a worker for the queue), which the relay used to pay
/// for every burst of every session (SPEC §9). Level-triggered; handlers and registrations
/// belong to the loop's thread, and other threads reach it through `execute`.
public final class EpollLoop: @unchecked Sendable {
    public typealias Handler = (UInt32) -> Void

    public struct Failure: Error, CustomStringConvertible {
        public var step: String
        public var code: Int32
        public var description: String { step + ": " + String(cString: strerror(code)) }
    }

    private let epoll: Int32
    private let wake: Int32
    private let lock = Lock()
    private var tasks: [() -> Void] = []
    private var woken = false
    /// Confined to the loop's thread.
    private var handlers: [Int32: Handler] = [:]
    /// The descriptors in the epoll set now: one waiting for nothing is taken out, since epoll
    /// reports a hang-up whatever the mask asks, and a level-triggered hang-up nobody consumes
    /// comes back at once, for ever.
    private var watched: Set<Int32> = []
    /// Times epoll_wait returned; loop thread only (tests read it through `execute`).
    public private(set) var wakeups = 0
    private var thread = pthread_t()
    private let name: String

    public init(name: String) throws(Failure) {
        self.name = name
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw Failure(step: "epoll_create1", code: errno) }
        wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wake >= 0 else {
            let code = errno
            close(epoll)
            throw Failure(step: "eventfd", code: code)
        }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wake))
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
            let code = errno
            close(wake)
            close(epoll)
            throw Failure(step: "epoll_ctl", code: code)
        }
        let box = Unmanaged.passRetained(self)
        let started = pthread_create(&thread, nil, { argument in
            Unmanaged<EpollLoop>.fromOpaque(argument!).takeRetainedValue().run()
        }, box.toOpaque())
        guard started == 0 else {
            box.release()
            close(wake)
            close(epoll)
            throw Failure(step: "pthread_create", code: started)
        }
    }

    /// Runs `task` on the loop's thread, soon; callable from any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        let mustWake = lock.withLock { () -> Bool in
            tasks.append(task)
            defer { woken = true }
            return !woken
        }
        if mustWake {
            var one: UInt64 = 1
            _ = write(wake, &one, 8)
        }
    }

    /// Loop thread only: `handler` gets `fd`'s events (EPOLLIN, EPOLLOUT, and hang-ups while
    /// `events` is not empty).
    public func add(_ fd: Int32, events: UInt32, handler: @escaping Handler) throws(Failure) {
        handlers[fd] = handler
        guard set(fd, events: events) else {
            handlers[fd] = nil
            throw Failure(step: "epoll_ctl", code: errno)
        }
    }

    /// Loop thread only. No events: `fd` leaves the epoll set until it wants some again.
    public func modify(_ fd: Int32, events: UInt32) {
        guard handlers[fd] != nil else { return }
        _ = set(fd, events: events)
    }

    /// Loop thread only: stops watching `fd` (before it is closed) and drops its handler.
    public func remove(_ fd: Int32) {
        guard handlers.removeValue(forKey: fd) != nil else { return }
        _ = set(fd, events: 0)
    }

    private func set(_ fd: Int32, events: UInt32) -> Bool {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        switch (watched.contains(fd), events != 0) {
        case (false, false):
            return true
        case (false, true):
            guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else { return false }
            watched.insert(fd)
        case (true, true):
            return epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0
        case (true, false):
            watched.remove(fd)
            return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil) == 0
        }
        return true
    }

    private func run() -> Never {
        // PR_SET_NAME (15): the thread's name in /proc and in a debugger.
        _ = String(name.prefix(15)).withCString { postern_prctl(15, UInt(bitPattern: $0), 0) }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), -1) }
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait: " + String(cString: strerror(errno)))
            }
            wakeups &+= 1
            for index in 0..<Int(count) {
                let fd = events[index].data.fd
                if fd == wake {
                    runTasks()
                } else {
                    // A handler earlier in this batch may have removed this one.
                    handlers[fd]?(events[index].events)
                }
            }
        }
    }

    private func runTasks() {
        var drained: UInt64 = 0
        _ = read(wake, &drained, 8)
        let batch = lock.withLock { () -> [() -> Void] in
            woken = false
            defer { tasks.removeAll(keepingCapacity: true) }
            return tasks
        }
        for task in batch { task() }
    }
}
