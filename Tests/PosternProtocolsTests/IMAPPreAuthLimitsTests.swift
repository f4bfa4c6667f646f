import XCTest
@testable import PosternProtocols

/// Line and literal limits, and feeding patterns (one chunk, byte at a time).
final class IMAPPreAuthLimitsTests: XCTestCase {
    func testLineAtTheLimitIsAccepted() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 64))
        let line = "a1 NOOP" + String(repeating: " ", count: 64 - 7)
        XCTAssertEqual(line.utf8.count, 64)
        XCTAssertEqual(machine.receive(line + "\r\n").sentText, "a1 BAD Unexpected arguments\r\n")
    }

    func testOverlongLineClosesWithoutWaitingForItsEnd() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 64))
        XCTAssertEqual(machine.receive("a1 LOGIN " + String(repeating: "x", count: 56)), [])
        let actions = machine.receive("xx")
        XCTAssertEqual(actions, [.send(bytes("* BAD Line too long\r\n")), .close])
        XCTAssertEqual(machine.receive("\r\na2 NOOP\r\n"), [])
    }

    func testOverlongLineDetectedAtLineEnd() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 64))
        // 65 bytes then a bare LF: the 65th byte could have been a CR, so it is judged at the LF.
        let actions = machine.receive(String(repeating: "x", count: 65) + "\n")
        XCTAssertEqual(actions, [.send(bytes("* BAD Line too long\r\n")), .close])
    }

    func testDefaultLimitsRefuseAnOverlongLine() {
        var machine = IMAPPreAuthMachine()
        let actions = machine.receive("a1 NOOP " + String(repeating: "x", count: 9000) + "\r\n")
        XCTAssertEqual(actions, [.send(bytes("* BAD Line too long\r\n")), .close])
    }

    func testLineAfterALiteralIsLimitedOnItsOwn() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 32, maxLiteralSize: 100))
        let password = String(repeating: "p", count: 100)
        let actions = machine.receive("a1 LOGIN {5+}\r\nalice {100+}\r\n\(password)\r\n")
        XCTAssertEqual(actions.authentications.first?.0, LoginCredentials(username: "alice", password: password))
    }

    func testOversizeSynchronisingLiteralIsRefusedAndTheLineDropped() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLiteralSize: 100))
        XCTAssertEqual(machine.receive("a1 LOGIN alice {101}\r\n"), [.send(bytes("a1 BAD Literal too large\r\n"))])
        // The client never sends the data; the next line is a new command.
        XCTAssertEqual(machine.receive("a2 NOOP\r\n").sentText, "a2 OK NOOP completed\r\n")
        XCTAssertEqual(machine.receive("a3 LOGIN alice {100}\r\n").sentText, "+ Ready for literal data\r\n")
    }

    func testOversizeSynchronisingLiteralWithoutUsableTag() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLiteralSize: 100))
        XCTAssertEqual(machine.receive("{101}\r\n"), [.send(bytes("* BAD Literal too large\r\n"))])
    }

    func testOversizeNonSynchronisingLiteralCloses() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLiteralSize: 100))
        let actions = machine.receive("a1 LOGIN alice {101+}\r\n" + String(repeating: "p", count: 101) + "\r\n")
        XCTAssertEqual(actions, [.send(bytes("* BYE Literal too large\r\n")), .close])
    }

    func testAbsurdLiteralSizesDoNotOverflow() {
        for size in ["4294967296", "9223372036854775807", "9223372036854775808",
                     "99999999999999999999999999999999999999"] {
            var machine = IMAPPreAuthMachine()
            XCTAssertEqual(machine.receive("a1 LOGIN alice {\(size)}\r\n").sentText, "a1 BAD Literal too large\r\n", size)
            XCTAssertEqual(machine.receive("a2 NOOP\r\n").sentText, "a2 OK NOOP completed\r\n", size)
            var nonSync = IMAPPreAuthMachine()
            XCTAssertEqual(nonSync.receive("a1 LOGIN alice {\(size)+}\r\n"),
                           [.send(bytes("* BYE Literal too large\r\n")), .close], size)
        }
    }

    func testLeadingZeroLiteralIsItsValue() {
        var machine = IMAPPreAuthMachine()
        XCTAssertEqual(machine.receive("a1 LOGIN alice {000001}\r\n").sentText, "+ Ready for literal data\r\n")
        XCTAssertEqual(machine.receive("x\r\n").authentications.first?.0,
                       LoginCredentials(username: "alice", password: "x"))
    }

    func testWholeCommandIsBounded() {
        // Many literals, each acceptable, cannot add up without bound (ID has its own, larger bound).
        let limits = IMAPLimits(maxLineLength: 64, maxLiteralSize: 64)
        var machine = IMAPPreAuthMachine(limits: limits)
        var input = "a1 NOOP ("
        for _ in 0..<10 { input += "{60+}\r\n" + String(repeating: "v", count: 60) + " " }
        let actions = machine.receive(input)
        XCTAssertEqual(actions.last, .close)
        XCTAssertTrue(actions.sentText.hasSuffix("too large\r\n") || actions.sentText.hasSuffix("too long\r\n"),
                      actions.sentText)
    }

    func testOverlongSASLResponseLineCloses() {
        var machine = IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 64))
        _ = machine.receive("a1 AUTHENTICATE PLAIN\r\n")
        XCTAssertEqual(machine.receive(String(repeating: "A", count: 80)), [.send(bytes("* BAD Line too long\r\n")), .close])
    }

    // MARK: Feeding patterns

    /// A session exercising framing, literals and SASL, ending in a LOGIN that waits.
    private let script = "a1 CAPABILITY\r\na2 ID (\"name\" {3}\r\nfoo)\r\na3 NOOP\r\n"
        + "a4 AUTHENTICATE LOGIN\r\nYWxpY2U=\r\n*\r\n"
        + "a5 AUTHENTICATE PLAIN AGFsaWNlAA==\r\n"
        + "a6 SELECT INBOX\r\na7 LOGIN {5}\r\nalice \"p\\\"w\"\r\na8 NOOP\r\n"

    func testByteAtATimeEqualsOneChunk() {
        var whole = IMAPPreAuthMachine()
        var slow = IMAPPreAuthMachine()
        let chunked = whole.receive(script)
        let byteByByte = slow.receiveByteAtATime(script)
        XCTAssertEqual(byteByByte.normalized, chunked.normalized)
        XCTAssertEqual(chunked.authentications.first?.0, LoginCredentials(username: "alice", password: "p\"w"))
        XCTAssertEqual(chunked.authentications.first?.1, "a7")
        XCTAssertEqual(chunked.sentText,
            "* CAPABILITY \(IMAPPreAuthMachine.capabilities)\r\na1 OK CAPABILITY completed\r\n"
            + "+ Ready for literal data\r\n* ID (\"name\" \"postern\")\r\na2 OK ID completed\r\n"
            + "a3 OK NOOP completed\r\n"
            + "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\na4 BAD Authentication cancelled\r\n"
            + "a5 BAD Invalid SASL response\r\n"
            + "a6 BAD Command unknown or not allowed before authentication\r\n"
            + "+ Ready for literal data\r\n")
        XCTAssertEqual(whole.loginFinished(.success), [])
        XCTAssertEqual(slow.loginFinished(.success), [])
        XCTAssertEqual(whole.takeLeftover(), bytes("a8 NOOP\r\n"))
        XCTAssertEqual(slow.takeLeftover(), bytes("a8 NOOP\r\n"))
    }

    func testEverySplitPointEqualsOneChunk() {
        var reference = IMAPPreAuthMachine()
        let expected = reference.receive(script).normalized
        let input = bytes(script)
        for split in 1..<input.count {
            var machine = IMAPPreAuthMachine()
            let actions = machine.receive(input[..<split]) + machine.receive(input[split...])
            XCTAssertEqual(actions.normalized, expected, "split at \(split)")
        }
    }

    func testFramerSizeParsingSaturates() {
        XCTAssertEqual(IMAPFramer.parseSize(bytes("0")), 0)
        XCTAssertEqual(IMAPFramer.parseSize(bytes("4294967296")), 4_294_967_296)
        XCTAssertEqual(IMAPFramer.parseSize(bytes("9223372036854775807")), Int.max)
        XCTAssertEqual(IMAPFramer.parseSize(bytes("9223372036854775808")), Int.max)
        XCTAssertEqual(IMAPFramer.parseSize(bytes(String(repeating: "9", count: 100))), Int.max)
    }

    func testFramerLiteralAnnouncements() {
        func announcement(_ text: String) -> IMAPFramer.Literal? {
            IMAPFramer.literalAnnouncement(bytes(text)[...])
        }
        XCTAssertEqual(announcement("a LOGIN {5}"), .init(size: 5, synchronising: true))
        XCTAssertEqual(announcement("a LOGIN {5+}"), .init(size: 5, synchronising: false))
        XCTAssertNil(announcement("a LOGIN {}"))
        XCTAssertNil(announcement("a LOGIN {+}"))
        XCTAssertNil(announcement("a LOGIN 5}"))
        XCTAssertNil(announcement("}"))
        XCTAssertNil(announcement("+}"))
        XCTAssertNil(announcement("{5-}"))
        XCTAssertEqual(announcement("{0}"), .init(size: 0, synchronising: true))
    }
}
