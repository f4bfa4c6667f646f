import PosternCore
import XCTest

final class AuthSessionTableTests: XCTestCase {
    func testAFourthLoginOfAUserIsRefusedAndAFreedSlotIsReused() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        for session in 1...3 {
            try table.beginAuthentication(session, attempt: 1)
            XCTAssertTrue(table.grant(session, user: "alice", limit: 3))
            try table.establish(session, user: "alice")
        }
        try table.beginAuthentication(4, attempt: 1)
        XCTAssertFalse(table.grant(4, user: "alice", limit: 3))
        XCTAssertEqual(table.logins(of: "alice"), 3)
        table.end(2, keepForRetry: false)
        try table.beginAuthentication(4, attempt: 2)
        XCTAssertTrue(table.grant(4, user: "alice", limit: 3))
    }

    func testOtherUsersAreNotCounted() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, user: "alice", limit: 1))
        try table.beginAuthentication(2, attempt: 1)
        XCTAssertTrue(table.grant(2, user: "bob", limit: 1))
    }

    func testTheStateDecidesWhatMayBeAsked() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 2)) { error in
            guard case AuthSessionTable<Int>.Refusal.notPermitted = error else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(table.grant(1, user: "alice", limit: 3))
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 2))
        XCTAssertThrowsError(try table.establish(1, user: "mallory"))
    }

    func testAttemptsAreCappedPerSession() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 2)
        try table.beginAuthentication(1, attempt: 1)
        table.fail(1)
        try table.beginAuthentication(1, attempt: 2)
        table.fail(1)
        XCTAssertThrowsError(try table.beginAuthentication(1, attempt: 3)) { error in
            XCTAssertEqual(error as? AuthSessionTable<Int>.Refusal, .tooManyAttempts)
        }
    }

    func testALoginRefusedByTheMailHostFreesTheSlotAndCountsAsAFailure() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 2)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, user: "alice", limit: 1))
        table.end(1, keepForRetry: true)
        XCTAssertEqual(table.logins(of: "alice"), 0)
        XCTAssertEqual(table.states[1], .idle(failures: 1))
        try table.beginAuthentication(1, attempt: 2)
    }

    func testARestartedAuthdCountsSessionsItHearsAbout() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.establish(7, user: "alice")
        XCTAssertEqual(table.logins(of: "alice"), 1)
        table.end(7, keepForRetry: false)
        XCTAssertEqual(table.logins(of: "alice"), 0)
    }

    func testASessionThatFailedAndEndedLeavesNothingBehind() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        table.fail(1)
        XCTAssertEqual(table.states.count, 1, "a failed session may ask again while it lives")
        table.end(1, keepForRetry: false)
        XCTAssertTrue(table.states.isEmpty)
    }

    func testASessionThatEndedWhileAuthenticatingIsGrantedNothing() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.isAuthenticating(1))
        table.end(1, keepForRetry: false)
        XCTAssertFalse(table.isAuthenticating(1))
        XCTAssertFalse(table.grant(1, user: "alice", limit: 3))
        XCTAssertEqual(table.slotsHeld, 0)
        XCTAssertTrue(table.states.isEmpty)
    }

    func testAGrantTheSessionNoLongerWantedIsHandedBack() throws {
        var table = AuthSessionTable<Int>(maxAttempts: 3)
        try table.beginAuthentication(1, attempt: 1)
        XCTAssertTrue(table.grant(1, user: "alice", limit: 1))
        XCTAssertEqual(table.slotsHeld, 1)
        table.end(1, keepForRetry: true)
        XCTAssertEqual(table.slotsHeld, 0)
        try table.beginAuthentication(2, attempt: 1)
        XCTAssertTrue(table.grant(2, user: "alice", limit: 1), "the slot is free for another session")
        table.end(1, keepForRetry: false)
        XCTAssertEqual(table.states.count, 1)
    }
}
