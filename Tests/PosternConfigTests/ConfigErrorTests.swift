import XCTest
@testable import PosternConfig

/// Each class of error names the right key path and line, and says what is expected.
final class ConfigErrorTests: XCTestCase {
    /// Parses `text`, which must fail, and checks the error.
    private func assertError(_ text: String, kind: ConfigError.Kind, keyPath: String, lineOf fragment: String?,
                             message: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let config = try ConfigLoader.parse(text, path: Fixtures.path)
            XCTFail("expected an error, parsed \(config)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertEqual(error.keyPath.description, keyPath, "\(error)", file: file, line: line)
            XCTAssertEqual(error.file, Fixtures.path, file: file, line: line)
            let expectedLine = fragment.flatMap { Fixtures.line(of: $0, in: text, file: file, line: line) }
            XCTAssertEqual(error.line, expectedLine, "\(error)", file: file, line: line)
            if let message {
                XCTAssertEqual(error.message, message, "\(error)", file: file, line: line)
            }
        }
    }

    private func minimal(replacing old: String, with new: String) -> String {
        precondition(Fixtures.minimal.contains(old), "fixture lacks \(old)")
        return Fixtures.minimal.replacingOccurrences(of: old, with: new)
    }

    // MARK: Syntax and keys

    func testTOMLSyntaxErrorCarriesItsLine() {
        let text = Fixtures.minimal + "\nport = [1, 2\n\n[admin]\n"
        do {
            _ = try ConfigLoader.parse(text, path: Fixtures.path)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.kind, .syntax)
            XCTAssertEqual(error.keyPath, .root)
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
            // toml++ notices the unclosed array at the next table header or at the end.
            XCTAssertNotNil(error.line)
            XCTAssertGreaterThan(error.line ?? 0, Fixtures.line(of: "port = [1, 2", in: text)! - 1)
            XCTAssertLessThanOrEqual(error.line ?? .max, lineCount)
            XCTAssertTrue(error.description.hasPrefix("\(Fixtures.path):\(error.line!): invalid TOML: "),
                          error.description)
        }
    }

    func testTOMLSyntaxErrorOnAGivenLine() {
        let text = "[tls]\nmin-version = \"1.2\"\nciphers = \n"
        do {
            _ = try ConfigLoader.parse(text, path: Fixtures.path)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.kind, .syntax)
            XCTAssertEqual(error.line, 3)
        }
    }

    func testNULCharacterIsASyntaxErrorNotTheEndOfTheFile() {
        let text = "[tls]\nmin-version = \"1.2\"\n\u{0}\n[bogus]\n"
        do {
            _ = try ConfigLoader.parse(text, path: Fixtures.path)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.kind, .syntax)
            XCTAssertEqual(error.line, 3)
        }
    }

    func testDuplicateKeyIsASyntaxError() {
        let text = Fixtures.minimal + "\nport = 1\nport = 2\n"
        assertError(text, kind: .syntax, keyPath: "", lineOf: "port = 2")
    }

    func testUnknownKeyInAProtocolSection() {
        assertError(Fixtures.minimal + "\nprot = 993\n", kind: .unknownKey, keyPath: "imap4s.prot", lineOf: "prot = 993")
    }

    func testUnknownTopLevelTable() {
        let text = Fixtures.minimal + "\n[imap4]\nport = 993\n"
        assertError(text, kind: .unknownKey, keyPath: "imap4", lineOf: "[imap4]")
    }

    func testUnknownKeyInTheSecondServerOfAGroup() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [[aaa-server-group.CORP.server]]
            host = "10.0.0.6"
            secret-fle = "/etc/postern/secrets/radius"

            [group-policy.Default]
            """)
        assertError(text, kind: .unknownKey, keyPath: "aaa-server-group.CORP.server[1].secret-fle",
                    lineOf: "secret-fle")
    }

    func testFirstUnknownKeyInFileOrderIsReported() {
        let text = minimal(replacing: "[group-policy.Default]", with: "[group-policy.Default]\nzz = 1\naa = 2")
        assertError(text, kind: .unknownKey, keyPath: "group-policy.Default.zz", lineOf: "zz = 1")
    }

    func testKeyOfAnotherAAAProtocolIsUnknown() {
        let text = minimal(replacing: "protocol = \"radius\"", with: "protocol = \"radius\"\nusers-file = \"/etc/u\"")
        assertError(text, kind: .unknownKey, keyPath: "aaa-server-group.CORP.users-file", lineOf: "users-file")
    }

    func testRequireMessageAuthenticatorIsOnByDefaultAndMayBeTurnedOffForRadius() throws {
        let plain = try ConfigLoader.parse(Fixtures.minimal, path: Fixtures.path)
        XCTAssertEqual(plain.serverGroups["CORP"]?.requireMessageAuthenticator, true)
        let text = minimal(replacing: "protocol = \"radius\"",
                           with: "protocol = \"radius\"\nrequire-message-authenticator = false")
        let config = try ConfigLoader.parse(text, path: Fixtures.path)
        XCTAssertEqual(config.serverGroups["CORP"]?.requireMessageAuthenticator, false)
        let wrongType = minimal(replacing: "protocol = \"radius\"",
                                with: "protocol = \"radius\"\nrequire-message-authenticator = \"no\"")
        assertError(wrongType, kind: .invalidValue, keyPath: "aaa-server-group.CORP.require-message-authenticator",
                    lineOf: "require-message-authenticator")
    }

    func testRequireMessageAuthenticatorIsRefusedOutsideARadiusGroup() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.DIR]
            protocol = "ldap"
            require-message-authenticator = false
            [[aaa-server-group.DIR.server]]
            url = "ldap://ldap.example.org"
            base-dn = "dc=example,dc=org"

            [group-policy.Default]
            """)
        assertError(text, kind: .unknownKey, keyPath: "aaa-server-group.DIR.require-message-authenticator",
                    lineOf: "require-message-authenticator")
    }

    func testPortalTakesNoKeysYet() {
        assertError(Fixtures.minimal + "\n[portal]\nport = 443\n", kind: .unknownKey, keyPath: "portal.port",
                    lineOf: "port = 443", message: "unknown key; [portal] takes no keys in this version")
        XCTAssertNoThrow(try ConfigLoader.parse(Fixtures.minimal + "\n[portal]\n", path: Fixtures.path))
    }

    // MARK: Values

    func testWrongTypeNamesKeyLineAndWhatIsExpected() {
        let text = Fixtures.minimal + "\nport = \"abc\"\n"
        let line = Fixtures.line(of: "port = \"abc\"", in: text)!
        do {
            _ = try ConfigLoader.parse(text, path: Fixtures.path)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.description,
                           "/etc/postern/postern.toml:\(line): imap4s.port: expected an integer from 1 to 65535, got \"abc\"")
            XCTAssertEqual(error.kind, .invalidValue)
        }
    }

    func testPortOutOfRange() {
        assertError(Fixtures.minimal + "\nport = 70000\n", kind: .invalidValue, keyPath: "imap4s.port",
                    lineOf: "port = 70000", message: "expected an integer from 1 to 65535, got 70000")
        assertError(Fixtures.minimal + "\nport = 0\n", kind: .invalidValue, keyPath: "imap4s.port", lineOf: "port = 0")
        let text = minimal(replacing: "host = \"10.0.0.5\"", with: "host = \"10.0.0.5\"\nauth-port = -1")
        assertError(text, kind: .invalidValue, keyPath: "aaa-server-group.CORP.server[0].auth-port",
                    lineOf: "auth-port = -1")
    }

    func testBadDuration() {
        let text = minimal(replacing: "[group-policy.Default]", with: "[group-policy.Default]\nidle-timeout = \"5 min\"")
        assertError(text, kind: .invalidValue, keyPath: "group-policy.Default.idle-timeout", lineOf: "5 min",
                    message: "expected a duration such as \"0\", \"500ms\", \"5s\", \"30m\", \"2h\" or \"1d\", got \"5 min\"")
        assertError(Fixtures.minimal + "\n[limits]\nhandshake-timeout = \"0\"\n", kind: .invalidValue,
                    keyPath: "limits.handshake-timeout", lineOf: "handshake-timeout",
                    message: "expected a duration greater than 0, got \"0\"")
        assertError(Fixtures.minimal + "\n[limits]\nhandshake-timeout = 10\n", kind: .invalidValue,
                    keyPath: "limits.handshake-timeout", lineOf: "handshake-timeout")
    }

    func testBadInterfaceAddress() {
        let text = minimal(replacing: "addresses = [\"0.0.0.0\"]", with: "addresses = [\"0.0.0.0\", \"eth0\"]")
        assertError(text, kind: .invalidValue, keyPath: "interface[0].addresses[1]", lineOf: "eth0",
                    message: "expected an IPv4 or IPv6 address such as \"0.0.0.0\" or \"::\", got \"eth0\"")
    }

    func testBadAddressInSecondInterface() {
        let text = minimal(replacing: "[aaa-server-group.CORP]", with: """
            [[interface]]
            name = "inside"
            addresses = ["10.0.0.300"]

            [aaa-server-group.CORP]
            """)
        assertError(text, kind: .invalidValue, keyPath: "interface[1].addresses[0]", lineOf: "10.0.0.300")
    }

    func testInterfaceWrittenAsPlainTable() {
        let text = minimal(replacing: "[[interface]]", with: "[interface]")
        assertError(text, kind: .invalidValue, keyPath: "interface", lineOf: "[interface]",
                    message: "expected an array of tables ([[interface]]), got a table")
    }

    func testDuplicateInterfaceName() {
        let text = minimal(replacing: "[aaa-server-group.CORP]", with: """
            [[interface]]
            name = "outside"
            addresses = ["::"]

            [aaa-server-group.CORP]
            """)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let secondName = lines.lastIndex { $0.contains("name = \"outside\"") }! + 1
        do {
            _ = try ConfigLoader.parse(text, path: Fixtures.path)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.kind, .conflict)
            XCTAssertEqual(error.keyPath.description, "interface[1].name")
            XCTAssertEqual(error.line, secondName)
        }
    }

    func testBadMailHost() {
        let text = minimal(replacing: "server = \"mail.example.org\"", with: "server = \"mail.example.org:99999\"")
        assertError(text, kind: .invalidValue, keyPath: "imap4s.server", lineOf: "99999")
        let allowed = Fixtures.minimal + "\nallowed-servers = [\"mail.example.org\", \"bad host\"]\n"
        assertError(allowed, kind: .invalidValue, keyPath: "imap4s.allowed-servers[1]", lineOf: "bad host")
    }

    func testMissingServer() {
        let text = minimal(replacing: "server = \"mail.example.org\"\n", with: "")
        assertError(text, kind: .missingKey, keyPath: "imap4s.server", lineOf: "[imap4s]")
    }

    func testBadSeparator() {
        assertError(Fixtures.minimal + "\nname-separator = \"::\"\n", kind: .invalidValue,
                    keyPath: "imap4s.name-separator", lineOf: "name-separator")
        assertError(Fixtures.minimal + "\nname-separator = \"a\"\n", kind: .invalidValue,
                    keyPath: "imap4s.name-separator", lineOf: "name-separator")
    }

    func testBadDNAttributes() {
        assertError(Fixtures.minimal + "\nauthorization-dn-attributes = [\"CN\", \"XX\"]\n", kind: .invalidValue,
                    keyPath: "imap4s.authorization-dn-attributes[1]", lineOf: "authorization-dn-attributes")
        assertError(Fixtures.minimal + "\nauthorization-dn-attributes = [\"none\"]\n", kind: .invalidValue,
                    keyPath: "imap4s.authorization-dn-attributes[0]", lineOf: "authorization-dn-attributes")
        assertError(Fixtures.minimal + "\nauthorization-dn-attributes = [\"CN\", \"entire-dn\"]\n",
                    kind: .invalidValue, keyPath: "imap4s.authorization-dn-attributes[1]",
                    lineOf: "authorization-dn-attributes")
        assertError(Fixtures.minimal + "\nauthorization-dn-attributes = []\n", kind: .invalidValue,
                    keyPath: "imap4s.authorization-dn-attributes", lineOf: "authorization-dn-attributes")
    }

    func testBadChoice() {
        assertError(Fixtures.minimal + "\nupstream-tls = \"tls\"\n", kind: .invalidValue, keyPath: "imap4s.upstream-tls",
                    lineOf: "upstream-tls", message: "expected \"none\", \"starttls\" or \"implicit\", got \"tls\"")
    }

    func testRelativeFilePath() {
        let text = minimal(replacing: "certificate = \"/etc/postern/tls/server.pem\"", with: "certificate = \"server.pem\"")
        assertError(text, kind: .invalidValue, keyPath: "tls.certificate", lineOf: "server.pem",
                    message: "expected an absolute file path, got \"server.pem\"")
    }

    func testLDAPStartTLSWithLDAPS() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.DIR]
            protocol = "ldap"
            [[aaa-server-group.DIR.server]]
            url = "ldaps://ldap.example.org"
            base-dn = "dc=example,dc=org"
            start-tls = true

            [group-policy.Default]
            """)
        assertError(text, kind: .conflict, keyPath: "aaa-server-group.DIR.server[0].start-tls", lineOf: "start-tls")
    }

    func testLDAPWithoutTLSToANetworkHostIsRefused() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.DIR]
            protocol = "ldap"
            [[aaa-server-group.DIR.server]]
            url = "ldap://ldap.example.org"
            base-dn = "dc=example,dc=org"
            start-tls = false

            [group-policy.Default]
            """)
        assertError(text, kind: .conflict, keyPath: "aaa-server-group.DIR.server[0].start-tls", lineOf: "start-tls = false",
                    message: "start-tls = false would send passwords in the clear to ldap.example.org; use start-tls "
                        + "or an ldaps:// URL (only a loopback address may go without)")
    }

    func testLDAPUserFilterNeedsPlaceholder() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.DIR]
            protocol = "ldap"
            [[aaa-server-group.DIR.server]]
            url = "ldap://ldap.example.org:3389"
            base-dn = "dc=example,dc=org"
            user-filter = "(uid=alice)"

            [group-policy.Default]
            """)
        assertError(text, kind: .invalidValue, keyPath: "aaa-server-group.DIR.server[0].user-filter",
                    lineOf: "user-filter")
    }

    func testServerGroupWithoutServers() {
        let text = minimal(replacing: "[group-policy.Default]", with: "[aaa-server-group.EMPTY]\nprotocol = \"radius\"\n\n[group-policy.Default]")
        assertError(text, kind: .missingKey, keyPath: "aaa-server-group.EMPTY.server", lineOf: "[aaa-server-group.EMPTY]")
    }

    // MARK: References and cross-checks

    func testMissingReferencedServerGroup() {
        let text = minimal(replacing: "authentication-server-group = \"CORP\"", with: "authentication-server-group = \"CROP\"")
        assertError(text, kind: .undefinedReference, keyPath: "imap4s.authentication-server-group", lineOf: "CROP",
                    message: "no [aaa-server-group.CROP] is defined; defined: CORP")
    }

    func testMissingReferencedGroupPolicy() {
        let text = minimal(replacing: "default-group-policy = \"Default\"", with: "default-group-policy = \"Dflt\"")
        assertError(text, kind: .undefinedReference, keyPath: "imap4s.default-group-policy", lineOf: "Dflt")
    }

    func testGroupMapToUndefinedPolicyNamesTheQuotedDN() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.DIR]
            protocol = "ldap"
            [[aaa-server-group.DIR.server]]
            url = "ldap://ldap.example.org"
            base-dn = "dc=example,dc=org"
            [aaa-server-group.DIR.group-map]
            "cn=staff,dc=example,dc=org" = "Default"
            "cn=x,dc=y" = "Nobody"

            [group-policy.Default]
            """)
        assertError(text, kind: .undefinedReference, keyPath: "aaa-server-group.DIR.group-map.\"cn=x,dc=y\"",
                    lineOf: "\"cn=x,dc=y\"")
    }

    func testGroupMapKeysMayContainDots() throws {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.DIR]
            protocol = "ldap"
            [[aaa-server-group.DIR.server]]
            url = "ldap://ldap.example.org"
            base-dn = "dc=example,dc=org"
            [aaa-server-group.DIR.group-map]
            "cn=mail.users,dc=example.org" = "Default"

            [group-policy.Default]
            """)
        let config = try ConfigLoader.parse(text, path: Fixtures.path)
        guard case .ldap(_, let groupMap) = config.serverGroups["DIR"]?.backend else {
            return XCTFail("DIR is not an ldap group")
        }
        XCTAssertEqual(groupMap, ["cn=mail.users,dc=example.org": "Default"])
    }

    func testAccountingNeedsARadiusGroup() {
        let text = minimal(replacing: "[group-policy.Default]", with: """
            [aaa-server-group.FILE]
            protocol = "local"
            users-file = "/etc/postern/users"

            [group-policy.Default]
            """) + "\naccounting-server-group = \"FILE\"\n"
        assertError(text, kind: .conflict, keyPath: "imap4s.accounting-server-group", lineOf: "accounting-server-group",
                    message: "accounting needs a radius server group; \"FILE\" is local")
    }

    func testAAAWithoutAuthenticationServerGroup() {
        let text = minimal(replacing: "authentication-server-group = \"CORP\"\n", with: "")
        assertError(text, kind: .missingKey, keyPath: "imap4s.authentication-server-group", lineOf: "[imap4s]")
    }

    func testMailhostOnlyNeedsADefaultGroupPolicy() {
        let text = minimal(replacing: "default-group-policy = \"Default\"", with: "authentication = [\"mailhost\"]")
        assertError(text, kind: .missingKey, keyPath: "imap4s.default-group-policy", lineOf: "[imap4s]")
    }

    func testUndefinedInterfaceInEnable() {
        let text = minimal(replacing: "enable = [\"outside\"]", with: "enable = [\"outsde\"]")
        assertError(text, kind: .undefinedReference, keyPath: "imap4s.enable[0]", lineOf: "outsde")
    }

    func testEnablingOnAManagementOnlyInterface() {
        let text = minimal(replacing: "[aaa-server-group.CORP]", with: """
            [[interface]]
            name = "mgmt"
            addresses = ["127.0.0.1"]
            management-only = true

            [aaa-server-group.CORP]
            """).replacingOccurrences(of: "enable = [\"outside\"]", with: "enable = [\"outside\", \"mgmt\"]")
        assertError(text, kind: .conflict, keyPath: "imap4s.enable[1]", lineOf: "enable =",
                    message: "interface \"mgmt\" is management-only; e-mail proxies cannot be enabled on it")
    }

    func testStarNeedsAnInterfaceThatIsNotManagementOnly() {
        let text = minimal(replacing: "addresses = [\"0.0.0.0\"]", with: "addresses = [\"0.0.0.0\"]\nmanagement-only = true")
            .replacingOccurrences(of: "enable = [\"outside\"]", with: "enable = [\"*\"]")
        assertError(text, kind: .undefinedReference, keyPath: "imap4s.enable", lineOf: "enable =")
    }

    func testStarMixedWithNames() {
        let text = minimal(replacing: "enable = [\"outside\"]", with: "enable = [\"*\", \"outside\"]")
        assertError(text, kind: .invalidValue, keyPath: "imap4s.enable", lineOf: "enable =")
    }

    func testSameSeparators() {
        assertError(Fixtures.minimal + "\nname-separator = \"@\"\n", kind: .conflict, keyPath: "imap4s.server-separator",
                    lineOf: "[imap4s]", message: "must differ from name-separator (both are \"@\")")
    }

    func testCertificateAuthenticationNeedsAClientCA() {
        let text = Fixtures.minimal + "\nauthentication = [\"aaa\", \"certificate\"]\n"
        assertError(text, kind: .missingKey, keyPath: "tls.client-ca", lineOf: "[tls]",
                    message: "missing; expected the CA file client certificates chain to (imap4s lists certificate)")
        let withCA = minimal(replacing: "[tls]\n", with: "[tls]\nclient-ca = \"/etc/postern/tls/client-ca.pem\"\n")
            + "\nauthentication = [\"aaa\", \"certificate\"]\n"
        XCTAssertNoThrow(try ConfigLoader.parse(withCA, path: Fixtures.path))
    }

    func testACRLNeedsAClientCA() {
        let text = minimal(replacing: "[tls]\n", with: "[tls]\ncrl = \"/etc/postern/tls/client.crl\"\n")
        assertError(text, kind: .missingKey, keyPath: "tls.client-ca", lineOf: "[tls]",
                    message: "missing; crl is set, but without client-ca no client certificate is checked")
    }

    func testVerifyDepthIsBounded() {
        let text = minimal(replacing: "[tls]\n", with: "[tls]\nverify-depth = 101\n")
        assertError(text, kind: .invalidValue, keyPath: "tls.verify-depth", lineOf: "verify-depth =")
    }

    func testPiggybackNeedsThePortal() {
        let text = Fixtures.minimal + "\nauthentication = [\"piggyback\"]\n"
        assertError(text, kind: .unsupported, keyPath: "imap4s.authentication[0]", lineOf: "authentication = [",
                    message: "piggyback needs the HTTPS portal, which this version does not have")
    }

    func testEmptyAuthentication() {
        assertError(Fixtures.minimal + "\nauthentication = []\n", kind: .invalidValue, keyPath: "imap4s.authentication",
                    lineOf: "authentication = []")
    }

    func testTwoProtocolsOnTheSameAddressAndPort() {
        let text = Fixtures.minimal + """

            [pop3s]
            enable = ["outside"]
            port = 993
            server = "mail.example.org"
            authentication-server-group = "CORP"
            """
        assertError(text, kind: .conflict, keyPath: "pop3s.port", lineOf: "port = 993",
                    message: "port 993 on 0.0.0.0 (interface \"outside\") overlaps imap4s on 0.0.0.0 (interface \"outside\")")
    }

    func testWildcardAndSpecificAddressOverlap() {
        let text = minimal(replacing: "[aaa-server-group.CORP]", with: """
            [[interface]]
            name = "inside"
            addresses = ["10.0.0.1"]

            [aaa-server-group.CORP]
            """).replacingOccurrences(of: "enable = [\"outside\"]", with: "enable = [\"outside\", \"inside\"]")
        assertError(text, kind: .conflict, keyPath: "imap4s.enable", lineOf: "enable =")
    }

    func testSamePortOnDifferentFamiliesIsFine() throws {
        let text = minimal(replacing: "[aaa-server-group.CORP]", with: """
            [[interface]]
            name = "inside"
            addresses = ["::"]

            [aaa-server-group.CORP]
            """).replacingOccurrences(of: "enable = [\"outside\"]", with: "enable = [\"*\"]")
        XCTAssertEqual(try ConfigLoader.parse(text, path: Fixtures.path).listeningEndpoints().count, 2)
    }

    func testEnabledProxyNeedsACertificate() {
        let text = minimal(replacing: "[tls]\ncertificate = \"/etc/postern/tls/server.pem\"\n", with: "")
        assertError(text, kind: .missingKey, keyPath: "tls.certificate", lineOf: nil)
        let disabled = text.replacingOccurrences(of: "enable = [\"outside\"]", with: "enable = []")
        XCTAssertNoThrow(try ConfigLoader.parse(disabled, path: Fixtures.path))
    }

    func testDescriptionWithoutLineOrKey() {
        let error = ConfigError(kind: .unreadableFile, file: "/x.toml", line: nil, keyPath: .root, message: "cannot open")
        XCTAssertEqual(error.description, "/x.toml: cannot open")
    }
}
