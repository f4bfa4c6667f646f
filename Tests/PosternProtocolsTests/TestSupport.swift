@testable import PosternProtocols

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

extension Array where Element == PreAuthAction {
    /// Everything sent to the client, as text.
    var sentText: String {
        String(decoding: flatMap { action -> [UInt8] in
            if case .send(let bytes) = action { return bytes }
            return []
        }, as: UTF8.self)
    }

    /// The actions with adjacent sends joined, so that feeding patterns can be compared.
    var normalized: [PreAuthAction] {
        var buffer = PreAuthActionBuffer()
        buffer.append(contentsOf: self)
        return buffer.actions
    }

    var closes: Bool { contains(.close) }

    var authentications: [(LoginCredentials, String)] {
        compactMap { action in
            if case .authenticate(let credentials, let tag) = action { return (credentials, tag) }
            return nil
        }
    }
}

extension IMAPPreAuthMachine {
    mutating func receive(_ text: String) -> [PreAuthAction] {
        receive(Array(text.utf8))
    }

    /// Feeds the bytes one at a time, as a slow client would.
    mutating func receiveByteAtATime(_ text: String) -> [PreAuthAction] {
        var actions: [PreAuthAction] = []
        for byte in text.utf8 { actions += receive(CollectionOfOne(byte)) }
        return actions
    }
}

extension Array where Element == UpstreamLoginAction {
    var sentText: String {
        String(decoding: flatMap { action -> [UInt8] in
            if case .send(let bytes) = action { return bytes }
            return []
        }, as: UTF8.self)
    }
}

extension IMAPUpstreamLogin {
    mutating func receive(_ text: String) -> [UpstreamLoginAction] {
        receive(Array(text.utf8))
    }
}
