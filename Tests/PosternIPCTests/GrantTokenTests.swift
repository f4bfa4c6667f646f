import PosternCore
@testable import PosternIPC
import XCTest

/// SPEC §1: grants only from authd. A token verifies for exactly the claims it was made for.
final class GrantTokenTests: XCTestCase {
    private let key = GrantKey([UInt8](repeating: 7, count: GrantKey.size))!
    private let claims = GrantClaims(session: SessionID(rawValue: 42), proto: .smtps, vpnUser: "alice", mailUser: "alice",
                                     mailHost: "127.0.0.1", mailPort: 25, authenticateUpstream: true)

    func testATokenVerifiesForItsOwnClaims() {
        let token = GrantToken.sign(claims, key: key)
        XCTAssertEqual(token.count, GrantToken.size)
        XCTAssertTrue(GrantToken.verify(token, claims, key: key))
    }

    func testAnyChangedClaimFailsTheToken() {
        let token = GrantToken.sign(claims, key: key)
        var changed: [GrantClaims] = []
        for change in 0..<7 {
            var c = claims
            switch change {
            case 0: c.session = SessionID(rawValue: 43)
            case 1: c.proto = .imap4s
            case 2: c.vpnUser = "bob"
            case 3: c.mailUser = "bob"
            case 4: c.mailHost = "127.0.0.2"
            case 5: c.mailPort = 587
            default: c.authenticateUpstream = false   // SMTP submitted without a login
            }
            changed.append(c)
        }
        for c in changed { XCTAssertFalse(GrantToken.verify(token, c, key: key), "\(c)") }
    }

    func testFieldBoundariesAreNotAmbiguous() {
        var a = claims, b = claims
        a.vpnUser = "al"; a.mailUser = "ice"
        b.vpnUser = "ali"; b.mailUser = "ce"
        XCTAssertNotEqual(GrantToken.sign(a, key: key), GrantToken.sign(b, key: key))
    }

    func testAForgedMissingOrUnkeyedTokenFails() {
        var token = GrantToken.sign(claims, key: key)
        token[0] ^= 1
        XCTAssertFalse(GrantToken.verify(token, claims, key: key))
        XCTAssertFalse(GrantToken.verify([], claims, key: key))
        XCTAssertFalse(GrantToken.verify(GrantToken.sign(claims, key: key), claims, key: nil))
        let other = GrantKey([UInt8](repeating: 8, count: GrantKey.size))!
        XCTAssertFalse(GrantToken.verify(GrantToken.sign(claims, key: other), claims, key: key))
    }

    func testGeneratedKeysDiffer() {
        XCTAssertNotEqual(GrantKey.generate()?.bytes, GrantKey.generate()?.bytes)
    }
}
