import XCTest
@testable import PosternConfig

/// Configuration texts shared by the tests.
enum Fixtures {
    static let path = "/etc/postern/postern.toml"

    /// A complete file that sets most keys and leaves the rest to their defaults. Line
    /// numbers matter to `SourceIndexTests`.
    static let complete = """
    [tls]
    certificate = "/etc/postern/tls/server.pem"
    min-version = "1.3"

    [[interface]]
    name = "outside"
    addresses = ["192.0.2.1", "2001:db8::1"]

    [[interface]]
    name = "inside"
    addresses = ["10.1.1.1"]

    [[interface]]
    name = "mgmt"
    addresses = ["127.0.0.1"]
    management-only = true

    [aaa-server-group.CORP]
    protocol = "radius"
    timeout = "3s"
    [[aaa-server-group.CORP.server]]
    host = "10.0.0.5"
    secret-file = "/etc/postern/secrets/radius"
    [[aaa-server-group.CORP.server]]
    host = "radius2.example.org"
    auth-port = 11812
    acct-port = 11813
    secret-file = "/etc/postern/secrets/radius2"

    [aaa-server-group.DIR]
    protocol = "ldap"
    retries = 0
    dead-time = "0"
    [[aaa-server-group.DIR.server]]
    url = "ldap://ldap.example.org"
    base-dn = "dc=example,dc=org"
    start-tls = true
    [aaa-server-group.DIR.group-map]
    "cn=engineering,ou=groups,dc=example,dc=org" = "Engineering"

    [aaa-server-group.FILE]
    protocol = "local"
    users-file = "/etc/postern/users"

    [group-policy.Default]

    [group-policy.Engineering]
    simultaneous-logins = 10
    idle-timeout = "2h"
    max-session-time = "1d"
    protocols = ["imap4s"]

    [imap4s]
    enable = ["*"]
    server = "mail.example.org"
    allowed-servers = ["mail.example.org", "[2001:db8::25]:1143"]
    authentication-server-group = "CORP"
    authorization-server-group = "DIR"
    accounting-server-group = "CORP"
    default-group-policy = "Default"

    [smtps]
    enable = ["outside"]
    port = 465
    server = "smtp.example.org:587"
    upstream-tls = "starttls"
    authentication = ["aaa", "mailhost"]
    authentication-server-group = "FILE"
    authorization-dn-attributes = ["ea", "none"]
    name-separator = "#"
    server-separator = "!"
    outstanding = 0
    forward-client-address = true

    [pop3s]
    server = "mail.example.org:110"
    authentication = ["mailhost"]
    default-group-policy = "Default"

    [admin]
    group = "postern-admin"

    [process]
    relay-processes = 4

    [limits]
    max-failed-attempts = 5

    [portal]
    """

    /// The smallest file that enables a proxy; tests append or replace lines.
    static let minimal = """
    [tls]
    certificate = "/etc/postern/tls/server.pem"

    [[interface]]
    name = "outside"
    addresses = ["0.0.0.0"]

    [aaa-server-group.CORP]
    protocol = "radius"
    [[aaa-server-group.CORP.server]]
    host = "10.0.0.5"
    secret-file = "/etc/postern/secrets/radius"

    [group-policy.Default]

    [imap4s]
    enable = ["outside"]
    server = "mail.example.org"
    authentication-server-group = "CORP"
    default-group-policy = "Default"
    """

    /// The first line of `text` that contains `fragment` (1-based), for expected lines.
    static func line(of fragment: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.contains(fragment) }) else {
            XCTFail("fixture has no line containing \(fragment)", file: file, line: line)
            return nil
        }
        return index + 1
    }
}
