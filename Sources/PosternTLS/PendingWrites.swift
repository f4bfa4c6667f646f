import NIOCore

/// Plaintext writes not yet encrypted: everything written before the handshake completes, and
/// anything OpenSSL could not take yet. Entries before `flushedCount` have been flushed.
struct PendingWrites {
    struct Write {
        var data: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    private var writes = CircularBuffer<Write>(initialCapacity: 2)
    private(set) var flushedCount = 0

    var isEmpty: Bool { writes.isEmpty }

    mutating func append(_ data: ByteBuffer, promise: EventLoopPromise<Void>?) {
        writes.append(Write(data: data, promise: promise))
    }

    mutating func markFlushed() {
        flushedCount = writes.count
    }

    mutating func popFlushed() -> Write? {
        guard flushedCount > 0 else { return nil }
        flushedCount -= 1
        return writes.removeFirst()
    }

    /// Puts back a write that was only partly encrypted, at the front, still flushed.
    mutating func returnFlushed(_ write: Write) {
        writes.prepend(write)
        flushedCount += 1
    }

    mutating func failAll(_ error: Error) {
        let failed = writes
        writes.removeAll()
        flushedCount = 0
        for write in failed {
            write.promise?.fail(error)
        }
    }
}
