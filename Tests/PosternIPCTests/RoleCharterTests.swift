import Foundation
import PosternCore
@testable import PosternIPC
import XCTest

/// The role charter (SPEC §1): consistent in itself, matched by the code that handles records,
/// and the same as the roles table in docs/architecture.md.
final class RoleCharterTests: XCTestCase {
    func testEveryRoleHasACharterAndAcceptsFromItsChannelsOnly() {
        XCTAssertEqual(RoleCharter.all.map(\.role), Role.allCases)
        for charter in RoleCharter.all {
            let channels = Set(charter.role == .supervisor ? charter.peers : charter.peers + [.supervisor])
            XCTAssertEqual(Set(charter.accepts.keys), channels, "\(charter.role)")
            for (peer, kinds) in charter.accepts {
                XCTAssertTrue(kinds.contains(.hello), "\(charter.role) from \(peer): every channel starts with a hello")
            }
        }
    }

    func testChannelsGoBothWaysAndOnlyThroughTheSupervisorsChildren() {
        XCTAssertEqual(Set(RoleCharter.supervisor.peers), [.listener, .authd, .relay])
        for charter in RoleCharter.all where charter.role != .supervisor {
            for peer in charter.peers {
                XCTAssertTrue(RoleCharter.of(peer).peers.contains(charter.role), "\(charter.role) – \(peer)")
                XCTAssertNotEqual(peer, .supervisor)
            }
        }
    }

    func testEveryRecordKindIsAcceptedSomewhereAndDescriptorsComeFromTheirOwners() {
        var accepted: Set<RecordKind> = []
        for charter in RoleCharter.all {
            for (peer, kinds) in charter.accepts {
                accepted.formUnion(kinds)
                for kind in kinds where kind.carriesDescriptor {
                    // Sockets are made by the supervisor; the listener lends its socketpair ends.
                    XCTAssertTrue(peer == .supervisor || peer == .listener, "\(kind.name) from \(peer)")
                }
            }
        }
        XCTAssertEqual(accepted, Set(RecordKind.allCases))
    }

    func testMaterialGoesWhereTheCharterSaysAndSecretsStayApart() {
        for charter in RoleCharter.all {
            XCTAssertEqual(!charter.material.isEmpty, charter.accepts(.material, from: .supervisor), "\(charter.role)")
        }
        XCTAssertEqual(RoleCharter.all.filter { $0.material.contains(.tlsIdentity) }.map(\.role), [.listener])
        XCTAssertEqual(RoleCharter.all.filter { $0.material.contains(.secret) }.map(\.role), [.authd])
        XCTAssertEqual(RoleCharter.all.filter { $0.material.contains(.grantKey) }.map(\.role), [.authd, .relay],
                       "the listener never holds the grant key")
        XCTAssertEqual(RoleCharter.all.filter { !$0.capabilities.isEmpty }.map(\.role), [.supervisor])
        for charter in RoleCharter.all {
            XCTAssertEqual(charter.seccompFiles, ["runtime", charter.role.rawValue])
        }
    }

    /// The supervisor link is the one receiver every child shares: what its code handles for
    /// each role, with the handlers that role gives it, is exactly what the charter accepts.
    func testTheSupervisorLinkHandlesWhatTheCharterAccepts() {
        let base = SupervisorLink.Handlers(commit: { _ in }, peer: { _, _ in }, tables: { _ in })
        var listener = base
        listener.admin = { _ in }
        var authd = base
        authd.shutdown = {}
        for (role, handlers) in [(Role.listener, listener), (.authd, authd), (.relay, base)] {
            XCTAssertEqual(SupervisorLink.handled(by: role, handlers), RoleCharter.of(role).handled(from: .supervisor),
                           "\(role)")
        }
    }

    func testTheRolesTableInTheArchitectureDocumentIsTheCharter() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/architecture.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "| role | user |"), "no roles table in docs/architecture.md")
        let end = text.range(of: "\n\n", range: start.lowerBound..<text.endIndex)?.lowerBound ?? text.endIndex
        let table = String(text[start.lowerBound..<end]) + "\n"
        XCTAssertEqual(table, RoleCharter.markdownTable(),
                       "docs/architecture.md differs from the charter; put this table there:\n" + RoleCharter.markdownTable())
    }

    func testChildArgumentsRoundTripAndNothingElseIsTaken() throws {
        for arguments in [ChildArguments(role: .listener, seccomp: .log), ChildArguments(role: .authd),
                          ChildArguments(role: .relay, index: 3)] {
            XCTAssertEqual(try ChildArguments.decode(arguments.encoded(), as: arguments.role), arguments)
        }
        XCTAssertEqual(ChildArguments(role: .relay, index: 2).encoded(), ["postern-relay", "--index", "2", "--seccomp", "kill"])
        XCTAssertEqual(ChildArguments(role: .listener).encoded(), ["postern", "--role", "listener", "--seccomp", "kill"])
        for bad in [["postern-authd", "--index", "1"], ["postern-authd", "--seccomp", "off"], ["postern-authd", "--seccomp"],
                    ["postern-authd", "extra", "x"]] {
            XCTAssertThrowsError(try ChildArguments.decode(bad, as: .authd), "\(bad)")
        }
        XCTAssertThrowsError(try ChildArguments.decode(["postern", "--seccomp", "kill"], as: .listener))
        XCTAssertThrowsError(try ChildArguments.decode(["postern-relay", "--index", "-1"], as: .relay))
    }
}
