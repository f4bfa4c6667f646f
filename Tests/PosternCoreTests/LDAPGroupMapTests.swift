import XCTest
@testable import PosternCore

final class LDAPGroupMapTests: XCTestCase {
    private let map = LDAPGroupMap([
        "cn=engineering,ou=groups,dc=example,dc=org": "Engineering",
        "CN=Sales Team, OU=Groups, DC=example, DC=org": "Sales",
    ])

    func testCaseAndSpacesAroundSeparatorsDoNotMatter() {
        XCTAssertEqual(map.policy(forGroups: ["CN=Engineering, OU=Groups,dc=example,dc=org"])?.policy, "Engineering")
        XCTAssertEqual(map.policy(forGroups: ["cn=sales team,ou=groups,dc=example,dc=org"])?.policy, "Sales")
    }

    func testSpacesInsideAValueStillMatter() {
        XCTAssertNil(map.policy(forGroups: ["cn=salesteam,ou=groups,dc=example,dc=org"]))
    }

    func testTheFirstMappedGroupInDirectoryOrderWins() {
        let groups = ["cn=other,dc=example,dc=org", "cn=sales team,ou=groups,dc=example,dc=org",
                      "cn=engineering,ou=groups,dc=example,dc=org"]
        XCTAssertEqual(map.policy(forGroups: groups)?.policy, "Sales")
        XCTAssertEqual(map.policy(forGroups: groups)?.group, "cn=sales team,ou=groups,dc=example,dc=org")
    }

    func testNoGroupOrAnUnmappedGroupGivesNothing() {
        XCTAssertNil(map.policy(forGroups: []))
        XCTAssertNil(map.policy(forGroups: ["cn=engineering,ou=groups,dc=example,dc=com"]))
        // A near miss through an escaped comma is a different DN.
        XCTAssertNil(map.policy(forGroups: ["cn=engineering\\,ou=groups,dc=example,dc=org"]))
    }
}
