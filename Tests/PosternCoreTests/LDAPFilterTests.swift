import PosternCore
import XCTest

final class LDAPFilterTests: XCTestCase {
    func testAnInjectionIsEscapedIntoALiteralValue() {
        XCTAssertEqual(LDAPFilter.userFilter("(uid=%u)", username: "*)(uid=*"), "(uid=\\2a\\29\\28uid=\\2a)")
    }

    func testEverySpecialCharacterOfRFC4515() {
        XCTAssertEqual(LDAPFilter.escape("a*b(c)d\\e\u{0}f"), "a\\2ab\\28c\\29d\\5ce\\00f")
    }

    func testOrdinaryNamesAndUTF8PassUnchanged() {
        XCTAssertEqual(LDAPFilter.escape("alice.smith@example.org"), "alice.smith@example.org")
        XCTAssertEqual(LDAPFilter.escape("jürgen"), "jürgen")
    }

    func testEveryPlaceholderIsFilled() {
        XCTAssertEqual(LDAPFilter.userFilter("(|(uid=%u)(mail=%u))", username: "a)"), "(|(uid=a\\29)(mail=a\\29))")
    }
}
