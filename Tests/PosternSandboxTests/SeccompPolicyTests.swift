import Foundation
import PosternCore
@testable import PosternSandbox
import XCTest

final class SeccompPolicyTests: XCTestCase {
    private var policyDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policy")
    }

    func testTheEmbeddedPoliciesAreThePolicyFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: policyDirectory.path)
            .filter { $0.hasSuffix(".policy") }.map { String($0.dropLast(".policy".count)) }
        XCTAssertEqual(Set(names), Set(EmbeddedPolicies.text.keys), "policy/ changed: run scripts/embed-policies.sh")
        XCTAssertEqual(Set(names), Set(Role.allCases.map(\.rawValue) + [RolePolicies.runtime]))
        for name in names {
            let file = try String(contentsOf: policyDirectory.appendingPathComponent("\(name).policy"), encoding: .utf8)
            XCTAssertEqual(EmbeddedPolicies.text[name].map { $0 + "\n" }, file,
                           "policy/\(name).policy changed: run scripts/embed-policies.sh")
        }
    }

    func testEachRoleAllowsWhatWasReviewed() throws {
        let directory = policyDirectory.deletingLastPathComponent()
            .appendingPathComponent("Tests/PosternSandboxTests/EffectiveFilters")
        for role in Role.allCases {
            let reviewed = try String(contentsOf: directory.appendingPathComponent("\(role.rawValue).rules"), encoding: .utf8)
                .split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
            let effective = try RolePolicies.policy(for: role).rules.map(\.text)
            XCTAssertEqual(effective.count, Set(effective).count, role.rawValue)
            XCTAssertEqual(Set(effective).subtracting(reviewed).sorted(), [], "\(role.rawValue) allows more than EffectiveFilters/\(role.rawValue).rules")
            XCTAssertEqual(Set(reviewed).subtracting(effective).sorted(), [], "\(role.rawValue) allows less than EffectiveFilters/\(role.rawValue).rules")
        }
    }

    func testNoRoleFileRepeatsARuntimeRule() throws {
        let runtime = Set(try RolePolicies.file(RolePolicies.runtime).rules.map(\.key))
        for role in Role.allCases {
            for rule in try RolePolicies.file(role.rawValue).rules {
                XCTAssertFalse(runtime.contains(rule.key), "policy/\(role.rawValue).policy:\(rule.line) repeats runtime.policy: \(rule.text)")
            }
        }
    }

    func testARuleInBothFilesIsRefusedWithItsLine() throws {
        let runtime = try SeccompPolicy(role: "runtime", text: "read\nioctl arg1=0x541b\n")
        let role = try SeccompPolicy(role: "t", text: "write\nioctl arg1=0x541b errno EACCES\n")
        XCTAssertThrowsError(try role.following(runtime)) { error in
            XCTAssertEqual("\(error)", "policy/t.policy:2: ioctl is already in policy/runtime.policy:2")
        }
        let combined = try SeccompPolicy(role: "t", text: "ioctl arg1=0x5401\n").following(runtime)
        XCTAssertEqual(combined.role, "t")
        XCTAssertEqual(combined.rules.map(\.text), ["read", "ioctl arg1=0x541b", "ioctl arg1=0x5401"])
        XCTAssertEqual(combined.rules.map(\.file), ["runtime", "runtime", "t"])
    }

    func testTheRuntimeOpensNothingAndStartsNothing() throws {
        let runtime = try RolePolicies.file(RolePolicies.runtime)
        XCTAssertFalse(runtime.rules.isEmpty)
        let powers = ["socket", "socketpair", "connect", "accept", "accept4", "bind", "listen",
                      "open", "openat", "openat2", "creat", "clone", "fork", "vfork", "execve", "execveat"]
        for call in powers {
            XCTAssertFalse(runtime.syscalls.contains(call), "runtime.policy names \(call): a power, for the role files")
        }
    }

    func testEveryPolicyParsesAndNamesRealSystemCalls() throws {
        for role in Role.allCases {
            let policy = try RolePolicies.policy(for: role)
            XCTAssertFalse(policy.rules.isEmpty)
            let text = try SeccompFilter.describe(policy, mode: .kill)
            XCTAssertTrue(text.contains("# pseudo filter code"), role.rawValue)
        }
    }

    func testNoRoleMayStartProgramsOrTraceOthers() throws {
        for role in [Role.listener, .authd, .relay] {
            let calls = try RolePolicies.policy(for: role).syscalls
            for forbidden in ["execve", "execveat", "ptrace", "fork", "vfork", "setuid", "setresuid", "mount", "personality", "seccomp"] {
                XCTAssertFalse(calls.contains(forbidden), "\(role.rawValue) allows \(forbidden)")
            }
        }
    }

    func testTheListenerOpensNoFilesAndConnectsNowhere() throws {
        let policy = try RolePolicies.policy(for: .listener)
        for call in ["openat", "open", "socket", "connect"] {
            let rules = policy.rules.filter { $0.syscall == call }
            XCTAssertEqual(rules.count, 1, call)
            XCTAssertEqual(rules.first?.action, .errno(13, name: "EACCES"), call)
        }
        XCTAssertFalse(policy.syscalls.contains("bind"))
    }

    func testAuthdAndTheRelaysOpenFilesForReadingOnly() throws {
        // O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND must be clear; other flags are free.
        let readOnly = SeccompPolicy.Condition(argument: 2, mask: 0x643, value: .number(0))
        for role in [Role.authd, .relay] {
            let rules = try RolePolicies.policy(for: role).rules.filter { $0.syscall == "openat" || $0.syscall == "openat2" }
            XCTAssertFalse(rules.isEmpty, role.rawValue)
            for rule in rules where rule.action == .allow {
                XCTAssertEqual(rule.conditions, [readOnly], "\(role.rawValue): \(rule.text)")
            }
            XCTAssertFalse(try RolePolicies.policy(for: role).syscalls.contains("creat"), role.rawValue)
        }
    }

    func testTheRelayMakesInternetSocketsOnlyAndBindsNone() throws {
        let policy = try RolePolicies.policy(for: .relay)
        XCTAssertFalse(policy.syscalls.contains("bind"))
        XCTAssertFalse(policy.syscalls.contains("listen"))
        let allowed = policy.rules.filter { $0.syscall == "socket" && $0.action == .allow }
        XCTAssertFalse(allowed.isEmpty)
        for rule in allowed {
            let family = rule.conditions.first { $0.argument == 0 && $0.mask == .max }?.value
            XCTAssertTrue(family == .number(2) || family == .number(10), "relay: \(rule.text)")
            XCTAssertTrue(rule.conditions.contains { $0.argument == 1 && $0.mask == 0xf }, "relay: \(rule.text)")
        }
        XCTAssertTrue(allowed.contains { $0.conditions.contains(.init(argument: 1, mask: 0xf, value: .number(1))) })
    }

    func testAuthdMakesInternetSocketsOnly() throws {
        let allowed = try RolePolicies.policy(for: .authd).rules.filter { $0.syscall == "socket" && $0.action == .allow }
        XCTAssertFalse(allowed.isEmpty)
        for rule in allowed {
            let family = rule.conditions.first { $0.argument == 0 && $0.mask == .max }?.value
            XCTAssertTrue(family == .number(2) || family == .number(10), "authd: \(rule.text)")
        }
    }

    func testNoRoleButTheSupervisorAndAuthdMapsCodeOnceStarted() throws {
        // authd's libldap loads modules on first use; the listener and the relays map no code.
        let noExec = SeccompPolicy.Condition(argument: 2, mask: 0x4, value: .number(0))
        for role in [Role.listener, .relay] {
            let policy = try RolePolicies.policy(for: role)
            for call in ["mmap", "mprotect", "pkey_mprotect"] {
                for rule in policy.rules where rule.syscall == call && rule.action == .allow {
                    XCTAssertEqual(rule.conditions, [noExec], "\(role.rawValue): \(rule.text)")
                }
            }
            XCTAssertTrue(policy.syscalls.contains("mmap"), role.rawValue)
        }
    }

    func testTheSupervisorLetsThroughWhatEveryRoleNeeds() throws {
        let supervisor = try RolePolicies.policy(for: .supervisor)
        for role in [Role.listener, .authd, .relay] {
            for rule in try RolePolicies.policy(for: role).rules {
                let covered = supervisor.rules.contains {
                    $0.syscall == rule.syscall && ($0.conditions.isEmpty || $0.conditions == rule.conditions)
                }
                XCTAssertTrue(covered, "\(role.rawValue) needs \(rule.syscall), which the supervisor's filter would kill")
            }
        }
        // Where the supervisor needs a call that a role refuses, the supervisor's own rule stands.
        XCTAssertTrue(supervisor.rules.contains { $0.syscall == "socket" && $0.action == .allow && $0.conditions.isEmpty })
    }

    func testTheSyntax() throws {
        let policy = try SeccompPolicy(role: "t", text: """
            # comment
            read
            ioctl   arg1=0x541b     # FIONREAD
            clone   arg0&0x10000=0x10000
            tgkill  arg0=$pid
            socket  errno EACCES

            """)
        XCTAssertEqual(policy.rules.map(\.syscall), ["read", "ioctl", "clone", "tgkill", "socket"])
        XCTAssertEqual(policy.rules[1].conditions, [.init(argument: 1, mask: .max, value: .number(0x541b))])
        XCTAssertEqual(policy.rules[2].conditions, [.init(argument: 0, mask: 0x10000, value: .number(0x10000))])
        XCTAssertEqual(policy.rules[3].conditions, [.init(argument: 0, mask: .max, value: .pid)])
        XCTAssertEqual(policy.rules[4].action, .errno(13, name: "EACCES"))
        XCTAssertEqual(policy.rules[4].line, 6)
    }

    func testMistakesNameTheirLine() {
        XCTAssertThrowsError(try SeccompPolicy(role: "t", text: "read\nread\n")) { error in
            XCTAssertEqual((error as? SeccompPolicy.ParseError)?.line, 2)
        }
        XCTAssertThrowsError(try SeccompPolicy(role: "t", text: "Read\n"))
        XCTAssertThrowsError(try SeccompPolicy(role: "t", text: "read errno EWHATEVER\n"))
        XCTAssertThrowsError(try SeccompPolicy(role: "t", text: "ioctl arg9=1\n"))
        XCTAssertThrowsError(try SeccompPolicy(role: "t", text: "ioctl arg1\n"))
        XCTAssertThrowsError(try SeccompFilter.describe(SeccompPolicy(role: "t", text: "no_such_call\n"), mode: .kill)) { error in
            XCTAssertTrue("\(error)".contains("not a system call"))
        }
    }
}
