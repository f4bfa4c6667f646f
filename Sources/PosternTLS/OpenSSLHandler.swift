import NIOCore

/// TLS for one NIO channel on the system's OpenSSL: ciphertext toward the socket, plaintext
/// toward the protocol handlers. The handshake starts when the channel is (or becomes) active;
/// writes made before it completes are held and sent after it.
///
/// Every entry point switches over `ConnectionState`; the steps they share live in
/// `OpenSSLHandler+Steps.swift`.
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// How long our close_notify may take to leave before the channel is closed regardless.
    static let closeTimeout: TimeAmount = .seconds(5)

    enum ConnectionState {
        /// The channel is not active yet.
        case idle(TLSConnection)
        case handshaking(TLSConnection, timeout: Scheduled<Void>?)
        case active(TLSConnection)
        /// Our close_notify is on its way out; the channel closes once it has left, or at the
        /// timeout. The OpenSSL session is already freed.
        case closing(timeout: Scheduled<Void>?, promise: EventLoopPromise<Void>?)
        /// Over; the OpenSSL session is freed.
        case closed
    }

    var state: ConnectionState
    var pendingWrites = PendingWrites()
    let handshakeTimeout: TimeAmount
    /// Ciphertext was written to the channel during a read burst; one flush at its end.
    var ciphertextUnflushed = false
    /// Plaintext went up during this read burst, so a channelReadComplete is owed.
    var deliveredPlaintext = false
    /// Completed with the handshake's outcome (used by `startTLS`).
    var handshakePromise: EventLoopPromise<TLSSessionInfo>?

    /// The listener's side of a client connection.
    public init(serverContext: TLSContext, handshakeTimeout: TimeAmount = .seconds(30)) throws(TLSError) {
        self.state = .idle(try TLSConnection(context: serverContext, role: .server))
        self.handshakeTimeout = handshakeTimeout
    }

    /// The relay's side of an upstream connection. `serverHostname` is sent as SNI (unless it is
    /// an IP literal) and must match the server's certificate, whose chain must verify.
    public init(
        clientContext: TLSContext, serverHostname: String, handshakeTimeout: TimeAmount = .seconds(30)
    ) throws(TLSError) {
        self.state = .idle(try TLSConnection(context: clientContext, role: .client(serverHostname: serverHostname)))
        self.handshakeTimeout = handshakeTimeout
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        // Added to a live channel (STARTTLS): nothing else will say "go".
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        switch state {
        case .idle, .active, .closed:
            break
        case .handshaking(_, let timeout):
            timeout?.cancel()
        case .closing(let timeout, let promise):
            timeout?.cancel()
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
        enterClosed(failingWith: ChannelError.ioOnClosedChannel)
    }

    public func channelActive(context: ChannelHandlerContext) {
        // Announced first: a handshake step may close the channel, and the inactive that follows
        // must not reach handlers that never saw active.
        context.fireChannelActive()
        startHandshake(context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .idle:
            enterClosed(failingWith: ChannelError.ioOnClosedChannel)
        case .handshaking(_, let timeout):
            timeout?.cancel()
            enterClosed(failingWith: TLSError.unexpectedEOF)
            context.fireErrorCaught(TLSError.unexpectedEOF)
        case .active:
            // Without close_notify the peer may have been cut off mid-message; say so.
            enterClosed(failingWith: TLSError.unexpectedEOF)
            context.fireErrorCaught(TLSError.unexpectedEOF)
        case .closing(let timeout, let promise):
            timeout?.cancel()
            state = .closed
            promise?.succeed(())
        case .closed:
            break
        }
        context.fireChannelInactive()
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ciphertext = unwrapInboundIn(data)
        switch state {
        case .idle(let connection):
            connection.feed(ciphertext)  // consumed once the handshake starts
        case .handshaking(let connection, _):
            connection.feed(ciphertext)
            handshakeStep(context: context, connection: connection)
        case .active(let connection):
            connection.feed(ciphertext)
            readPlaintext(context: context, connection: connection)
            guard case .active = state else { return }
            // A write may have been waiting on this read; TLS 1.3 may owe a reply (key update).
            encryptFlushedWrites(context: context, connection: connection)
        case .closing, .closed:
            break  // nothing more is wanted from the peer
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        flushCiphertext(context: context)
        let live: Bool
        switch state {
        case .idle(let connection), .handshaking(let connection, _), .active(let connection):
            connection.releaseIdleBuffers()
            live = true
        case .closing, .closed:
            live = false
        }
        if deliveredPlaintext {
            deliveredPlaintext = false
            context.fireChannelReadComplete()
        } else if live, (try? context.channel.syncOptions?.getOption(ChannelOptions.autoRead)) == false {
            // The reader asked for data and got none (only handshake or a partial record): ask again.
            context.read()
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking, .active:
            pendingWrites.append(unwrapOutboundIn(data), promise: promise)
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking:
            pendingWrites.markFlushed()  // sent when the handshake completes
        case .active(let connection):
            pendingWrites.markFlushed()
            encryptFlushedWrites(context: context, connection: connection)
            flushCiphertext(context: context)
        case .closing, .closed:
            break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            // Half-closing under TLS would need its own close_notify dance; nobody here needs it.
            promise?.fail(ChannelError.operationUnsupported)
            return
        }
        switch state {
        case .idle:
            enterClosed(failingWith: ChannelError.ioOnClosedChannel)
            context.close(promise: promise)
        case .handshaking(_, let timeout):
            timeout?.cancel()
            enterClosed(failingWith: ChannelError.ioOnClosedChannel)
            context.close(promise: promise)
        case .active(let connection):
            // What was flushed before close goes out before close_notify.
            encryptFlushedWrites(context: context, connection: connection)
            guard case .active = state else {
                context.close(promise: promise)
                return
            }
            sendCloseNotify(context: context, connection: connection, promise: promise)
        case .closing(let timeout, let pending):
            if let promise {
                if let pending {
                    pending.futureResult.cascade(to: promise)
                } else {
                    state = .closing(timeout: timeout, promise: promise)
                }
            }
        case .closed:
            context.close(promise: promise)
        }
    }
}

@available(*, unavailable)
extension OpenSSLHandler: Sendable {}
