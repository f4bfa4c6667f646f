import XCTest
@testable import PosternProtocols

final class LineReaderTests: XCTestCase {
    private func events(_ text: String, max: Int = 8) -> [LineReader.Event] {
        var reader = LineReader(maxLineLength: max)
        return text.utf8.compactMap { reader.push($0) }
    }

    func testCRLFAndBareLFEndALine() {
        XCTAssertEqual(events("USER a\r\nPASS b\n"), [.line(Array("USER a".utf8)), .line(Array("PASS b".utf8))])
    }

    func testALineAtTheLimitPassesAndOneBeyondIsTooLong() {
        XCTAssertEqual(events("12345678\r\n"), [.line(Array("12345678".utf8))])
        XCTAssertEqual(events("123456789\r\n").first, .tooLong)
        // Without a line end, the run is refused as soon as it can no longer fit.
        XCTAssertEqual(events("1234567890"), [.tooLong])
    }

    func testResetForgetsAPartialLine() {
        var reader = LineReader(maxLineLength: 8)
        for byte in "EHLO".utf8 { XCTAssertNil(reader.push(byte)) }
        reader.reset()
        let after = "NOOP\r\n".utf8.compactMap { reader.push($0) }
        XCTAssertEqual(after, [.line(Array("NOOP".utf8))])
    }
}
