@testable import PosternCore
import XCTest

/// Text from clients, shown in log fields and posternctl tables (docs/events.md).
final class DisplayEscapeTests: XCTestCase {
    func testPrintableTextIsLeftAlone() {
        for text in ["alice", "élodie@example.org", "用户", "Ünïcødé name", "😀", "a b"] {
            XCTAssertEqual(DisplayEscape.escaped(text), text)
        }
    }

    func testASCIIControlsAndDELAreEscapedAsBytes() {
        XCTAssertEqual(DisplayEscape.escaped("a\nb\rc\td"), "a\\nb\\rc\\td")
        XCTAssertEqual(DisplayEscape.escaped("\u{0}\u{1}\u{1b}[31m\u{7f}"), "\\x00\\x01\\x1b[31m\\x7f")
    }

    func testC1ControlsAndLineAndParagraphSeparatorsAreEscaped() {
        XCTAssertEqual(DisplayEscape.escaped("a\u{85}b\u{9b}c"), "a\\u{85}b\\u{9B}c")
        XCTAssertEqual(DisplayEscape.escaped("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c")
    }

    func testEveryBidiControlIsEscaped() {
        let bidi: [UInt32] = [0x061C, 0x200E, 0x200F] + Array(0x202A...0x202E) + Array(0x2066...0x2069)
        for value in bidi {
            let scalar = Unicode.Scalar(value)!
            XCTAssertEqual(DisplayEscape.escaped("x" + String(Character(scalar)) + "y"),
                           "x\\u{" + String(value, radix: 16, uppercase: true) + "}y")
        }
    }

    func testOtherFormatCharactersAndUnassignedCodePointsAreEscaped() {
        // Zero-width space and joiner, byte order mark, soft hyphen, a tag character, a noncharacter.
        XCTAssertEqual(DisplayEscape.escaped("a\u{200B}\u{200D}\u{FEFF}\u{AD}\u{E0041}\u{FFFE}b"),
                       "a\\u{200B}\\u{200D}\\u{FEFF}\\u{AD}\\u{E0041}\\u{FFFE}b")
    }

    func testABackslashIsDoubledSoNoEscapeCanBeFaked() {
        XCTAssertEqual(DisplayEscape.escaped("x\\u{202E}"), "x\\\\u{202E}")
    }

    func testALogFieldWithAFormatCharacterIsQuotedAndEscaped() {
        XCTAssertEqual(EventLogger.quote("evil\u{202E}gpj.exe"), "\"evil\\u{202E}gpj.exe\"")
        XCTAssertEqual(EventLogger.quote("a\u{2028}role=authd"), "\"a\\u{2028}role=authd\"")
        XCTAssertEqual(EventLogger.quote("x\u{85}y"), "\"x\\u{85}y\"")
        XCTAssertEqual(EventLogger.quote("back\\slash"), "\"back\\\\slash\"")
        XCTAssertEqual(EventLogger.quote("élodie"), "élodie")
    }
}
