import FuzzSupport
import PosternRADIUS

/// Checks one datagram as a reply to each fixed request, with and without a required
/// Message-Authenticator: as it came (where only a reply that the secret's holder would have
/// written may pass), and signed (where the verifier must give exactly the outcome the RFCs
/// give, and what it returns must read as the same packet).
enum ReplyCheck {
    static func run(_ input: [UInt8]) {
        let decoded = decodeAndRoundTrip(input)
        for request in FixedRequests.all {
            for required in [true, false] {
                checkAsReceived(input, decoded, request, requireMessageAuthenticator: required)
            }
            guard let signed = ReplySigner.signed(input, identifier: request.identifier,
                                                  requestAuthenticator: request.authenticator,
                                                  secret: FixedRequests.secret) else { continue }
            let signedPacket = decodeAndRoundTrip(signed)
            for required in [true, false] {
                checkSigned(signed, signedPacket, request, requireMessageAuthenticator: required)
            }
        }
    }

    /// A datagram that decodes encodes back to the same bytes.
    private static func decodeAndRoundTrip(_ datagram: [UInt8]) -> RADIUSPacket? {
        guard let packet = try? RADIUSPacket(decoding: datagram) else { return nil }
        require((try? packet.encoded()) == datagram, "decode: the packet does not encode back to its datagram")
        require(packet.attributes.allSatisfy { $0.value.count <= RADIUSAttribute.maximumValueLength },
                "decode: an attribute longer than RADIUS allows")
        return packet
    }

    /// Without the secret nothing passes: a reply that verifies is byte for byte the one the
    /// secret's holder would have signed.
    private static func checkAsReceived(_ input: [UInt8], _ decoded: RADIUSPacket?, _ request: RADIUSRequest,
                                        requireMessageAuthenticator: Bool) {
        guard let reply = try? RADIUSReplyVerifier.verify(reply: input, to: request, secret: FixedRequests.secret,
                                                          requireMessageAuthenticator: requireMessageAuthenticator)
        else { return }
        require(decoded == reply, "verify: accepted a reply that does not decode as itself")
        require(ReplySigner.sign(input, requestAuthenticator: request.authenticator, secret: FixedRequests.secret) == input,
                "verify: accepted a reply not signed with the secret")
        checkAccessReply(reply)
    }

    /// A reply signed with the secret gets exactly the RFCs' outcome.
    private static func checkSigned(_ signed: [UInt8], _ packet: RADIUSPacket?, _ request: RADIUSRequest,
                                    requireMessageAuthenticator: Bool) {
        let outcome: Result<RADIUSPacket, RADIUSError>
        do {
            outcome = .success(try RADIUSReplyVerifier.verify(
                reply: signed, to: request, secret: FixedRequests.secret,
                requireMessageAuthenticator: requireMessageAuthenticator))
        } catch {
            outcome = .failure(error)
        }
        guard let packet else {
            if case .success = outcome { violation("verify: accepted a datagram that does not decode") }
            return
        }
        let expected = expectedError(packet, request, requireMessageAuthenticator: requireMessageAuthenticator)
        switch (outcome, expected) {
        case (.success(let reply), nil):
            require(reply == packet, "verify: returned a packet other than the one received")
            checkAccessReply(reply)
        case (.failure(let error), let expected?):
            require(error == expected, "verify: refused a signed reply with \(error), not \(expected)")
        case (.success, let expected?):
            violation("verify: accepted a signed reply it should refuse with \(expected)")
        case (.failure(let error), nil):
            violation("verify: refused a well-signed reply: \(error)")
        }
    }

    /// What a signed, well-formed packet must be refused with, or nil for a reply to take.
    private static func expectedError(_ packet: RADIUSPacket, _ request: RADIUSRequest,
                                      requireMessageAuthenticator: Bool) -> RADIUSError? {
        guard FixedRequests.acceptableReplies(to: request).contains(packet.code.rawValue) else {
            return .unexpectedReply(packet.code, request: request.code)
        }
        let macs = packet.values(of: .messageAuthenticator)
        if macs.isEmpty {
            let accessReply = request.code == .accessRequest || packet.code == .accessAccept
            return requireMessageAuthenticator && accessReply ? .missingMessageAuthenticator : nil
        }
        return macs.count == 1 && macs[0].count == 16 ? nil : .badMessageAuthenticator
    }

    /// What postern takes from a verified reply is what the packet says, in the forms its
    /// users rely on: a group policy name one can log and look up, timeouts only from
    /// 4-byte values, messages only from UTF-8.
    private static func checkAccessReply(_ packet: RADIUSPacket) {
        let reply = RADIUSAccessReply(packet)
        require(reply.code == packet.code, "access reply: a different code")
        let classes = packet.attributes.filter { $0.type == .class }.map(\.value)
        require(reply.classes == classes, "access reply: Class values not kept as received, in order")
        let names = classes.compactMap(RADIUSAccessReply.groupPolicyName(fromClass:))
        require(reply.groupPolicy == names.first, "access reply: the group policy is not the first Class that names one")
        for name in names {
            require(!name.isEmpty && !name.contains("=") && !name.contains(";")
                        && !name.hasPrefix(" ") && !name.hasSuffix(" ")
                        && !name.unicodeScalars.contains { $0.properties.generalCategory == .control },
                    "access reply: group policy name \(name.debugDescription) from a Class")
        }
        let sessionTimeout = packet.attributes.first { $0.type == .sessionTimeout }
        require(reply.sessionTimeout == sessionTimeout.flatMap { $0.value.count == 4 ? bigEndian($0.value) : nil },
                "access reply: Session-Timeout read wrongly")
        let idleTimeout = packet.attributes.first { $0.type == .idleTimeout }
        require(reply.idleTimeout == idleTimeout.flatMap { $0.value.count == 4 ? bigEndian($0.value) : nil },
                "access reply: Idle-Timeout read wrongly")
        let messages = packet.attributes.filter { $0.type == .replyMessage }.compactMap {
            String(validating: $0.value, as: UTF8.self)
        }
        require(reply.replyMessages.map { Array($0.utf8) } == messages.map { Array($0.utf8) },
                "access reply: Reply-Message texts not the UTF-8 ones, in order")
    }

    private static func bigEndian(_ bytes: [UInt8]) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
