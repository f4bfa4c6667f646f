import PosternCore
import XCTest

final class AuthSessionTableTests: XCTestCase {
    func testAFourthLoginOfAUserIsRefusedAndAFreedSlotIsReused() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        for session in 1...3 {
            try table.beginAuthentication(session, attempt: 1)
            XCTAssertTrue(table.grant(session, attempt: 1, user: "alice", limit: 3))
            try table.establish(session, user: "alice")
        }
        try table.beginAuthentication(4, attempt: 1)
        XCTAssertFalse(table.grant(4, attempt: 1, user: "alice", limit: 3))
        XCTAssertEqual(table.logins(of: "alice"), 3)
        table.end(2)
        try table.beginAuthentication(4, attempt: 2)
        XCTAssertTrue(table.grant(4, attempt: 2, user: "alice", limit: 3))
    }

    func testOtherUsersAreNotCounted() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, attempt: 1, user: "alice", limit: 1))
        try table.beginAuthentication(2, attempt: 1)
        XCTAssertTrue(table.grant(2, attempt: 1, user: "bob", limit: 1))
    }

    func testTheStateDecidesWhatMayBeAsked() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 2)
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 2)) { error in
            guard case AuthSessionTable<Int>.Refusal.notPermitted = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 1), "an older attempt is not asked again")
        XCTAssertTrue(table.grant(1, attempt: 2, user: "alice", limit: 3))
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 3))
        XCTAssertThrowsError(try table.establish(1, user: "mallory"))
        XCTAssertThrowsError(try table.establish(9, user: "alice"), "only a granted session is established")
        XCTAssertThrowsError(try table.releaseGrant(9), "only a granted session has a grant to release")
    }

    func testANewerAttemptSupersedesOneInFlightWhoseCheckThenDecidesNothing() throws {
        // The listener stopped waiting (authentication-timeout) and the client logged in again.
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        try table.beginAuthentication(1, attempt: 2)
        XCTAssertFalse(table.isAuthenticating(1, attempt: 1))
        XCTAssertFalse(table.grant(1, attempt: 1, user: "alice", limit: 3), "the old check grants nothing")
        XCTAssertEqual(table.fail(1, attempt: 1), 0, "nor does it fail the new one")
        XCTAssertTrue(table.grant(1, attempt: 2, user: "alice", limit: 3))
        XCTAssertEqual(table.slotsHeld, 1)
    }

    func testSupersedingCountsTowardsTheAttemptCap() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 2)
        try table.beginAuthentication(1, attempt: 1)
        try table.beginAuthentication(1, attempt: 2)
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 3)) { error in
            XCTAssertEqual(error as? AuthSessionTable<Int>.Refusal, .tooManyAttempts)
        }
    }

    func testAttemptsAreCappedPerSession() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 2)
        try table.beginAuthentication(1, attempt: 1)
        table.fail(1, attempt: 1)
        try table.beginAuthentication(1, attempt: 2)
        table.fail(1, attempt: 2)
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 3)) { error in
            XCTAssertEqual(error as? AuthSessionTable<Int>.Refusal, .tooManyAttempts)
        }
    }

    func testAReleasedGrantFreesTheSlotAndCountsAsAnAttempt() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 2)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, attempt: 1, user: "alice", limit: 1))
        try table.releaseGrant(1)
        XCTAssertEqual(table.logins(of: "alice"), 0)
        XCTAssertEqual(table.states[1], .idle(failures: 1))
        try table.beginAuthentication(1, attempt: 2)
    }

    func testAResyncedSessionIsCountedOnce() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        XCTAssertTrue(try table.adopt(7, user: "alice"), "a restarted authd counts it")
        XCTAssertFalse(try table.adopt(7, user: "alice"), "the same session told again is not counted twice")
        XCTAssertEqual(table.logins(of: "alice"), 1)
        XCTAssertThrowsError(try table.adopt(7, user: "mallory"))
        table.end(7)
        XCTAssertEqual(table.logins(of: "alice"), 0)
        try table.beginAuthentication(8, attempt: 1)
        XCTAssertTrue(table.grant(8, attempt: 1, user: "bob", limit: 1))
        XCTAssertTrue(try table.adopt(8, user: "bob"), "granted, then established while the link was down")
        XCTAssertEqual(table.logins(of: "bob"), 1)
    }

    func testARepairedLinkKeepsEstablishedSessionsOnly() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, attempt: 1, user: "alice", limit: 3))
        try table.establish(1, user: "alice")
        try table.beginAuthentication(2, attempt: 1)
        XCTAssertTrue(table.grant(2, attempt: 1, user: "alice", limit: 3))
        try table.beginAuthentication(3, attempt: 1)
        table.removeUnestablished()
        XCTAssertEqual(table.states, [1: .established(user: "alice")])
        XCTAssertEqual(table.logins(of: "alice"), 1)
        try table.beginAuthentication(3, attempt: 2)
    }

    func testASessionThatFailedAndEndedLeavesNothingBehind() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        table.fail(1, attempt: 1)
        XCTAssertEqual(table.states.count, 1, "a failed session may ask again while it lives")
        table.end(1)
        XCTAssertTrue(table.states.isEmpty)
    }

    func testASessionThatEndedWhileAuthenticatingIsGrantedNothing() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.isAuthenticating(1, attempt: 1))
        table.end(1)
        XCTAssertFalse(table.isAuthenticating(1, attempt: 1))
        XCTAssertFalse(table.grant(1, attempt: 1, user: "alice", limit: 3))
        XCTAssertEqual(table.slotsHeld, 0)
        XCTAssertTrue(table.states.isEmpty)
    }

    func testAGrantTheSessionNoLongerWantedIsHandedBack() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, attempt: 1, user: "alice", limit: 1))
        XCTAssertEqual(table.slotsHeld, 1)
        try table.releaseGrant(1)
        XCTAssertEqual(table.slotsHeld, 0)
        try table.beginAuthentication(2, attempt: 1)
        XCTAssertTrue(table.grant(2, attempt: 1, user: "alice", limit: 1), "the slot is free for another session")
        table.end(1)
        XCTAssertEqual(table.states.count, 1)
    }
}
