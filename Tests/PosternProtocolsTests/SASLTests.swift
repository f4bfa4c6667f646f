import XCTest
@testable import PosternProtocols

final class SASLMechanismTests: XCTestCase {
    func testParsesCaseInsensitively() {
        XCTAssertEqual(SASLMechanism(name: "PLAIN"), .plain)
        XCTAssertEqual(SASLMechanism(name: "plain"), .plain)
        XCTAssertEqual(SASLMechanism(name: "LoGiN"), .login)
        XCTAssertNil(SASLMechanism(name: "CRAM-MD5"))
        XCTAssertNil(SASLMechanism(name: "PLAI"))
        XCTAssertNil(SASLMechanism(name: ""))
        // Unicode case mapping would turn the dotless i into "I"; ASCII folding must not.
        XCTAssertNil(SASLMechanism(name: "PLA\u{131}N"))
    }
}

final class SASLPlainTests: XCTestCase {
    func testDecodesWithoutAuthorizationIdentity() throws {
        let message = try SASLPlain.decode(bytes("\u{0}alice\u{0}s3cret"))
        XCTAssertEqual(message.authorizationIdentity, "")
        XCTAssertEqual(message.credentials, LoginCredentials(username: "alice", password: "s3cret"))
        XCTAssertTrue(message.authorizesOnlyItself)
    }

    func testDecodesWithAuthorizationIdentity() throws {
        let same = try SASLPlain.decode(bytes("alice\u{0}alice\u{0}pw"))
        XCTAssertTrue(same.authorizesOnlyItself)
        let other = try SASLPlain.decode(bytes("admin\u{0}alice\u{0}pw"))
        XCTAssertEqual(other.authorizationIdentity, "admin")
        XCTAssertFalse(other.authorizesOnlyItself)
    }

    func testKeepsUTF8() throws {
        let message = try SASLPlain.decode(bytes("\u{0}jörg\u{0}pässwörd"))
        XCTAssertEqual(message.credentials.username, "jörg")
        XCTAssertEqual(message.credentials.password, "pässwörd")
    }

    func testRejectsMalformedMessages() {
        let cases: [([UInt8], SASLPlainError)] = [
            (bytes("alice\u{0}secret"), .wrongSeparatorCount(1)),
            (bytes("alicesecret"), .wrongSeparatorCount(0)),
            (bytes("\u{0}alice\u{0}se\u{0}cret"), .wrongSeparatorCount(3)),
            (bytes("\u{0}\u{0}secret"), .emptyAuthenticationIdentity),
            (bytes("\u{0}alice\u{0}"), .emptyPassword),
            ([0, 0x61, 0, 0xFF, 0xFE], .invalidUTF8),
            ([], .wrongSeparatorCount(0)),
        ]
        for (message, expected) in cases {
            XCTAssertThrowsError(try SASLPlain.decode(message)) {
                XCTAssertEqual($0 as? SASLPlainError, expected)
            }
        }
    }

    func testRejectsOverlongMessages() {
        let message = bytes("\u{0}alice\u{0}") + [UInt8](repeating: 0x61, count: 100)
        XCTAssertNoThrow(try SASLPlain.decode(message, maxLength: message.count))
        XCTAssertThrowsError(try SASLPlain.decode(message, maxLength: message.count - 1)) {
            XCTAssertEqual($0 as? SASLPlainError, .tooLong(length: message.count, limit: message.count - 1))
        }
    }

    func testEncodeRoundTrips() throws {
        let credentials = LoginCredentials(username: "bob", password: "pw:x")
        XCTAssertEqual(SASLPlain.encode(credentials), bytes("\u{0}bob\u{0}pw:x"))
        XCTAssertEqual(try SASLPlain.decode(SASLPlain.encode(credentials)).credentials, credentials)
    }
}

final class SASLLoginExchangeTests: XCTestCase {
    func testChallengesAreTheStandardPrompts() throws {
        XCTAssertEqual(try StrictBase64.decode(bytes(SASLLoginExchange.usernameChallenge)), bytes("Username:"))
        XCTAssertEqual(try StrictBase64.decode(bytes(SASLLoginExchange.passwordChallenge)), bytes("Password:"))
        XCTAssertEqual(SASLLoginExchange.firstChallenge, SASLLoginExchange.usernameChallenge)
    }

    func testTwoSteps() throws {
        var exchange = SASLLoginExchange()
        XCTAssertEqual(try exchange.receive(bytes("alice")), .challenge(SASLLoginExchange.passwordChallenge))
        XCTAssertEqual(try exchange.receive(bytes("s3cret")),
                       .finished(LoginCredentials(username: "alice", password: "s3cret")))
        XCTAssertThrowsError(try exchange.receive(bytes("more"))) {
            XCTAssertEqual($0 as? SASLLoginError, .alreadyFinished)
        }
    }

    func testRejectsEmptyUsernameNulAndBadUTF8() {
        var exchange = SASLLoginExchange()
        XCTAssertThrowsError(try exchange.receive([])) { XCTAssertEqual($0 as? SASLLoginError, .emptyUsername) }
        XCTAssertThrowsError(try exchange.receive([0x61, 0])) { XCTAssertEqual($0 as? SASLLoginError, .nulByte) }
        XCTAssertThrowsError(try exchange.receive([0xC3])) { XCTAssertEqual($0 as? SASLLoginError, .invalidUTF8) }
    }

    func testRejectsOverlongResponse() {
        var exchange = SASLLoginExchange(maxResponseLength: 4)
        XCTAssertThrowsError(try exchange.receive(bytes("alice"))) {
            XCTAssertEqual($0 as? SASLLoginError, .tooLong(length: 5, limit: 4))
        }
    }
}

final class LoginCredentialsTests: XCTestCase {
    func testDescriptionsNeverShowThePassword() {
        let credentials = LoginCredentials(username: "alice", password: "hunter2")
        var dumped = ""
        dump(credentials, to: &dumped)
        let action = PreAuthAction.authenticate(credentials, tag: "a1")
        for text in [String(describing: credentials), String(reflecting: credentials), dumped,
                     String(describing: action), String(reflecting: action), "\([action])"] {
            XCTAssertFalse(text.contains("hunter2"), text)
            XCTAssertTrue(text.contains("alice"), text)
        }
    }

    func testUsernameAcceptability() {
        XCTAssertTrue(LoginCredentials.isAcceptableUsername("alice:bob@mail.example.org"))
        XCTAssertFalse(LoginCredentials.isAcceptableUsername(""))
        XCTAssertFalse(LoginCredentials.isAcceptableUsername("alice\r\nevent=forged"))
        XCTAssertFalse(LoginCredentials.isAcceptableUsername("a\u{7F}"))
    }
}
