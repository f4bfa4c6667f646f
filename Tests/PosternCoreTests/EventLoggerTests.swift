@testable import PosternCore
import XCTest

final class EventLoggerTests: XCTestCase {
    func testValuesAreQuotedOnlyWhenNeeded() {
        XCTAssertEqual(EventLogger.quote("alice"), "alice")
        XCTAssertEqual(EventLogger.quote("two words"), "\"two words\"")
        XCTAssertEqual(EventLogger.quote(""), "\"\"")
        XCTAssertEqual(EventLogger.quote("a=b"), "\"a=b\"")
    }

    func testAClientCannotForgeALine() {
        XCTAssertEqual(EventLogger.quote("x\nrole=authd event=auth-result"), "\"x\\nrole=authd event=auth-result\"")
        XCTAssertEqual(EventLogger.quote("q\"uote"), "\"q\\\"uote\"")
        XCTAssertEqual(EventLogger.quote("\u{1b}[31m"), "\"\\x1b[31m\"")
    }

    func testSessionIDsAreSixteenHexDigits() {
        let id = SessionID(rawValue: 0xab)
        XCTAssertEqual(id.description, "00000000000000ab")
        XCTAssertNotEqual(SessionID.random(), SessionID.random())
    }

    func testACappedValueIsAPrefixOfTheText() {
        // A 4-byte character straddles the bound; the 1-byte ones after it must not be taken.
        let text = String(repeating: "a", count: 1022) + "😀" + String(repeating: "b", count: 100)
        XCTAssertEqual(LogValue.capped(text).text, String(repeating: "a", count: 1022) + "…(1126 bytes)")
        XCTAssertEqual(LogValue.capped("short").text, "short")
        XCTAssertNil(LogValue.capped(nil).text)
    }
}
