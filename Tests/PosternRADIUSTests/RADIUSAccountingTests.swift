import XCTest
@testable import PosternRADIUS

final class RADIUSAccountingTests: XCTestCase {
    let secret = TestSupport.secret

    private func start() throws -> RADIUSRequest {
        try RADIUSRequestBuilder.accountingRequest(
            identifier: 9,
            attributes: [.integer(.acctStatusType, RADIUSValues.acctStatusStart), .string(.acctSessionId, "0000beef"),
                         .string(.userName, "nemo"), .string(.callingStationId, "198.51.100.7"),
                         .octets(.messageAuthenticator, [UInt8](repeating: 0, count: 16))],
            secret: secret)
    }

    func testRequestAuthenticatorIsMD5OverZeroedPacketAndSecret() throws {
        let sent = try start()
        XCTAssertEqual(Array(sent.datagram[4..<20]), sent.authenticator)
        var zeroed = sent.datagram
        zeroed.replaceSubrange(4..<20, with: [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(sent.authenticator, try RADIUSCrypto.md5(zeroed, secret))
        let packet = try RADIUSPacket(decoding: sent.datagram)
        XCTAssertEqual(packet.code, .accountingRequest)
        XCTAssertEqual(packet.attributes.map(\.type), [.acctStatusType, .acctSessionId, .userName, .callingStationId])
        XCTAssertNotEqual(try RADIUSRequestBuilder.accountingRequest(identifier: 9, attributes: packet.attributes,
                                                                     secret: Array("other".utf8)).authenticator,
                          sent.authenticator)
    }

    func testVerifiesAccountingResponse() throws {
        let sent = try start()
        let response = try TestSupport.serverReply(code: 5, identifier: 9, requestAuthenticator: sent.authenticator,
                                                   attributes: [], messageAuth: .missing)
        XCTAssertEqual(try RADIUSReplyVerifier.verify(reply: response, to: sent, secret: secret).code, .accountingResponse)
        let signed = try TestSupport.serverReply(code: 5, identifier: 9, requestAuthenticator: sent.authenticator,
                                                 attributes: [])
        XCTAssertNoThrow(try RADIUSReplyVerifier.verify(reply: signed, to: sent, secret: secret))
    }

    func testRefusesForgedAccountingResponse() throws {
        let sent = try start()
        let response = try TestSupport.serverReply(code: 5, identifier: 9, requestAuthenticator: sent.authenticator,
                                                   attributes: [], secret: Array("other".utf8), messageAuth: .missing)
        XCTAssertThrowsError(try RADIUSReplyVerifier.verify(reply: response, to: sent, secret: secret)) {
            XCTAssertEqual($0 as? RADIUSError, .badResponseAuthenticator)
        }
        let badMAC = try TestSupport.serverReply(code: 5, identifier: 9, requestAuthenticator: sent.authenticator,
                                                 attributes: [], messageAuth: .wrongKey)
        XCTAssertThrowsError(try RADIUSReplyVerifier.verify(reply: badMAC, to: sent, secret: secret)) {
            XCTAssertEqual($0 as? RADIUSError, .badMessageAuthenticator)
        }
        let accept = try TestSupport.serverReply(code: 2, identifier: 9, requestAuthenticator: sent.authenticator,
                                                 attributes: [])
        XCTAssertThrowsError(try RADIUSReplyVerifier.verify(reply: accept, to: sent, secret: secret)) {
            XCTAssertEqual($0 as? RADIUSError, .unexpectedReply(.accessAccept, request: .accountingRequest))
        }
    }
}
