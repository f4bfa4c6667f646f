import XCTest
@testable import PosternConfig

final class ValueParsingTests: XCTestCase {
    func testDurations() {
        XCTAssertEqual(ConfigDuration(parsing: "0"), .zero)
        XCTAssertEqual(ConfigDuration(parsing: "0s"), .zero)
        XCTAssertEqual(ConfigDuration(parsing: "500ms")?.milliseconds, 500)
        XCTAssertEqual(ConfigDuration(parsing: "5s")?.milliseconds, 5000)
        XCTAssertEqual(ConfigDuration(parsing: "30m")?.milliseconds, 1_800_000)
        XCTAssertEqual(ConfigDuration(parsing: "2h")?.milliseconds, 7_200_000)
        XCTAssertEqual(ConfigDuration(parsing: "1d")?.milliseconds, 86_400_000)
        XCTAssertEqual(ConfigDuration(parsing: "5s")?.duration, .seconds(5))
        for bad in ["", "5", "s", "-5s", "5 s", "5S", "1.5s", "5sec", "1h30m", "99999999999999999d", "+5s", "٣s"] {
            XCTAssertNil(ConfigDuration(parsing: bad), bad)
        }
    }

    func testDurationDescriptionIsItsShortestForm() {
        XCTAssertEqual(ConfigDuration.zero.description, "0")
        XCTAssertEqual(ConfigDuration(milliseconds: 1500).description, "1500ms")
        XCTAssertEqual(ConfigDuration.minutes(30).description, "30m")
        XCTAssertEqual(ConfigDuration.seconds(86_400).description, "1d")
    }

    func testMailHosts() {
        XCTAssertEqual(MailHost(parsing: "mail.example.org", defaultPort: 143), MailHost(host: "mail.example.org", port: 143))
        XCTAssertEqual(MailHost(parsing: "mail.example.org:1143", defaultPort: 143)?.port, 1143)
        XCTAssertEqual(MailHost(parsing: "10.0.0.1:25", defaultPort: 143), MailHost(host: "10.0.0.1", port: 25))
        XCTAssertEqual(MailHost(parsing: "[2001:db8::1]:587", defaultPort: 25), MailHost(host: "2001:db8::1", port: 587))
        XCTAssertEqual(MailHost(parsing: "[::1]", defaultPort: 110), MailHost(host: "::1", port: 110))
        XCTAssertEqual(MailHost(parsing: "2001:db8::1", defaultPort: 110), MailHost(host: "2001:db8::1", port: 110))
        XCTAssertEqual(MailHost(parsing: "mx_1.example.org", defaultPort: 25)?.host, "mx_1.example.org")
        for bad in ["", ":143", "mail.example.org:", "mail.example.org:0", "mail.example.org:65536", "mail example",
                    "[mail.example.org]:143", "[2001:db8::1]143", "[2001:db8::1", "2001:db8::1:xyz", "-mail.org",
                    "mail..org", "mail.org.", "999.1.1.1", "10.0.0.1:+25", "mail.org:1:2"] {
            XCTAssertNil(MailHost(parsing: bad, defaultPort: 143), bad)
        }
    }

    func testMailHostDescription() {
        XCTAssertEqual(MailHost(host: "2001:db8::1", port: 25).description, "[2001:db8::1]:25")
        XCTAssertEqual(MailHost(host: "mail.example.org", port: 143).description, "mail.example.org:143")
    }

    func testIPAddressLiterals() {
        XCTAssertEqual(IPAddressLiteral("0.0.0.0")?.isUnspecified, true)
        XCTAssertEqual(IPAddressLiteral("::")?.isUnspecified, true)
        XCTAssertEqual(IPAddressLiteral("::0:0"), IPAddressLiteral("::"))
        XCTAssertEqual(IPAddressLiteral("192.0.2.1")?.family, .ipv4)
        XCTAssertEqual(IPAddressLiteral("::ffff:192.0.2.1")?.family, .ipv6)
        for bad in ["", "1.2.3", "256.0.0.1", "fe80::1%eth0", "localhost", "[::1]", " 10.0.0.1"] {
            XCTAssertNil(IPAddressLiteral(bad), bad)
        }
    }

    func testLDAPURLs() {
        XCTAssertEqual(ServerGroupSection.parseLDAPURL("ldaps://ldap.example.org")?.endpoint.port, 636)
        XCTAssertEqual(ServerGroupSection.parseLDAPURL("LDAP://ldap.example.org:3389/")?.endpoint,
                       MailHost(host: "ldap.example.org", port: 3389))
        XCTAssertEqual(ServerGroupSection.parseLDAPURL("ldap://[::1]")?.implicitTLS, false)
        for bad in ["ldap.example.org", "http://ldap.example.org", "ldap://", "ldap://h/dc=example"] {
            XCTAssertNil(ServerGroupSection.parseLDAPURL(bad), bad)
        }
    }
}
