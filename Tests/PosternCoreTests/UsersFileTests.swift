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
}
