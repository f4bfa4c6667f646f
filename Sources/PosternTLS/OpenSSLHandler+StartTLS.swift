import NIOCore

extension OpenSSLHandler {
    /// Upgrades a live plaintext channel to TLS as a client (the relay's STARTTLS to a mail host):
    /// puts the handler next to the socket, which starts the handshake at once. The future
    /// succeeds with the session when the handshake completes and fails with its `TLSError`.
    ///
    /// Call it on the channel's event loop, only after the server's go-ahead, and discard any
    /// plaintext the server sent behind that reply: bytes received before TLS must never be read
    /// as if they came over it.
    public static func startTLS(
        on channel: Channel,
        clientContext: TLSContext,
        serverHostname: String,
        handshakeTimeout: TimeAmount = .seconds(30)
    ) throws -> EventLoopFuture<TLSSessionInfo> {
        let handler = try OpenSSLHandler(
            clientContext: clientContext, serverHostname: serverHostname, handshakeTimeout: handshakeTimeout)
        let promise = channel.eventLoop.makePromise(of: TLSSessionInfo.self)
        handler.handshakePromise = promise
        do {
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            promise.fail(error)
            throw error
        }
        return promise.futureResult
    }
}
