import XCTest
@testable import PosternRADIUS

final class RADIUSCryptoTests: XCTestCase {
    func testMD5KnownAnswers() throws {
        XCTAssertEqual(try RADIUSCrypto.md5([]), TestSupport.hex("d41d8cd98f00b204e9800998ecf8427e"))
        XCTAssertEqual(try RADIUSCrypto.md5(Array("a".utf8), Array("bc".utf8)),
                       TestSupport.hex("900150983cd24fb0d6963f7d28e17f72"))
    }

    func testHMACMD5KnownAnswer() throws {
        // RFC 2104 appendix / RFC 2202 test case 1.
        let mac = try RADIUSCrypto.hmacMD5(key: [UInt8](repeating: 0x0b, count: 16), Array("Hi There".utf8))
        XCTAssertEqual(mac, TestSupport.hex("9294727a3638bb1c13f48ef8158bfc9d"))
    }

    func testRandomBytesDiffer() throws {
        let a = try RADIUSCrypto.randomBytes(16), b = try RADIUSCrypto.randomBytes(16)
        XCTAssertEqual(a.count, 16)
        XCTAssertNotEqual(a, b)
    }

    func testConstantTimeEqual() {
        XCTAssertTrue(RADIUSCrypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(RADIUSCrypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(RADIUSCrypto.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
