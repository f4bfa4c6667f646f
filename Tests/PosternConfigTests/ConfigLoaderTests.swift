import PosternCore
import XCTest
@testable import PosternConfig

final class ConfigLoaderTests: XCTestCase {
    func testCompleteFileParsesToExpectedValues() throws {
        let config = try ConfigLoader.parse(Fixtures.complete, path: Fixtures.path)

        XCTAssertEqual(config.sourcePath, Fixtures.path)
        XCTAssertEqual(config.tls, TLSSettings(certificate: "/etc/postern/tls/server.pem",
                                               privateKey: "/etc/postern/tls/server.pem", minVersion: .v1_3,
                                               ciphers: TLSSettings.defaultCiphers, clientCA: nil, crl: nil))
        XCTAssertEqual(config.interfaces, [
            InterfaceSettings(name: "outside", addresses: ["192.0.2.1", "2001:db8::1"], managementOnly: false),
            InterfaceSettings(name: "inside", addresses: ["10.1.1.1"], managementOnly: false),
            InterfaceSettings(name: "mgmt", addresses: ["127.0.0.1"], managementOnly: true),
        ])

        XCTAssertEqual(config.serverGroups["CORP"], ServerGroup(
            name: "CORP", timeout: .seconds(3), retries: 2, deadTime: .seconds(60),
            backend: .radius(servers: [
                RadiusServer(host: "10.0.0.5", authPort: 1812, acctPort: 1813,
                             secretFile: "/etc/postern/secrets/radius"),
                RadiusServer(host: "radius2.example.org", authPort: 11812, acctPort: 11813,
                             secretFile: "/etc/postern/secrets/radius2"),
            ])))
        XCTAssertEqual(config.serverGroups["DIR"], ServerGroup(
            name: "DIR", timeout: .seconds(5), retries: 0, deadTime: .zero,
            backend: .ldap(servers: [
                LDAPServer(url: "ldap://ldap.example.org", implicitTLS: false,
                           endpoint: MailHost(host: "ldap.example.org", port: 389), baseDN: "dc=example,dc=org",
                           bindDN: nil, bindPasswordFile: nil, userFilter: "(uid=%u)", startTLS: true, caFile: nil),
            ], groupMap: ["cn=engineering,ou=groups,dc=example,dc=org": "Engineering"])))
        XCTAssertEqual(config.serverGroups["FILE"]?.backend, .local(usersFile: "/etc/postern/users"))
        XCTAssertEqual(config.serverGroups.count, 3)

        XCTAssertEqual(config.groupPolicies["Default"], GroupPolicy(
            name: "Default", simultaneousLogins: 3, idleTimeout: .minutes(30), maxSessionTime: .zero,
            protocols: [.imap4s, .pop3s, .smtps]))
        XCTAssertEqual(config.groupPolicies["Engineering"], GroupPolicy(
            name: "Engineering", simultaneousLogins: 10, idleTimeout: .minutes(120),
            maxSessionTime: .seconds(86_400), protocols: [.imap4s]))

        let imap = try XCTUnwrap(config.protocols[.imap4s])
        XCTAssertEqual(imap.enabledInterfaces, ["outside", "inside"], "* is every interface but the management one")
        XCTAssertEqual(imap.port, 993)
        XCTAssertEqual(imap.server, MailHost(host: "mail.example.org", port: 143))
        XCTAssertEqual(imap.allowedServers, [MailHost(host: "mail.example.org", port: 143),
                                             MailHost(host: "2001:db8::25", port: 1143)])
        XCTAssertEqual(imap.upstreamTLS, .none)
        XCTAssertNil(imap.upstreamCA)
        XCTAssertEqual(imap.authentication, [.aaa])
        XCTAssertEqual(imap.authenticationServerGroup, "CORP")
        XCTAssertEqual(imap.authorizationServerGroup, "DIR")
        XCTAssertFalse(imap.authorizationRequired)
        XCTAssertEqual(imap.accountingServerGroup, "CORP")
        XCTAssertEqual(imap.defaultGroupPolicy, "Default")
        XCTAssertEqual(imap.authorizationDNAttributes, .fields(primary: .cn, secondary: .ou))
        XCTAssertEqual(imap.nameSeparator, ":")
        XCTAssertEqual(imap.serverSeparator, "@")
        XCTAssertEqual(imap.outstanding, 20)
        XCTAssertFalse(imap.forwardClientAddress)

        let smtp = try XCTUnwrap(config.protocols[.smtps])
        XCTAssertEqual(smtp, ProtocolSettings(
            mailProtocol: .smtps, enabledInterfaces: ["outside"], port: 465,
            server: MailHost(host: "smtp.example.org", port: 587),
            allowedServers: [MailHost(host: "smtp.example.org", port: 587)], upstreamTLS: .starttls,
            authentication: [.aaa, .mailhost], authenticationServerGroup: "FILE",
            authorizationDNAttributes: .fields(primary: .ea, secondary: nil), nameSeparator: "#",
            serverSeparator: "!", outstanding: 0, forwardClientAddress: true))

        let pop = try XCTUnwrap(config.protocols[.pop3s])
        XCTAssertFalse(pop.isEnabled)
        XCTAssertEqual(pop.port, 995)
        XCTAssertEqual(pop.server, MailHost(host: "mail.example.org", port: 110))
        XCTAssertEqual(pop.authentication, [.mailhost])

        XCTAssertEqual(config.admin, AdminSettings(socket: "/run/postern/admin.sock", group: "postern-admin"))
        XCTAssertEqual(config.process.relayProcesses, 4)
        XCTAssertEqual(config.limits, LimitSettings(
            handshakeTimeout: .seconds(10), preauthIdleTimeout: .seconds(60), authenticationTimeout: .seconds(30),
            maxLineLength: 8192, maxLiteralSize: 8192, maxFailedAttempts: 5))
        XCTAssertEqual(config.enabledProtocols, [.imap4s, .smtps])
    }

