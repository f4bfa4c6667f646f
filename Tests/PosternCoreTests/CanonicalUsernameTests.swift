import PosternCore
import XCTest

final class CanonicalUsernameTests: XCTestCase {
    func testSpellingsOfOneAccountShareOneName() {
        for typed in ["alice", "Alice", "ALICE", " alice", "alice\t", "ａｌｉｃｅ", "Ａｌｉｃｅ "] {
            XCTAssertEqual(CanonicalUsername.of(typed), "alice", typed)
        }
        XCTAssertEqual(CanonicalUsername.of("ﬁnn"), "finn", "compatibility forms are composed away")
        XCTAssertEqual(CanonicalUsername.of("Straße"), CanonicalUsername.of("STRASSE"), "full case folding")
        XCTAssertNotEqual(CanonicalUsername.of("alice"), CanonicalUsername.of("alicia"))
    }
}
