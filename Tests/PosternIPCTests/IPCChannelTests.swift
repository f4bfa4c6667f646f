import CPostern
import PosternCore
@testable import PosternIPC
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Real SEQPACKET socketpairs: the version exchange, descriptor passing, and a malformed peer.
final class IPCChannelTests: XCTestCase {
    private func pair() -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    /// What the charter lets `role` accept from `peer`, as its code would declare it.
    private func handled(_ role: Role, from peer: Role) -> Set<RecordKind> {
        RoleCharter.of(role).handled(from: peer)
    }

    private func sendRaw(_ fd: Int32, _ message: IPCMessage, descriptor: Int32 = -1) throws {
        let bytes = try IPCCodec.encode(message)
        _ = bytes.withUnsafeBytes { postern_send_record(fd, $0.baseAddress, $0.count, descriptor, 0) }
    }

    func testMessagesAndADescriptorCrossAfterTheHello() throws {
        let (a, b) = pair()
        let left = IPCChannel(descriptor: a, localRole: .listener, peer: .relay, label: "left")
        let right = IPCChannel(descriptor: b, localRole: .relay, peer: .listener, label: "right")
        let received = expectation(description: "relay request with descriptor")
        let got = Box<IPCFrame>()
        right.start(handling: handled(.relay, from: .listener), onMessage: { frame in
            got.set(frame)
            received.fulfill()
        }, onClose: { _ in })
        left.start(handling: handled(.listener, from: .relay), onMessage: { _ in }, onClose: { _ in })
        var pipeFDs: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&pipeFDs), 0)
        let request = RelayRequest(session: SessionID(rawValue: 1), proto: .imap4s, mailHost: "h", mailPort: 1,
                                   mailUser: "u", mailPassword: "p", clientTag: "t", clientAddress: "a", clientPort: 2)
        left.send(.relayRequest(request), fd: pipeFDs[1])
        wait(for: [received], timeout: 5)
        let frame = try XCTUnwrap(got.value)
        XCTAssertEqual(frame.message, .relayRequest(request))
        let passed = try XCTUnwrap(frame.descriptor)
        // The passed descriptor is the pipe's write end: what goes in comes out of our read end.
        XCTAssertEqual(write(passed, "x", 1), 1)
        var byte: UInt8 = 0
        XCTAssertEqual(read(pipeFDs[0], &byte, 1), 1)
        XCTAssertEqual(byte, UInt8(ascii: "x"))
        close(passed); close(pipeFDs[0])
        XCTAssertEqual(right.peer?.role, .listener)
        left.close(); right.close()
    }

    /// authd's end of the listener channel, started; returns the channel, what reached its code,
    /// and an expectation fulfilled when it closes.
    private func authdEnd(_ fd: Int32, reason: Box<IPCCloseReason>, frames: Box<[RecordKind]>,
                          closed: XCTestExpectation? = nil) -> IPCChannel {
        let channel = IPCChannel(descriptor: fd, localRole: .authd, peer: .listener, label: "victim")
        channel.start(handling: handled(.authd, from: .listener), onMessage: { frame in
            if let fd = frame.descriptor { close(fd) }
            frames.set((frames.value ?? []) + [frame.message.kind])
        }, onClose: { r in
            reason.set(r)
            closed?.fulfill()
        })
        return channel
    }

    private let request = AuthRequest(session: SessionID(rawValue: 9), attempt: 1, proto: .imap4s, interface: "i",
                                      clientAddress: "a", clientPort: 1, username: "u", password: "p",
                                      certificate: nil)

    private func waitFor(_ frames: Box<[RecordKind]>, _ kind: RecordKind) {
        let deadline = Date().addingTimeInterval(5)
        while !(frames.value ?? []).contains(kind), Date() < deadline { usleep(10_000) }
    }

    func testARecordTheCharterDoesNotAcceptIsDroppedAndTheChannelKept() throws {
        let (a, b) = pair()
        let reason = Box<IPCCloseReason>(), frames = Box<[RecordKind]>()
        let channel = authdEnd(b, reason: reason, frames: frames)
        try sendRaw(a, .hello(Hello(role: .listener, pid: 1)))
        // A relay result and an admin query are not for authd from the listener; nor is commit.
        try sendRaw(a, .relayResult(RelayResult(session: SessionID(rawValue: 1), success: true, temporary: false, reason: "")))
        try sendRaw(a, .adminQuery(AdminQuery(request: 1, kind: .sessions)))
        try sendRaw(a, .commit(generation: 1))
        try sendRaw(a, .authRequest(request))
        waitFor(frames, .authRequest)
        XCTAssertEqual(frames.value, [.authRequest], "only the chartered record reached the code")
        XCTAssertNil(reason.value, "the channel stays open")
        channel.close()
        close(a)
    }

    func testARecordWithAMisplacedDescriptorIsDroppedAndTheChannelKept() throws {
        let (a, b) = pair()
        let reason = Box<IPCCloseReason>(), frames = Box<[RecordKind]>()
        let channel = authdEnd(b, reason: reason, frames: frames)
        try sendRaw(a, .hello(Hello(role: .listener, pid: 1)))
        var pipeFDs: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&pipeFDs), 0)
        try sendRaw(a, .authRequest(request), descriptor: pipeFDs[1])
        close(pipeFDs[1])
        try sendRaw(a, .authRequest(request))
        waitFor(frames, .authRequest)
        XCTAssertEqual(frames.value, [.authRequest])
        XCTAssertNil(reason.value)
        // The descriptor was closed on receipt: the pipe's read end sees its only writer gone.
        var byte: UInt8 = 0
        XCTAssertEqual(read(pipeFDs[0], &byte, 1), 0)
        close(pipeFDs[0])
        channel.close()
        close(a)
    }

    func testAPeerThatSkipsTheHelloIsDropped() throws {
        let (a, b) = pair()
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>(), frames = Box<[RecordKind]>()
        let channel = authdEnd(b, reason: reason, frames: frames, closed: closed)
        defer { channel.close() }
        try sendRaw(a, .authRequest(request))
        wait(for: [closed], timeout: 5)
        guard case .violation(.unexpected) = reason.value else { return XCTFail("\(String(describing: reason.value))") }
        XCTAssertNil(frames.value)
        close(a)
    }

    func testAHelloFromAnotherRoleThanTheChartersPeerDropsIt() throws {
        let (a, b) = pair()
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>(), frames = Box<[RecordKind]>()
        let channel = authdEnd(b, reason: reason, frames: frames, closed: closed)
        defer { channel.close() }
        try sendRaw(a, .hello(Hello(role: .relay, pid: 1)))
        try sendRaw(a, .authRequest(request))
        wait(for: [closed], timeout: 5)
        guard case .violation(.unexpected) = reason.value else { return XCTFail("\(String(describing: reason.value))") }
        XCTAssertNil(frames.value)
        close(a)
    }

    func testAVersionMismatchDropsThePeer() throws {
        let (a, b) = pair()
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>(), frames = Box<[RecordKind]>()
        let channel = authdEnd(b, reason: reason, frames: frames, closed: closed)
        defer { channel.close() }
        try sendRaw(a, .hello(Hello(version: 99, role: .listener, pid: 1)))
        wait(for: [closed], timeout: 5)
        guard case .violation(.versionMismatch(peer: 99, ours: IPCLimits.version)) = reason.value else {
            return XCTFail("\(String(describing: reason.value))")
        }
        close(a)
    }

    func testARecordThatDoesNotDecodeDropsThePeer() throws {
        let (a, b) = pair()
        let closed = expectation(description: "closed")
        let reason = Box<IPCCloseReason>(), frames = Box<[RecordKind]>()
        let channel = authdEnd(b, reason: reason, frames: frames, closed: closed)
        defer { channel.close() }
        try sendRaw(a, .hello(Hello(role: .listener, pid: 1)))
        let garbage: [UInt8] = [RecordKind.authRequest.rawValue, 0, 1]
        _ = garbage.withUnsafeBytes { send(a, $0.baseAddress, $0.count, 0) }
        wait(for: [closed], timeout: 5)
        guard case .violation = reason.value else { return XCTFail("\(String(describing: reason.value))") }
        close(a)
    }
}

/// A value set on a dispatch queue and read by the test.
final class Box<T>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: T?
    var value: T? { lock.withLock { stored } }
    func set(_ v: T) { lock.withLock { stored = v } }
}
