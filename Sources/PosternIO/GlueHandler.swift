import NIOCore

/// Joins two channels so that what one reads the other writes, with backpressure: a side only
/// reads while its partner can take more (the pattern of NIO's connect-proxy example).
/// Each side counts the bytes it read, for the session-closed line and accounting.
public final class GlueHandler {
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    public private(set) var bytesRead: UInt64 = 0
    /// This side ended the pair: its peer closed while the partner's was still open.
    public private(set) var closedFirst = false
    /// The last bytes this side read (at most 16), to tell a logout from a dropped connection.
    public private(set) var tail: [UInt8] = []

    private init() {}

    public static func matchedPair() -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    private func partnerWrite(_ data: NIOAny) {
        context?.write(data, promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerWriteEOF() {
        context?.close(mode: .output, promise: nil)
    }

    private func partnerCloseFull() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }

    private var partnerWritable: Bool {
        context?.channel.isWritable ?? false
    }
}

extension GlueHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The partner may have been asked to read before this side existed; let it go on now.
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytesRead &+= UInt64(buffer.readableBytes)
        if buffer.readableBytes <= 64 {
            // Only short reads can be a LOGOUT or QUIT; bulk data is never copied.
            tail = Array((tail + buffer.readableBytesView).suffix(16))
        } else {
            tail = []
        }
        partner?.partnerWrite(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if partner?.context?.channel.isActive == true { closedFirst = true }
        partner?.partnerCloseFull()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            // The peer finished sending; a mail session has no use for half-open streams.
            if partner?.context?.channel.isActive == true { closedFirst = true }
            partner?.partnerCloseFull()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
    }

    public func read(context: ChannelHandlerContext) {
        if let partner, partner.partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}

// Confined to its channel's event loop; it crosses threads only inside channel initializers,
// which run on that same loop.
extension GlueHandler: @unchecked Sendable {}
