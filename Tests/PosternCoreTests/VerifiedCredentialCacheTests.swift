import XCTest
@testable import PosternCore

final class VerifiedCredentialCacheTests: XCTestCase {
    func testASuccessIsRememberedUntilItsLifetimeEnds() {
        var cache = VerifiedCredentialCache(lifetime: .seconds(600), capacity: 10)
        cache.remember([1], groupPolicy: "Engineering", now: .seconds(100))
        XCTAssertEqual(cache.lookUp([1], now: .seconds(699))?.groupPolicy, "Engineering")
        XCTAssertNil(cache.lookUp([1], now: .seconds(700)))
        XCTAssertEqual(cache.count, 0, "an expired entry is dropped when found")
    }

    func testOtherKeysAreNotRemembered() {
        var cache = VerifiedCredentialCache(lifetime: .seconds(600), capacity: 10)
        cache.remember([1], groupPolicy: nil, now: .zero)
        XCTAssertNil(cache.lookUp([2], now: .zero))
        XCTAssertNotNil(cache.lookUp([1], now: .zero))
        XCTAssertNil(cache.lookUp([1], now: .zero)?.groupPolicy)
    }

    func testAFullCacheDropsExpiredEntriesFirstAndNeverGrowsPastCapacity() {
        var cache = VerifiedCredentialCache(lifetime: .seconds(10), capacity: 3)
        cache.remember([1], groupPolicy: nil, now: .zero)
        cache.remember([2], groupPolicy: nil, now: .seconds(5))
        cache.remember([3], groupPolicy: nil, now: .seconds(5))
        cache.remember([4], groupPolicy: nil, now: .seconds(11))   // [1] has expired: it goes
        XCTAssertEqual(cache.count, 3)
        XCTAssertNotNil(cache.lookUp([2], now: .seconds(11)))
        XCTAssertNotNil(cache.lookUp([4], now: .seconds(11)))
        cache.remember([5], groupPolicy: nil, now: .seconds(12))  // all live: start over
        XCTAssertLessThanOrEqual(cache.count, 3)
        XCTAssertNotNil(cache.lookUp([5], now: .seconds(12)))
    }

    func testRemoveAllForgetsEverything() {
        var cache = VerifiedCredentialCache(lifetime: .seconds(10), capacity: 3)
        cache.remember([1], groupPolicy: nil, now: .zero)
        cache.removeAll()
        XCTAssertNil(cache.lookUp([1], now: .zero))
    }
}
