import XCTest
@testable import PosternRADIUS

final class RADIUSAccessTests: XCTestCase {
    let secret = TestSupport.secret
    let requestAuthenticator = TestSupport.hex("0f403f9473978057bd83d5cb98f4227a")

    private func request(identifier: UInt8 = 0x2a) throws -> RADIUSRequest {
        try RADIUSRequestBuilder.accessRequest(
            identifier: identifier, userName: "nemo", password: Array("arctangent".utf8),
            attributes: [.integer(.nasPortType, RADIUSValues.nasPortTypeVirtual), .string(.nasIdentifier, "postern"),
                         .octets(.messageAuthenticator, [UInt8](repeating: 1, count: 16))],
            secret: secret, requestAuthenticator: requestAuthenticator)
    }

    private func assertRefused(_ reply: [UInt8], to request: RADIUSRequest, secret: [UInt8]? = nil,
                               _ expected: RADIUSError, line: UInt = #line) {
        XCTAssertThrowsError(try RADIUSReplyVerifier.verify(reply: reply, to: request, secret: secret ?? self.secret),
                             line: line) { XCTAssertEqual($0 as? RADIUSError, expected, line: line) }
    }

    func testAccessRequestRoundTrip() throws {
        let sent = try request()
        XCTAssertEqual(sent.code, .accessRequest)
        XCTAssertEqual(sent.authenticator, requestAuthenticator)
        let packet = try RADIUSPacket(decoding: sent.datagram)
        XCTAssertEqual(packet.code, .accessRequest)
        XCTAssertEqual(packet.identifier, 0x2a)
        XCTAssertEqual(packet.authenticator, requestAuthenticator)
        XCTAssertEqual(packet.attributes.map(\.type),
                       [.messageAuthenticator, .userName, .userPassword, .nasPortType, .nasIdentifier])
        XCTAssertEqual(packet.first(.userName)?.stringValue, "nemo")
        XCTAssertEqual(packet.first(.userPassword)?.value,
                       TestSupport.hex("0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee"))
        XCTAssertEqual(packet.first(.nasPortType)?.integerValue, 5)

        // Message-Authenticator first, and equal to HMAC-MD5 over the datagram with it zeroed.
        XCTAssertEqual(Array(sent.datagram[20..<22]), [80, 18])
        var zeroed = sent.datagram
        zeroed.replaceSubrange(22..<38, with: [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(Array(sent.datagram[22..<38]), try RADIUSCrypto.hmacMD5(key: secret, zeroed))
    }

    func testRequestAuthenticatorIsRandom() throws {
        let a = try RADIUSRequestBuilder.accessRequest(identifier: 1, userName: "u", password: [1], attributes: [],
                                                       secret: secret)
        let b = try RADIUSRequestBuilder.accessRequest(identifier: 1, userName: "u", password: [1], attributes: [],
                                                       secret: secret)
        XCTAssertEqual(a.authenticator.count, 16)
        XCTAssertNotEqual(a.authenticator, b.authenticator)
        XCTAssertEqual(Array(a.datagram[4..<20]), a.authenticator)
    }

    func testVerifiesACorrectAccept() throws {
        let sent = try request()
        let reply = try TestSupport.serverReply(
            code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
            attributes: [(25, Array("junk\u{1}".utf8)), (25, Array("OU=Engineering;".utf8)),
                         (27, [0, 0, 0x0e, 0x10]), (28, [0, 0, 0x03, 0x84]),
                         (18, Array("Welcome".utf8)), (18, Array("back".utf8))])
        let packet = try RADIUSReplyVerifier.verify(reply: reply, to: sent, secret: secret)
        XCTAssertTrue(packet.matches(request: sent))
        let accept = RADIUSAccessReply(packet)
        XCTAssertEqual(accept.code, .accessAccept)
        XCTAssertEqual(accept.groupPolicy, "Engineering")
        XCTAssertEqual(accept.classes.count, 2)
        XCTAssertEqual(accept.sessionTimeout, 3600)
        XCTAssertEqual(accept.idleTimeout, 900)
        XCTAssertEqual(accept.replyMessages, ["Welcome", "back"])
    }

    func testVerifiesRejectChallengeAndMessageAuthenticatorAnywhere() throws {
        let sent = try request()
        for code: UInt8 in [3, 11] {
            let reply = try TestSupport.serverReply(code: code, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                    attributes: [(18, Array("no".utf8))])
            XCTAssertEqual(try RADIUSReplyVerifier.verify(reply: reply, to: sent, secret: secret).code.rawValue, code)
        }
        let atEnd = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                attributes: [(25, Array("x".utf8))], messageAuth: .atEnd)
        XCTAssertNoThrow(try RADIUSReplyVerifier.verify(reply: atEnd, to: sent, secret: secret))
    }

    func testRefusesWrongSecret() throws {
        let sent = try request()
        let reply = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                attributes: [])
        assertRefused(reply, to: sent, secret: Array("xyzzy5462".utf8), .badResponseAuthenticator)
        // Signed by a server that holds another secret.
        let other = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                attributes: [], secret: Array("other".utf8))
        assertRefused(other, to: sent, .badResponseAuthenticator)
    }

    func testRefusesMissingOrWrongMessageAuthenticator() throws {
        let sent = try request()
        for (kind, error) in [(TestSupport.MessageAuth.missing, RADIUSError.missingMessageAuthenticator),
                              (.wrongKey, .badMessageAuthenticator), (.twice, .badMessageAuthenticator)] {
            let reply = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                    attributes: [(25, Array("OU=x;".utf8))], messageAuth: kind)
            assertRefused(reply, to: sent, error)
        }
    }

    func testAnUnsignedReplyIsTakenOnlyWhenTheGroupDoesNotRequireMessageAuthenticator() throws {
        let sent = try request()
        let unsigned = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                   attributes: [(25, Array("OU=x;".utf8))], messageAuth: .missing)
        let packet = try RADIUSReplyVerifier.verify(reply: unsigned, to: sent, secret: secret,
                                                    requireMessageAuthenticator: false)
        XCTAssertEqual(packet.code, .accessAccept)
        // The Response Authenticator still decides, and a Message-Authenticator present is still checked.
        XCTAssertThrowsError(try RADIUSReplyVerifier.verify(reply: unsigned, to: sent, secret: Array("other".utf8),
                                                            requireMessageAuthenticator: false)) {
            XCTAssertEqual($0 as? RADIUSError, .badResponseAuthenticator)
        }
        let badlySigned = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                      attributes: [], messageAuth: .wrongKey)
        XCTAssertThrowsError(try RADIUSReplyVerifier.verify(reply: badlySigned, to: sent, secret: secret,
                                                            requireMessageAuthenticator: false)) {
            XCTAssertEqual($0 as? RADIUSError, .badMessageAuthenticator)
        }
    }

    func testStatusServerCarriesMessageAuthenticatorAndTakesAnAcceptOrAccountingResponse() throws {
        let sent = try RADIUSRequestBuilder.statusServer(identifier: 7, attributes: [.string(.nasIdentifier, "postern")],
                                                         secret: secret, requestAuthenticator: requestAuthenticator)
        let packet = try RADIUSPacket(decoding: sent.datagram)
        XCTAssertEqual(packet.code.rawValue, 12)
        XCTAssertEqual(packet.attributes.map(\.type), [.messageAuthenticator, .nasIdentifier])
        var zeroed = sent.datagram
        zeroed.replaceSubrange(22..<38, with: [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(Array(sent.datagram[22..<38]), try RADIUSCrypto.hmacMD5(key: secret, zeroed))
        for code: UInt8 in [2, 5] {
            let reply = try TestSupport.serverReply(code: code, identifier: 7, requestAuthenticator: requestAuthenticator,
                                                    attributes: [])
            XCTAssertEqual(try RADIUSReplyVerifier.verify(reply: reply, to: sent, secret: secret).code.rawValue, code)
        }
        let reject = try TestSupport.serverReply(code: 3, identifier: 7, requestAuthenticator: requestAuthenticator,
                                                 attributes: [])
        assertRefused(reject, to: sent, .unexpectedReply(.accessReject, request: .statusServer))
    }

    func testRefusesWrongResponseAuthenticator() throws {
        let sent = try request()
        let reply = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                attributes: [(25, Array("OU=x;".utf8))])
        var flipped = reply
        flipped[10] ^= 0x01
        assertRefused(flipped, to: sent, .badResponseAuthenticator)
        var tampered = reply
        tampered[reply.count - 1] ^= 0x01  // the Class value, after the Message-Authenticator
        assertRefused(tampered, to: sent, .badResponseAuthenticator)
        // Signed over some other request's authenticator.
        let stale = try TestSupport.serverReply(code: 2, identifier: 0x2a,
                                                requestAuthenticator: [UInt8](repeating: 0, count: 16), attributes: [])
        assertRefused(stale, to: sent, .badResponseAuthenticator)
    }

    func testRefusesWrongIdentifierOrCode() throws {
        let sent = try request()
        let otherID = try TestSupport.serverReply(code: 2, identifier: 0x2b, requestAuthenticator: sent.authenticator,
                                                  attributes: [])
        assertRefused(otherID, to: sent, .identifierMismatch(reply: 0x2b, request: 0x2a))
        XCTAssertFalse(try RADIUSPacket(decoding: otherID).matches(request: sent))
        let accounting = try TestSupport.serverReply(code: 5, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                     attributes: [])
        assertRefused(accounting, to: sent, .unexpectedReply(.accountingResponse, request: .accessRequest))
        XCTAssertFalse(try RADIUSPacket(decoding: accounting).matches(request: sent))
    }

    func testRefusesTruncatedOverlongAndGarbageReplies() throws {
        let sent = try request()
        let reply = try TestSupport.serverReply(code: 2, identifier: 0x2a, requestAuthenticator: sent.authenticator,
                                                attributes: [(18, Array("hello".utf8))])
        assertRefused(Array(reply.dropLast()), to: sent, .truncated(datagram: reply.count - 1, needed: reply.count))
        assertRefused(Array(reply.prefix(12)), to: sent, .truncated(datagram: 12, needed: 20))
        assertRefused(reply + [0, 0], to: sent, .trailingBytes(2))
        assertRefused([UInt8](repeating: 0xff, count: 64), to: sent, .invalidLength(0xffff))
        assertRefused([], to: sent, .truncated(datagram: 0, needed: 20))
    }

    func testClassForms() {
        func name(_ text: String) -> String? { RADIUSAccessReply.groupPolicyName(fromClass: Array(text.utf8)) }
        XCTAssertEqual(name("OU=Sales;"), "Sales")
        XCTAssertEqual(name("OU=Sales"), "Sales")
        XCTAssertEqual(name("Sales"), "Sales")
        XCTAssertEqual(name("ou=Sales;"), "Sales")
        XCTAssertEqual(name("OU=Grp Policy 1;"), "Grp Policy 1")
        XCTAssertNil(name(""))
        XCTAssertNil(name("OU=;"))
        XCTAssertNil(name("OU="))
        XCTAssertNil(name("CN=x"))
        XCTAssertNil(name("bad\u{0}name"))
        XCTAssertNil(RADIUSAccessReply.groupPolicyName(fromClass: [0xff, 0x80]))

        let first = RADIUSPacket(code: .accessAccept, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16),
                                 attributes: [.octets(.class, [0xff]), .string(.class, "OU=A;"), .string(.class, "B")])
        XCTAssertEqual(RADIUSAccessReply(first).groupPolicy, "A")
        let none = RADIUSPacket(code: .accessAccept, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16),
                                attributes: [])
        XCTAssertNil(RADIUSAccessReply(none).groupPolicy)
    }
}
