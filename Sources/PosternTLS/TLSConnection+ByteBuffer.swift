import NIOCore

/// ByteBuffer glue for the handler, kept apart so `TLSConnection` stays free of NIO.
extension TLSConnection {
    func feed(_ ciphertext: ByteBuffer) {
        ciphertext.withUnsafeReadableBytes { feed($0) }
    }

    /// All pending ciphertext in one exactly sized buffer, or nil when there is none.
    func takeCiphertext(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let count = pendingCiphertextCount
        guard count > 0 else { return nil }
        var buffer = allocator.buffer(capacity: count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { takeCiphertext(into: $0) }
        return buffer
    }

    /// Encrypts all of `plaintext`'s readable bytes unless OpenSSL stops early; the bytes taken
    /// are consumed from `plaintext`.
    func write(_ plaintext: inout ByteBuffer) -> TLSResult<Void> {
        while plaintext.readableBytes > 0 {
            switch plaintext.withUnsafeReadableBytes({ write($0) }) {
            case .complete(let count):
                plaintext.moveReaderIndex(forwardBy: count)
            case .incomplete:
                return .incomplete
            case .failed(let error):
                return .failed(error)
            }
        }
        return .complete(())
    }

    /// Appends decrypted bytes to `buffer` until OpenSSL has none left; `.complete(.plaintext)`
    /// carries the total appended. Space is reserved from `plaintextUpperBound`, so one
    /// allocation (at most) covers the whole burst.
    func read(appendingTo buffer: inout ByteBuffer) -> TLSResult<TLSReadOutcome> {
        var total = 0
        while plaintextUpperBound > 0 {
            var outcome: TLSResult<TLSReadOutcome> = .incomplete
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: plaintextUpperBound) { space in
                outcome = read(into: space)
                if case .complete(.plaintext(let count)) = outcome { return count }
                return 0
            }
            switch outcome {
            case .complete(.plaintext(let count)):
                total += count
            case .incomplete:
                return .complete(.plaintext(count: total))
            case .complete(.closeNotify), .failed:
                return outcome
            }
        }
        return .complete(.plaintext(count: total))
    }
}
