import NIOCore

/// Fires `IdleTimeoutHandler.Expired` inbound when nothing was read or written for `timeout`.
/// Unlike NIO's IdleStateHandler the timeout can change on a live channel: the pre-auth idle
/// limit gives way to the group policy's idle timeout once the user is logged in.
public final class IdleTimeoutHandler: ChannelDuplexHandler {
    public typealias InboundIn = NIOAny
    public typealias OutboundIn = NIOAny

    public struct Expired: Sendable {}

    private var timeout: TimeAmount?
    private var lastActivity = NIODeadline.now()
    private var task: Scheduled<Void>?
    private weak var context: ChannelHandlerContext?

    /// nil or zero: no limit.
    public init(timeout: TimeAmount?) {
        self.timeout = timeout
    }

    public func setTimeout(_ newTimeout: TimeAmount?) {
        timeout = newTimeout
        lastActivity = .now()
        if let context { schedule(context) }
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { schedule(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        schedule(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = .now()
        context.write(data, promise: promise)
    }

    /// One timer per channel, re-armed only when it fires: activity costs a clock read, not a timer.
    private func schedule(_ context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
        guard let timeout, timeout.nanoseconds > 0 else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        task = context.eventLoop.scheduleTask(deadline: lastActivity + timeout) {
            let (handler, context) = bound.value
            handler.fire(context)
        }
    }

    private func fire(_ context: ChannelHandlerContext) {
        task = nil
        guard let timeout, context.channel.isActive else { return }
        if NIODeadline.now() - lastActivity >= timeout {
            context.fireUserInboundEventTriggered(Expired())
        } else {
            schedule(context)
        }
    }
}
