import NIOCore

/// The steps the entry points share. Each one re-checks the state after calling out to other
/// handlers, since they may have closed the channel meanwhile.
extension OpenSSLHandler {
    // MARK: Handshake

    func startHandshake(context: ChannelHandlerContext) {
        switch state {
        case .idle(let connection):
            let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) {
                self.handshakeTimedOut(context: context)
            }
            state = .handshaking(connection, timeout: timeout)
            handshakeStep(context: context, connection: connection)
            flushCiphertext(context: context)
        case .handshaking, .active, .closing, .closed:
            break  // started already, or over
        }
    }

    func handshakeStep(context: ChannelHandlerContext, connection: TLSConnection) {
        switch connection.handshake() {
        case .incomplete:
            writeCiphertext(context: context, connection: connection)
        case .complete:
            handshakeCompleted(context: context, connection: connection)
        case .failed(let error):
            fail(context: context, connection: connection, error: error)
        }
    }

    private func handshakeCompleted(context: ChannelHandlerContext, connection: TLSConnection) {
        guard case .handshaking(_, let timeout) = state else { return }
        timeout?.cancel()
        state = .active(connection)
        let info = connection.sessionInfo()
        // Our last handshake bytes are still inside OpenSSL: whatever is written and flushed in
        // answer to this event leaves with them, in one packet.
        context.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
        if let promise = handshakePromise {
            handshakePromise = nil
            promise.succeed(info)
        }
        guard case .active = state else { return }
        // Records the peer sent right behind its Finished.
        readPlaintext(context: context, connection: connection)
        guard case .active = state else { return }
        // Writes queued during the handshake, and the handshake's tail if nobody flushed it yet.
        encryptFlushedWrites(context: context, connection: connection)
        // The handshake's flights were the largest thing these buffers will hold for a while.
        connection.releaseIdleBuffers(keepingUpTo: 0)
    }

    private func handshakeTimedOut(context: ChannelHandlerContext) {
        switch state {
        case .handshaking:
            enterClosed(failingWith: TLSError.handshakeTimeout)
            context.fireErrorCaught(TLSError.handshakeTimeout)
            context.close(promise: nil)
        case .idle, .active, .closing, .closed:
            break
        }
    }

    // MARK: Data

    /// Decrypts everything available and passes it up as one buffer.
    func readPlaintext(context: ChannelHandlerContext, connection: TLSConnection) {
        switch connection.peek() {
        case .incomplete:
            return  // a partial record, or nothing: allocate nothing
        case .failed(let error):
            fail(context: context, connection: connection, error: error)
        case .complete(.closeNotify):
            sendCloseNotify(context: context, connection: connection, promise: nil)
        case .complete(.plaintext):
            var plaintext = context.channel.allocator.buffer(capacity: connection.plaintextUpperBound)
            let outcome = connection.read(appendingTo: &plaintext)
            if plaintext.readableBytes > 0 {
                deliveredPlaintext = true
                context.fireChannelRead(wrapInboundOut(plaintext))
            }
            guard case .active = state else { return }
            switch outcome {
            case .complete(.plaintext), .incomplete:
                break
            case .complete(.closeNotify):
                sendCloseNotify(context: context, connection: connection, promise: nil)
            case .failed(let error):
                fail(context: context, connection: connection, error: error)
            }
        }
    }

    /// Encrypts the flushed writes in order and writes the resulting ciphertext (with anything
    /// else OpenSSL produced) as one buffer, completing their promises when it has left.
    func encryptFlushedWrites(context: ChannelHandlerContext, connection: TLSConnection) {
        var written: EventLoopPromise<Void>?
        encrypting: while var write = pendingWrites.popFlushed() {
            switch connection.write(&write.data) {
            case .complete:
                if let promise = write.promise {
                    if let written { written.futureResult.cascade(to: promise) } else { written = promise }
                }
            case .incomplete:
                pendingWrites.returnFlushed(write)  // retried after the next read
                break encrypting
            case .failed(let error):
                write.promise?.fail(error)
                written?.fail(error)
                fail(context: context, connection: connection, error: error)
                return
            }
        }
        writeCiphertext(context: context, connection: connection, promise: written)
    }

    /// Moves OpenSSL's pending output into the channel, unflushed.
    func writeCiphertext(
        context: ChannelHandlerContext, connection: TLSConnection, promise: EventLoopPromise<Void>? = nil
    ) {
        if let ciphertext = connection.takeCiphertext(allocator: context.channel.allocator) {
            context.write(wrapOutboundOut(ciphertext), promise: promise)
            ciphertextUnflushed = true
        } else if let promise {
            // Nothing to send (empty writes), but the promise must complete in order.
            context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
            ciphertextUnflushed = true
        }
    }

    func flushCiphertext(context: ChannelHandlerContext) {
        if ciphertextUnflushed {
            ciphertextUnflushed = false
            context.flush()
        }
    }

    // MARK: Ending

    /// Sends close_notify (ours, or our answer to the peer's) and closes the channel once it
    /// has left, or after `closeTimeout` if the peer stops reading.
    func sendCloseNotify(context: ChannelHandlerContext, connection: TLSConnection, promise: EventLoopPromise<Void>?) {
        _ = connection.shutdown()  // a failure leaves nothing to send; we close all the same
        let ciphertext = connection.takeCiphertext(allocator: context.channel.allocator)
        pendingWrites.failAll(ChannelError.ioOnClosedChannel)
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeTimeout) {
            self.finishClosing(context: context)
        }
        state = .closing(timeout: timeout, promise: promise)
        ciphertextUnflushed = false
        guard let ciphertext else {
            context.flush()
            finishClosing(context: context)
            return
        }
        context.writeAndFlush(wrapOutboundOut(ciphertext)).assumeIsolated().whenComplete { _ in
            self.finishClosing(context: context)
        }
    }

    private func finishClosing(context: ChannelHandlerContext) {
        switch state {
        case .closing(let timeout, let promise):
            timeout?.cancel()
            state = .closed
            context.close(promise: promise)
        case .idle, .handshaking, .active, .closed:
            break
        }
    }

    /// A fatal TLS error: send the alert OpenSSL queued, report, close.
    func fail(context: ChannelHandlerContext, connection: TLSConnection, error: TLSError) {
        if case .handshaking(_, let timeout) = state {
            timeout?.cancel()
        }
        writeCiphertext(context: context, connection: connection)
        flushCiphertext(context: context)
        enterClosed(failingWith: error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    /// Frees the OpenSSL session and fails whatever still waits on it.
    func enterClosed(failingWith error: Error) {
        state = .closed
        pendingWrites.failAll(error)
        if let promise = handshakePromise {
            handshakePromise = nil
            promise.fail(error)
        }
    }
}
