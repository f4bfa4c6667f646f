import XCTest
@testable import PosternConfig

final class CodableTests: XCTestCase {
    func testJSONRoundTripEqualsTheOriginal() throws {
        let original = try ConfigLoader.parse(Fixtures.complete, path: Fixtures.path)
        let data = try JSONEncoder().encode(original)
        let decoded = try JSONDecoder().decode(PosternConfiguration.self, from: data)
        XCTAssertEqual(decoded, original)
        XCTAssertEqual(decoded.listeningEndpoints(), original.listeningEndpoints())
    }

    func testProtocolsEncodeAsAnObjectKeyedByName() throws {
        let original = try ConfigLoader.parse(Fixtures.complete, path: Fixtures.path)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(original)) as? [String: Any]
        let protocols = json?["protocols"] as? [String: Any]
        XCTAssertEqual(Set(protocols?.keys.map { $0 } ?? []), ["imap4s", "pop3s", "smtps"])
        let limits = json?["limits"] as? [String: Any]
        XCTAssertEqual(limits?["handshakeTimeout"] as? Int, 10_000, "durations travel as milliseconds")
    }
}
