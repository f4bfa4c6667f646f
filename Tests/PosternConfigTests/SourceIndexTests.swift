import XCTest
@testable import PosternConfig

final class SourceIndexTests: XCTestCase {
    private func path(_ components: ConfigKeyPath.Component...) -> ConfigKeyPath {
        ConfigKeyPath(components)
    }

    func testHeadersArraysOfTablesAndKeys() {
        let index = SourceIndex(text: Fixtures.complete)
        func line(_ fragment: String) -> Int? { Fixtures.line(of: fragment, in: Fixtures.complete) }

        XCTAssertEqual(index.line(of: path(.key("tls"))), 1)
        XCTAssertEqual(index.line(of: path(.key("tls"), .key("min-version"))), line("min-version"))
        XCTAssertEqual(index.line(of: path(.key("interface"), .index(1), .key("addresses"))), line("10.1.1.1"))
        XCTAssertEqual(index.line(of: path(.key("interface"), .index(2))), line("name = \"mgmt\"")! - 1)
        XCTAssertEqual(index.line(of: path(.key("aaa-server-group"), .key("CORP"), .key("server"), .index(1),
                                           .key("auth-port"))), line("auth-port = 11812"))
        XCTAssertEqual(index.line(of: path(.key("aaa-server-group"), .key("DIR"), .key("group-map"),
                                           .key("cn=engineering,ou=groups,dc=example,dc=org"))),
                       line("\"cn=engineering"))
        // The group-policy table exists only through its sub-tables: the first one names it.
        XCTAssertEqual(index.line(of: path(.key("group-policy"))), line("[group-policy.Default]"))
    }

    func testLookupFallsBackToTheNearestParent() {
        let index = SourceIndex(text: Fixtures.complete)
        XCTAssertEqual(index.line(of: path(.key("imap4s"), .key("port"))),
                       Fixtures.line(of: "[imap4s]", in: Fixtures.complete))
        XCTAssertEqual(index.line(of: path(.key("imap4s"), .key("allowed-servers"), .index(1))),
                       Fixtures.line(of: "allowed-servers", in: Fixtures.complete))
        XCTAssertNil(index.line(of: path(.key("nowhere"), .key("x"))))
    }

    func testMultiLineValuesDottedQuotedKeysAndComments() {
        let text = """
        # a comment with key = "value" in it
        title = \"\"\"
        [not-a-table]
        fake = 1
        \"\"\"
        list = [
          "a", # ] not the end
          "b",
        ]
        [ section . "quoted.key" ]   # comment
        site."google.com".x = 1
        'literal' = "v"
        after = 2
        [[arr]]
        [arr.sub]
        k = 1
        [[arr]]
        [arr.sub]
        k = 2
        """
        let index = SourceIndex(text: text)
        XCTAssertEqual(index.line(of: path(.key("title"))), 2)
        XCTAssertNil(index.line(of: path(.key("not-a-table"))))
        XCTAssertNil(index.line(of: path(.key("fake"))))
        XCTAssertEqual(index.line(of: path(.key("list"))), 6)
        XCTAssertEqual(index.line(of: path(.key("section"), .key("quoted.key"))), 10)
        XCTAssertEqual(index.line(of: path(.key("section"), .key("quoted.key"), .key("site"), .key("google.com"),
                                           .key("x"))), 11)
        XCTAssertEqual(index.line(of: path(.key("section"), .key("quoted.key"), .key("site"))), 11)
        XCTAssertEqual(index.line(of: path(.key("section"), .key("quoted.key"), .key("literal"))), 12)
        XCTAssertEqual(index.line(of: path(.key("section"), .key("quoted.key"), .key("after"))), 13)
        XCTAssertEqual(index.line(of: path(.key("arr"), .index(0), .key("sub"), .key("k"))), 16)
        XCTAssertEqual(index.line(of: path(.key("arr"), .index(1), .key("sub"), .key("k"))), 19)
        XCTAssertEqual(index.line(of: path(.key("arr"), .index(1))), 17)
    }

    func testEscapesInQuotedKeys() {
        let index = SourceIndex(text: "[t]\n\"a\\\"b\\u00e9\" = 1\n")
        XCTAssertEqual(index.line(of: path(.key("t"), .key("a\"bé"))), 2)
    }

    func testKeyPathRendering() {
        XCTAssertEqual(path(.key("aaa-server-group"), .key("CORP"), .key("server"), .index(1), .key("host")).description,
                       "aaa-server-group.CORP.server[1].host")
        XCTAssertEqual(path(.key("group-map"), .key("cn=x,dc=y")).description, "group-map.\"cn=x,dc=y\"")
        XCTAssertEqual(path(.key("interface"), .index(0), .key("addresses"), .index(2)).description,
                       "interface[0].addresses[2]")
        XCTAssertEqual(ConfigKeyPath.root.description, "")
    }
}
