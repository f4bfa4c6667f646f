import XCTest
@testable import PosternConfig

/// packaging/postern.toml ships as /etc/postern/postern.toml: it must load, and show every key.
final class ExampleFileTests: XCTestCase {
    private func exampleFilePath() throws -> String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("packaging/postern.toml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return try XCTUnwrap(nil as String?, "packaging/postern.toml not found above \(#filePath)")
    }

    func testExampleLoadsWithItsDocumentedValues() throws {
        let config = try ConfigLoader.load(path: try exampleFilePath())
        XCTAssertEqual(config.interfaces.map(\.name), ["outside", "management"])
        XCTAssertEqual(Set(config.serverGroups.keys), ["CORP-RADIUS", "CORP-LDAP", "LOCAL"])
        XCTAssertEqual(Set(config.groupPolicies.keys), ["DfltGrpPolicy", "Engineering"])
        XCTAssertEqual(Set(config.protocols.keys), Set(MailProtocol.allCases))
        XCTAssertTrue(config.listeningEndpoints().isEmpty, "the shipped file enables no proxy")
        XCTAssertEqual(config.tls.ciphers, TLSSettings.defaultCiphers, "the example shows the default")
        XCTAssertEqual(config.limits, LimitSettings(), "the example shows the defaults")
        XCTAssertEqual(config.groupPolicies["DfltGrpPolicy"], GroupPolicy(name: "DfltGrpPolicy"))
        for mailProtocol in MailProtocol.allCases {
            XCTAssertEqual(config.protocols[mailProtocol]?.port, mailProtocol.defaultPort)
        }
    }

    func testExampleStillLoadsWithAProxyEnabled() throws {
        let text = try String(contentsOfFile: try exampleFilePath(), encoding: .utf8)
        let enabled = text.replacingOccurrences(of: "[imap4s]\nenable = []", with: "[imap4s]\nenable = [\"outside\"]")
        XCTAssertNotEqual(enabled, text)
        let config = try ConfigLoader.parse(enabled, path: "/etc/postern/postern.toml")
        XCTAssertEqual(config.listeningEndpoints().map(\.address), ["0.0.0.0", "::"])
    }

    func testExampleShowsEveryKey() throws {
        let text = try String(contentsOfFile: try exampleFilePath(), encoding: .utf8)
        let keyLines = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { return nil }
            return line[..<equals].trimmingCharacters(in: .whitespaces)
        })
        var keys: [String] = []
        keys += TLSKey.allCases.map(\.rawValue) + InterfaceKey.allCases.map(\.rawValue)
        keys += ServerGroupKey.allCases.filter { $0 != .server && $0 != .groupMap }.map(\.rawValue)
        keys += RadiusServerKey.allCases.map(\.rawValue) + LDAPServerKey.allCases.map(\.rawValue)
        keys += GroupPolicyKey.allCases.map(\.rawValue) + ProtocolKey.allCases.map(\.rawValue)
        keys += AdminKey.allCases.map(\.rawValue) + ProcessKey.allCases.map(\.rawValue)
        keys += LimitsKey.allCases.map(\.rawValue)
        for key in keys {
            XCTAssertTrue(keyLines.contains(key), "the example lacks \(key)")
        }
        for table in TopLevelKey.allCases.map(\.rawValue) {
            XCTAssertTrue(text.contains("[\(table)") || text.contains("[[\(table)"), "the example lacks [\(table)]")
        }
        XCTAssertTrue(text.contains("[[aaa-server-group.CORP-RADIUS.server]]"))
        XCTAssertTrue(text.contains("[aaa-server-group.CORP-LDAP.group-map]"))
    }
}
