import PosternCore
import XCTest

final class GroupPolicyResolverTests: XCTestCase {
    private let known: Set<String> = ["DfltGrpPolicy", "Engineering"]

    private func resolve(_ aaa: (String, PolicySource)?, _ fallback: String?) -> PolicyResolution {
        GroupPolicyResolver.resolve(fromAAA: aaa.map { (name: $0.0, source: $0.1) }, protocolDefault: fallback,
                                    known: { self.known.contains($0) })
    }

    func testTheAAAPolicyWins() {
        XCTAssertEqual(resolve(("Engineering", .localFile), "DfltGrpPolicy"), .policy(name: "Engineering", source: .localFile))
    }

    func testTheProtocolDefaultApplies() {
        XCTAssertEqual(resolve(nil, "DfltGrpPolicy"), .policy(name: "DfltGrpPolicy", source: .protocolDefault))
    }

    func testAnUnknownAAAPolicyFallsBackToTheDefault() {
        XCTAssertEqual(resolve(("Sales", .radiusClass), "DfltGrpPolicy"), .policy(name: "DfltGrpPolicy", source: .protocolDefault))
    }

    func testWithNeitherTheSessionIsRefused() {
        guard case .refused(let reason) = resolve(nil, nil) else { return XCTFail("expected a refusal") }
        XCTAssertTrue(reason.contains("no default-group-policy"))
        guard case .refused = resolve(("Sales", .radiusClass), nil) else { return XCTFail("expected a refusal") }
    }
}
