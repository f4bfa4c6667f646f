import NIOCore
import PosternProtocols
import PosternTLS

/// Drives a protocol's upstream login on the mail host's channel: feeds what the mail host says
/// to the dialogue, writes what it answers, and switches to TLS for STARTTLS.
final class UpstreamLoginHandler<Dialogue: UpstreamLoginDialogue>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Outcome {
        case succeeded(taggedReplyText: String, untagged: [String])
        case failed(reason: String, temporary: Bool, reply: String? = nil)
    }

    private var dialogue: Dialogue
    private let startTLS: () throws -> ChannelHandler
    private var finished: ((Outcome, [UInt8]) -> Void)?
    /// What the mail host sent after the login was reported (a TLS read can carry more records
    /// than the reply): it belongs to the joined stream, which takes it with `takeTrailing`.
    private var trailing: [UInt8] = []

    /// `finished` gets the outcome and whatever the mail host sent after its reply.
    init(dialogue: Dialogue, startTLS: @escaping () throws -> ChannelHandler, finished: @escaping (Outcome, [UInt8]) -> Void) {
        self.dialogue = dialogue
        self.startTLS = startTLS
        self.finished = finished
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard finished != nil else {
            trailing += buffer.readableBytesView
            return
        }
        let actions = buffer.withUnsafeReadableBytes { dialogue.receive($0) }
        perform(actions, context: context)
    }

    /// The bytes that arrived after the outcome; called where the handler is removed, in the
    /// same turn of the event loop, so that none arrives in between.
    func takeTrailing() -> [UInt8] {
        defer { trailing = [] }
        return trailing
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSEvent, case .handshakeCompleted = tls, finished != nil {
            perform(dialogue.tlsEstablished(), context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failed(reason: "the mail host closed the connection during login", temporary: true))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failed(reason: "upstream: \(error)", temporary: true))
        context.close(promise: nil)
    }

    private func perform(_ actions: [UpstreamLoginAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let bytes):
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(buffer), promise: nil)
                wrote = true
            case .startTLS:
                if wrote { context.flush(); wrote = false }
                do {
                    try context.pipeline.syncOperations.addHandler(try startTLS(), position: .first)
                } catch {
                    finish(.failed(reason: "cannot start TLS with the mail host: \(error)", temporary: true))
                    context.close(promise: nil)
                    return
                }
            case .succeeded(let text, let untagged):
                if wrote { context.flush(); wrote = false }
                // Nothing more is read here: what follows belongs to the joined stream.
                try? context.channel.syncOptions?.setOption(.autoRead, value: false)
                finish(.succeeded(taggedReplyText: text, untagged: untagged))
                return
            case .failed(let reason, let temporary, let reply):
                if wrote { context.flush(); wrote = false }
                finish(.failed(reason: reason, temporary: temporary, reply: reply))
                context.close(promise: nil)
                return
            }
        }
        if wrote { context.flush() }
    }

    private func finish(_ outcome: Outcome) {
        guard let finished else { return }
        self.finished = nil
        finished(outcome, dialogue.takeLeftover())
    }
}

// Confined to the mail host's channel and its event loop.
extension UpstreamLoginHandler: @unchecked Sendable {}
