import XCTest
import PosternRADIUS

final class UserPasswordHidingTests: XCTestCase {
    let requestAuthenticator = TestSupport.hex("0f403f9473978057bd83d5cb98f4227a")

    func testRFC2865Section7Point1Example() throws {
        let hidden = try UserPasswordHiding.hide(password: Array("arctangent".utf8), secret: TestSupport.secret,
                                                 requestAuthenticator: requestAuthenticator)
        XCTAssertEqual(hidden, TestSupport.hex("0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee"))
    }

    func testMultiBlockPasswordRoundTrips() throws {
        let password = Array("a password longer than two MD5 blocks, 48+ bytes!".utf8)
        let hidden = try UserPasswordHiding.hide(password: password, secret: TestSupport.secret,
                                                 requestAuthenticator: requestAuthenticator)
        XCTAssertEqual(hidden.count, 64)
        // Chained: the second block differs from hiding the same plaintext with the RA.
        XCTAssertNotEqual(Array(hidden[0..<16]), Array(hidden[16..<32]))
        XCTAssertEqual(try UserPasswordHiding.reveal(hidden: hidden, secret: TestSupport.secret,
                                                     requestAuthenticator: requestAuthenticator), password)
        XCTAssertNotEqual(try UserPasswordHiding.reveal(hidden: hidden, secret: Array("other".utf8),
                                                        requestAuthenticator: requestAuthenticator), password)
    }

    func testLengthLimits() throws {
        let empty = try UserPasswordHiding.hide(password: [], secret: TestSupport.secret,
                                                requestAuthenticator: requestAuthenticator)
        XCTAssertEqual(empty.count, 16)
        let longest = try UserPasswordHiding.hide(password: [UInt8](repeating: 0x41, count: 128),
                                                  secret: TestSupport.secret, requestAuthenticator: requestAuthenticator)
        XCTAssertEqual(longest.count, 128)
        XCTAssertThrowsError(try UserPasswordHiding.hide(password: [UInt8](repeating: 0x41, count: 129),
                                                         secret: TestSupport.secret,
                                                         requestAuthenticator: requestAuthenticator)) {
            XCTAssertEqual($0 as? RADIUSError, .passwordTooLong(129))
        }
        XCTAssertThrowsError(try UserPasswordHiding.hide(password: [1], secret: [],
                                                         requestAuthenticator: requestAuthenticator)) {
            XCTAssertEqual($0 as? RADIUSError, .emptySecret)
        }
    }
}