    func testListeningEndpointsCoverEveryEnabledProtocolInterfaceAndAddress() throws {
        let config = try ConfigLoader.parse(Fixtures.complete, path: Fixtures.path)
        XCTAssertEqual(config.listeningEndpoints(), [
            ListeningEndpoint(interface: "outside", address: "192.0.2.1", port: 993, mailProtocol: .imap4s),
            ListeningEndpoint(interface: "outside", address: "2001:db8::1", port: 993, mailProtocol: .imap4s),
            ListeningEndpoint(interface: "inside", address: "10.1.1.1", port: 993, mailProtocol: .imap4s),
            ListeningEndpoint(interface: "outside", address: "192.0.2.1", port: 465, mailProtocol: .smtps),
            ListeningEndpoint(interface: "outside", address: "2001:db8::1", port: 465, mailProtocol: .smtps),
        ])
    }

    func testEmptyFileGivesDefaultsAndNoEndpoints() throws {
        let config = try ConfigLoader.parse("", path: Fixtures.path)
        XCTAssertEqual(config, PosternConfiguration(sourcePath: Fixtures.path))
        XCTAssertEqual(config.limits, LimitSettings())
        XCTAssertEqual(config.admin.socket, "/run/postern/admin.sock")
        XCTAssertNil(config.admin.group)
        XCTAssertEqual(config.process.relayProcesses, 0)
        XCTAssertEqual(config.process.relayProcessCount(cores: 2), 2)
        XCTAssertTrue(config.listeningEndpoints().isEmpty)
    }

