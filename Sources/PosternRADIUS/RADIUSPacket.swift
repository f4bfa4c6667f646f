/// A RADIUS packet (RFC 2865 §3): Code, Identifier, Length, Authenticator, attributes.
/// Decoding is strict: any datagram that is not exactly one well-formed packet is refused.
public struct RADIUSPacket: Hashable, Sendable {
    public static let headerLength = 20
    public static let maximumLength = 4096
    public static let authenticatorLength = 16

    public var code: RADIUSCode
    public var identifier: UInt8
    /// Request or Response Authenticator, 16 bytes.
    public var authenticator: [UInt8]
    public var attributes: [RADIUSAttribute]

    public init(code: RADIUSCode, identifier: UInt8, authenticator: [UInt8], attributes: [RADIUSAttribute]) {
        self.code = code
        self.identifier = identifier
        self.authenticator = authenticator
        self.attributes = attributes
    }

    /// Values of every attribute of a type, in packet order.
    public func values(of type: RADIUSAttributeType) -> [[UInt8]] {
        attributes.filter { $0.type == type }.map(\.value)
    }

    public func first(_ type: RADIUSAttributeType) -> RADIUSAttribute? {
        attributes.first { $0.type == type }
    }

    /// The wire form, with the Length field computed.
    public func encoded() throws(RADIUSError) -> [UInt8] {
        guard authenticator.count == Self.authenticatorLength else { throw .invalidAuthenticator }
        var length = Self.headerLength
        for attribute in attributes {
            guard attribute.value.count <= RADIUSAttribute.maximumValueLength else {
                throw .attributeTooLong(attribute.type, length: attribute.value.count)
            }
            length += 2 + attribute.value.count
        }
        guard length <= Self.maximumLength else { throw .packetTooLong(length) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        bytes += [code.rawValue, identifier, UInt8(length >> 8), UInt8(length & 0xff)]
        bytes += authenticator
        for attribute in attributes {
            bytes += [attribute.type.rawValue, UInt8(2 + attribute.value.count)]
            bytes += attribute.value
        }
        return bytes
    }

    /// Decodes one datagram. RFC 2865 would let bytes past the Length field pass as padding;
    /// no server we talk to pads, so they are refused with the rest.
    public init(decoding datagram: [UInt8]) throws(RADIUSError) {
        guard datagram.count >= Self.headerLength else {
            throw .truncated(datagram: datagram.count, needed: Self.headerLength)
        }
        let length = Int(datagram[2]) << 8 | Int(datagram[3])
        guard (Self.headerLength...Self.maximumLength).contains(length) else { throw .invalidLength(length) }
        guard datagram.count >= length else { throw .truncated(datagram: datagram.count, needed: length) }
        guard datagram.count == length else { throw .trailingBytes(datagram.count - length) }

        var attributes: [RADIUSAttribute] = []
        var offset = Self.headerLength
        while offset < length {
            let type = datagram[offset]
            // A lone type byte at the end, a length below 3, or one running past the packet.
            guard offset + 1 < length else { throw .malformedAttribute(type: type, offset: offset) }
            let attributeLength = Int(datagram[offset + 1])
            guard attributeLength >= 3, offset + attributeLength <= length else {
                throw .malformedAttribute(type: type, offset: offset)
            }
            attributes.append(RADIUSAttribute(type: RADIUSAttributeType(type),
                                              value: Array(datagram[(offset + 2)..<(offset + attributeLength)])))
            offset += attributeLength
        }
        self.init(code: RADIUSCode(rawValue: datagram[0]), identifier: datagram[1],
                  authenticator: Array(datagram[4..<20]), attributes: attributes)
    }
}
