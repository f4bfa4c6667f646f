import PosternPortal
import XCTest

final class FormBodyTests: XCTestCase {
    private func parse(_ text: String) throws -> [String: String] {
        try FormBody.parse(Array(text.utf8))
    }

    func testFieldsDecodePlusAndPercent() throws {
        XCTAssertEqual(try parse("username=j%C3%BCrgen+doe&password=p%26w%3D1%25&csrf=abc"),
                       ["username": "jürgen doe", "password": "p&w=1%", "csrf": "abc"])
        XCTAssertEqual(try parse(""), [:])
        XCTAssertEqual(try parse("a&b="), ["a": "", "b": ""])
    }

    func testMalformedFormsAreRefused() {
        for bad in ["a=%", "a=%4", "a=%GG", "a=%C3", "a=%FF%FE", "a=1&a=2"] {
            XCTAssertThrowsError(try parse(bad), bad) { error in
                guard case .malformedForm = error as? PortalRequestError else { return XCTFail("\(bad): \(error)") }
            }
        }
    }

    func testBoundsAreEnforcedBeforeAndAfterDecoding() {
        let long = String(repeating: "x", count: FormBody.maxValueBytes + 1)
        XCTAssertThrowsError(try parse("a=" + long))
        XCTAssertNoThrow(try parse("a=" + String(repeating: "x", count: FormBody.maxValueBytes)))
        XCTAssertThrowsError(try parse("a=" + String(repeating: "%41", count: FormBody.maxValueBytes + 1)))
        XCTAssertThrowsError(try parse((0...FormBody.maxFields).map { "f\($0)=1" }.joined(separator: "&")))
    }
}

final class CookieHeaderTests: XCTestCase {
    func testTheNamedCookieAmongOthers() {
        XCTAssertEqual(CookieHeader.value(of: "__Host-postern-session", in: ["a=1; __Host-postern-session=abc; b=2"]), "abc")
        XCTAssertEqual(CookieHeader.value(of: "x", in: ["a=1", "x=\"quoted\""]), "quoted")
        XCTAssertNil(CookieHeader.value(of: "x", in: ["xx=1; a=x"]))
        XCTAssertNil(CookieHeader.value(of: "x", in: []))
    }

    func testACookieSentTwiceIsNotTrusted() {
        XCTAssertNil(CookieHeader.value(of: "x", in: ["x=1; x=2"]))
        XCTAssertNil(CookieHeader.value(of: "x", in: ["x=1", "x=1"]))
    }
}

final class SessionCookieTests: XCTestCase {
    func testNewValuesAreWellFormedAndDistinct() throws {
        let a = try XCTUnwrap(SessionCookie.newValue()), b = try XCTUnwrap(SessionCookie.newValue())
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(SessionCookie.isWellFormed(a))
        XCTAssertEqual(a.utf8.count, 22)
        XCTAssertFalse(SessionCookie.isWellFormed(a + "A"))
        XCTAssertFalse(SessionCookie.isWellFormed("not a cookie value!!!!"))
        XCTAssertEqual(SessionCookie.hash(of: a)?.count, 64)
        XCTAssertNotEqual(SessionCookie.hash(of: a), SessionCookie.hash(of: b))
    }

    func testSetCookieCarriesTheFlagsSPECAsksFor() {
        XCTAssertEqual(SessionCookie.setCookie(SessionCookie.name, "v"),
                       "__Host-postern-session=v; Path=/; Secure; HttpOnly; SameSite=Strict")
        XCTAssertTrue(SessionCookie.setCookie(SessionCookie.name, "", maxAge: 0).hasSuffix("; Max-Age=0"))
        XCTAssertFalse(SessionCookie.setCookie(SessionCookie.name, "v").contains("Domain"))
    }

    func testBase64URLRoundTripsAndRefusesWhatNoEncodingGives() {
        for count in 0..<20 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            XCTAssertEqual(Base64URL.decode(Base64URL.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base64URL.encode([0xfb, 0xff]), "-_8")
        XCTAssertNil(Base64URL.decode("A"), "no encoding is one character long")
        XCTAssertNil(Base64URL.decode("-_9"), "unused low bits set: not canonical")
        XCTAssertNil(Base64URL.decode("ab+/"), "the standard alphabet's + and / are not base64url")
    }
}

final class CSRFTokenTests: XCTestCase {
    private let tokens = CSRFTokens(key: Array(repeating: 7, count: 32))

    func testAFormsTokenIsAcceptedForThatFormAndCookieOnly() {
        let token = tokens.token(form: "login", boundTo: "cookie-1")
        XCTAssertTrue(tokens.accepts(token, form: "login", boundTo: "cookie-1"))
        XCTAssertFalse(tokens.accepts(token, form: "logout", boundTo: "cookie-1"))
        XCTAssertFalse(tokens.accepts(token, form: "login", boundTo: "cookie-2"))
        XCTAssertFalse(tokens.accepts(nil, form: "login", boundTo: "cookie-1"))
        XCTAssertFalse(tokens.accepts(token, form: "login", boundTo: nil))
        XCTAssertFalse(tokens.accepts(String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A"), form: "login", boundTo: "cookie-1"))
        XCTAssertFalse(CSRFTokens(key: Array(repeating: 8, count: 32)).accepts(token, form: "login", boundTo: "cookie-1"))
    }

    func testFormAndCookieDoNotRunTogether() {
        XCTAssertNotEqual(tokens.token(form: "ab", boundTo: "c"), tokens.token(form: "a", boundTo: "bc"))
    }
}