    func testEnableOrderFollowsInterfaceOrder() throws {
        let text = Fixtures.minimal.replacingOccurrences(of: """
            [[interface]]
            name = "outside"
            addresses = ["0.0.0.0"]
            """, with: """
            [[interface]]
            name = "outside"
            addresses = ["0.0.0.0"]
            [[interface]]
            name = "lab"
            addresses = ["::1"]
            """).replacingOccurrences(of: "enable = [\"outside\"]", with: "enable = [\"lab\", \"outside\"]")
        let config = try ConfigLoader.parse(text, path: Fixtures.path)
        XCTAssertEqual(config.protocols[.imap4s]?.enabledInterfaces, ["outside", "lab"])
    }

    func testPrivateKeyDefaultsToCertificateAndExplicitKeyIsKept() throws {
        let defaulted = try ConfigLoader.parse(Fixtures.minimal, path: Fixtures.path)
        XCTAssertEqual(defaulted.tls.privateKey, "/etc/postern/tls/server.pem")
        let text = Fixtures.minimal.replacingOccurrences(
            of: "certificate = \"/etc/postern/tls/server.pem\"",
            with: "certificate = \"/etc/postern/tls/server.pem\"\nprivate-key = \"/etc/postern/tls/server.key\"")
        XCTAssertEqual(try ConfigLoader.parse(text, path: Fixtures.path).tls.privateKey, "/etc/postern/tls/server.key")
    }

    func testEntireDNAndDNFieldCaseAreAccepted() throws {
        for (value, expected) in [("[\"entire-dn\"]", DNUsernameSource.entireDN),
                                  ("[\"uid\"]", .fields(primary: .uid, secondary: nil)),
                                  ("[\"EA\", \"O\"]", .fields(primary: .ea, secondary: .o))] {
            let text = Fixtures.minimal + "\nauthorization-dn-attributes = \(value)\n"
            XCTAssertEqual(try ConfigLoader.parse(text, path: Fixtures.path).protocols[.imap4s]?
                .authorizationDNAttributes, expected, value)
        }
    }

    func testLDAPStartTLSDefaultsOnAndMayBeOffOnlyToLoopback() throws {
        func startTLS(url: String, _ setting: String) throws -> Bool? {
            let text = Fixtures.minimal.replacingOccurrences(of: "[group-policy.Default]", with: """
                [aaa-server-group.DIR]
                protocol = "ldap"
                [[aaa-server-group.DIR.server]]
                url = "\(url)"
                base-dn = "dc=example,dc=org"
                \(setting)

                [group-policy.Default]
                """)
            guard case .ldap(let servers, _) = try ConfigLoader.parse(text, path: Fixtures.path).serverGroups["DIR"]?.backend
            else { return nil }
            return servers.first?.startTLS
        }
        XCTAssertEqual(try startTLS(url: "ldap://ldap.example.org", ""), true)
        XCTAssertEqual(try startTLS(url: "ldaps://ldap.example.org", ""), false)
        XCTAssertEqual(try startTLS(url: "ldap://127.0.0.1:3389", "start-tls = false"), false)
        XCTAssertEqual(try startTLS(url: "ldap://[::1]", "start-tls = false"), false)
    }

    func testLoadReadsTheFileAndReportsAMissingOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postern-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("postern.toml").path
        try Fixtures.minimal.write(toFile: file, atomically: true, encoding: .utf8)

        XCTAssertEqual(try ConfigLoader.load(path: file), try ConfigLoader.parse(Fixtures.minimal, path: file))

        let missing = directory.appendingPathComponent("absent.toml").path
        XCTAssertThrowsError(try ConfigLoader.load(path: missing)) { error in
            let error = error as? ConfigError
            XCTAssertEqual(error?.kind, .unreadableFile)
            XCTAssertEqual(error?.description, "\(missing): cannot open: No such file or directory")
        }
    }

    func testLoadRefusesNonUTF8() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postern-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("latin1.toml").path
        try Data([0x23, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try ConfigLoader.load(path: file)) { error in
            XCTAssertEqual((error as? ConfigError)?.kind, .unreadableFile)
            XCTAssertEqual((error as? ConfigError)?.message, "expected UTF-8 text")
        }
    }
}
