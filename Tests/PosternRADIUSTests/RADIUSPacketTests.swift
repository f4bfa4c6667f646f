import XCTest
import PosternRADIUS

final class RADIUSPacketTests: XCTestCase {
    private func header(code: UInt8 = 2, length: Int) -> [UInt8] {
        [code, 7, UInt8(length >> 8), UInt8(length & 0xff)] + [UInt8](repeating: 0xaa, count: 16)
    }

    private func assertDecodeFails(_ bytes: [UInt8], _ expected: RADIUSError, line: UInt = #line) {
        XCTAssertThrowsError(try RADIUSPacket(decoding: bytes), line: line) {
            XCTAssertEqual($0 as? RADIUSError, expected, line: line)
        }
    }

    func testEncodeDecodeRoundTrip() throws {
        let packet = RADIUSPacket(code: .accessAccept, identifier: 42, authenticator: [UInt8](repeating: 9, count: 16),
                                  attributes: [.string(.userName, "alice"), .integer(.sessionTimeout, 3600),
                                               .octets(.class, [0, 1, 2])])
        let bytes = try packet.encoded()
        XCTAssertEqual(bytes.count, 20 + 7 + 6 + 5)
        XCTAssertEqual(Array(bytes[0..<4]), [2, 42, 0, 38])
        XCTAssertEqual(Array(bytes[20..<27]), [1, 7] + Array("alice".utf8))
        XCTAssertEqual(Array(bytes[27..<33]), [27, 6, 0, 0, 0x0e, 0x10])
        XCTAssertEqual(try RADIUSPacket(decoding: bytes), packet)
    }

    func testTypedValues() throws {
        XCTAssertEqual(RADIUSAttribute.integer(.nasPortType, RADIUSValues.nasPortTypeVirtual).value, [0, 0, 0, 5])
        XCTAssertEqual(RADIUSAttribute.integer(.idleTimeout, 0x0102_0304).integerValue, 0x0102_0304)
        XCTAssertNil(RADIUSAttribute.octets(.idleTimeout, [1, 2, 3]).integerValue)
        XCTAssertEqual(RADIUSAttribute.nasAddress("192.0.2.1"), .octets(.nasIPAddress, [192, 0, 2, 1]))
        XCTAssertEqual(RADIUSAttribute.nasAddress("2001:db8::1"),
                       .octets(.nasIPv6Address, [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]))
        XCTAssertNil(RADIUSAttribute.nasAddress("nas.example"))
        XCTAssertThrowsError(try RADIUSAttribute.ipv4(.nasIPAddress, [1, 2, 3]))
        XCTAssertThrowsError(try RADIUSAttribute.ipv6(.nasIPv6Address, [1, 2, 3, 4]))
        XCTAssertEqual(RADIUSAttribute.string(.replyMessage, "héllo").stringValue, "héllo")
        XCTAssertNil(RADIUSAttribute.octets(.replyMessage, [0xff, 0xfe]).stringValue)
    }

    func testEncodeRefusesOversizedValues() {
        let long = RADIUSPacket(code: .accessRequest, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16),
                                attributes: [.octets(.class, [UInt8](repeating: 1, count: 254))])
        XCTAssertThrowsError(try long.encoded()) { XCTAssertEqual($0 as? RADIUSError, .attributeTooLong(.class, length: 254)) }
        let huge = RADIUSPacket(code: .accessRequest, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16),
                                attributes: Array(repeating: .octets(.class, [UInt8](repeating: 1, count: 253)), count: 17))
        XCTAssertThrowsError(try huge.encoded()) { XCTAssertEqual($0 as? RADIUSError, .packetTooLong(20 + 17 * 255)) }
        let badAuth = RADIUSPacket(code: .accessRequest, identifier: 1, authenticator: [1], attributes: [])
        XCTAssertThrowsError(try badAuth.encoded()) { XCTAssertEqual($0 as? RADIUSError, .invalidAuthenticator) }
    }

    func testDecodeAcceptsBareHeaderAndMaximumLength() throws {
        XCTAssertEqual(try RADIUSPacket(decoding: header(length: 20)).attributes, [])
        var body: [UInt8] = []
        while body.count < 4076 - 255 { body += [26, 255] + [UInt8](repeating: 0, count: 253) }
        let rest = 4076 - body.count
        body += [26, UInt8(rest)] + [UInt8](repeating: 0, count: rest - 2)
        XCTAssertEqual(try RADIUSPacket(decoding: header(length: 4096) + body).attributes.count, 16)
    }

    func testDecodeRefusesMalformedDatagrams() {
        assertDecodeFails([], .truncated(datagram: 0, needed: 20))
        assertDecodeFails(Array(header(length: 20).prefix(19)), .truncated(datagram: 19, needed: 20))
        assertDecodeFails(header(length: 26) + [1, 3, 0x41], .truncated(datagram: 23, needed: 26))
        assertDecodeFails(header(length: 19) + [0], .invalidLength(19))
        assertDecodeFails(header(length: 4097) + [UInt8](repeating: 0, count: 4077), .invalidLength(4097))
        assertDecodeFails(header(length: 20) + [0], .trailingBytes(1))
        assertDecodeFails(header(length: 23) + [1, 3, 0x41, 0, 0], .trailingBytes(2))
        assertDecodeFails(header(length: 22) + [1, 2], .malformedAttribute(type: 1, offset: 20))
        assertDecodeFails(header(length: 22) + [1, 0], .malformedAttribute(type: 1, offset: 20))
        assertDecodeFails(header(length: 24) + [1, 5, 0x41, 0x42], .malformedAttribute(type: 1, offset: 20))
        assertDecodeFails(header(length: 24) + [1, 3, 0x41, 18], .malformedAttribute(type: 18, offset: 23))
    }

    func testGarbageNeverCrashesTheDecoder() {
        var generator = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<2000 {
            let count = Int.random(in: 0...64, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if (try? RADIUSPacket(decoding: bytes)) == nil { refused += 1 }
        }
        // A random datagram almost never has a Length field equal to its size.
        XCTAssertGreaterThan(refused, 1900)
    }
}
