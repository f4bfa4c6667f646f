import PosternCore
import XCTest

final class UsersFileTests: XCTestCase {
    func testLinesWithAndWithoutAPolicy() throws {
        let file = try UsersFile(parsing: "# comment\n\nalice:$y$j9T$abc$def\nbob:$6$salt$hash:Engineering\n")
        XCTAssertEqual(file["alice"], .init(name: "alice", hash: "$y$j9T$abc$def", groupPolicy: nil))
        XCTAssertEqual(file["bob"]?.groupPolicy, "Engineering")
        XCTAssertNil(file["carol"])
    }

    func testBrokenLinesNameTheirLine() {
        XCTAssertThrowsError(try UsersFile(parsing: "alice:$y$x\nbob\n")) { error in
            XCTAssertEqual((error as? UsersFile.ParseError)?.line, 2)
        }
        XCTAssertThrowsError(try UsersFile(parsing: "alice:plaintext\n")) { error in
            XCTAssertTrue("\(error)".contains("not a crypt(3) hash"))
        }
        XCTAssertThrowsError(try UsersFile(parsing: "a:$6$x\na:$6$y\n"))
        XCTAssertThrowsError(try UsersFile(parsing: ":$6$x\n"))
    }

    func testTheLinePosternctlWrites() {
        XCTAssertEqual(UsersFile.line(name: "alice", hash: "$y$h", groupPolicy: nil), "alice:$y$h")
        XCTAssertEqual(UsersFile.line(name: "alice", hash: "$y$h", groupPolicy: "Eng"), "alice:$y$h:Eng")
    }

    func testAnUnknownUserIsCheckedAgainstTheFilesFirstHash() throws {
        // The first line's hash, whatever the names sort as: its scheme and cost are the file's.
        let file = try UsersFile(parsing: "# users\n\nzed:$6$rounds=900000$salt$abc\nalice:$y$j9T$s$h\n")
        XCTAssertEqual(file.decoyHash, "$6$rounds=900000$salt$abc")
        XCTAssertNil(try UsersFile(parsing: "# nobody\n").decoyHash)
        XCTAssertEqual(UsersFile(entries: [.init(name: "b", hash: "$y$j9T$b$c", groupPolicy: nil)]).decoyHash, "$y$j9T$b$c")
    }
}
