import XCTest
@testable import PosternProtocols

final class StrictBase64Tests: XCTestCase {
    func testRFC4648Vectors() throws {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==",
                       "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(StrictBase64.encodeToString(bytes(plain)), encoded)
            XCTAssertEqual(try StrictBase64.decode(bytes(encoded)), bytes(plain))
        }
    }

    func testRoundTripsEveryByteValue() throws {
        let all = (0...255).map(UInt8.init)
        for length in 0...7 {
            let input = Array(all.prefix(length * 37 % 256))
            XCTAssertEqual(try StrictBase64.decode(StrictBase64.encode(input)), input)
        }
        XCTAssertEqual(try StrictBase64.decode(StrictBase64.encode(all)), all)
    }

    func testRejectsMissingPadding() {
        XCTAssertThrowsError(try StrictBase64.decode(bytes("Zg"))) {
            XCTAssertEqual($0 as? Base64Error, .invalidLength(2))
        }
    }

    func testRejectsWhitespaceAndForeignCharacters() {
        for (input, offset) in [("Zm9v Yg=", 4), ("Zm9v\r\nYg", 4), ("Zm9-", 3), ("Zm9_", 3), ("Zm\u{0}v", 2),
                                ("Zm9v\u{80}Zm", 4)] {
            XCTAssertThrowsError(try StrictBase64.decode(bytes(input)), input) {
                XCTAssertEqual($0 as? Base64Error, .invalidCharacter(offset: offset), input)
            }
        }
        XCTAssertThrowsError(try StrictBase64.decode(bytes("Zm9vYg==\r\n"))) {
            XCTAssertEqual($0 as? Base64Error, .invalidLength(10))
        }
    }

    func testRejectsMisplacedPadding() {
        for (input, offset) in [("====", 0), ("Z===", 1), ("Zg==Zm9v", 2), ("Zm=v", 2), ("Zm9v=Zm=", 4)] {
            XCTAssertThrowsError(try StrictBase64.decode(bytes(input)), input) {
                XCTAssertEqual($0 as? Base64Error, .misplacedPadding(offset: offset), input)
            }
        }
    }

    func testRejectsNonCanonicalPaddingBits() {
        // "Zh==" and "Zm9=" decode to the same bytes as "Zg==" and "Zm8=" in lenient decoders.
        XCTAssertThrowsError(try StrictBase64.decode(bytes("Zh=="))) {
            XCTAssertEqual($0 as? Base64Error, .nonZeroPaddingBits)
        }
        XCTAssertThrowsError(try StrictBase64.decode(bytes("Zm9="))) {
            XCTAssertEqual($0 as? Base64Error, .nonZeroPaddingBits)
        }
    }

    func testErrorDescriptionsDoNotQuoteInput() {
        let error = Base64Error.invalidCharacter(offset: 3)
        XCTAssertEqual(error.description, "invalid base64 character at offset 3")
    }
}
