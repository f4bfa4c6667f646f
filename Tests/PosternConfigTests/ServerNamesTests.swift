import XCTest
@testable import PosternConfig

/// `server-names` (SPEC §2): the TLS SNI a proxy accepts.
final class ServerNamesTests: XCTestCase {
    private func parse(_ line: String) throws(ConfigError) -> PosternConfiguration {
        try ConfigLoader.parse(Fixtures.minimal + "\n" + line + "\n", path: Fixtures.path)
    }

    func testWithoutTheKeyAnyNameIsAccepted() throws {
        XCTAssertEqual(try parse("").protocols[.imap4s]?.serverNames, [])
    }

    func testNamesAreKeptInLowerCase() throws {
        let config = try parse(#"server-names = ["Mail.Example.org", "imap.example.org"]"#)
        XCTAssertEqual(config.protocols[.imap4s]?.serverNames, ["mail.example.org", "imap.example.org"])
    }

    func testAnythingButAHostNameIsRefusedWithItsElementPath() {
        for bad in ["", "*.example.org", "192.0.2.1", "mail..example.org", "-mail.example.org", "mail example.org",
                    "mail.example.org.", "mäil.example.org"] {
            XCTAssertThrowsError(try parse("server-names = [\"mail.example.org\", \"\(bad)\"]"), bad) { error in
                let error = error as! ConfigError
                XCTAssertEqual(error.kind, .invalidValue, "\(bad): \(error)")
                XCTAssertEqual(error.keyPath.description, "imap4s.server-names[1]", "\(bad): \(error)")
                XCTAssertTrue(error.message.contains("host name"), error.message)
            }
        }
    }

    func testAnEmptyListAndATwiceListedNameAreRefused() {
        XCTAssertThrowsError(try parse("server-names = []")) { error in
            XCTAssertEqual((error as! ConfigError).keyPath.description, "imap4s.server-names")
        }
        XCTAssertThrowsError(try parse(#"server-names = ["mail.example.org", "MAIL.example.org"]"#)) { error in
            XCTAssertEqual((error as! ConfigError).kind, .conflict)
        }
    }

    func testItIsAStringArray() {
        XCTAssertThrowsError(try parse(#"server-names = "mail.example.org""#)) { error in
            XCTAssertEqual((error as! ConfigError).keyPath.description, "imap4s.server-names")
        }
    }
}
