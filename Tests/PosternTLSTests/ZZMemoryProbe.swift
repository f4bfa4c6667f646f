import Glibc
import Foundation
func rss() -> Int { let t = try! String(contentsOfFile: "/proc/self/statm", encoding: .utf8); return Int(t.split(separator: " ")[1])! * 4096 }
import NIOCore
import NIOEmbedded
import XCTest
@testable import PosternTLS

final class ZZMemoryProbe: XCTestCase {
    func testIdleMemory() throws {
        let sc = try serverContext()
        let cc = try clientContext()
        var clients: [TLSPair] = []
        // warm up
        for _ in 0..<20 { let p = try TLSPair(server: sc, client: cc); try p.handshake(); try p.client.writeOutbound(ByteBuffer(string: "a1 NOOP\r\n")); try p.interact(); clients.append(p) }
        let n = 2000
        var pairs: [TLSPair] = []
        let before = rss()
        for _ in 0..<n {
            let p = try TLSPair(server: sc, client: cc)
            try p.handshake()
            try p.client.writeOutbound(ByteBuffer(string: "a1 NOOP\r\n"))
            try p.server.writeOutbound(ByteBuffer(string: "a1 OK\r\n"))
            try p.interact()
            pairs.append(p)
        }
        let after = rss()
        print("PROBE per pair (client+server+2 embedded channels): \(Double(after - before) / Double(n) / 1024) KiB")
        // servers only: TLSConnection
        var conns: [TLSConnection] = []
        let b2 = rss()
        for _ in 0..<n {
            let s = try TLSConnection(context: sc, role: .server)
            let c = try TLSConnection(context: cc, role: .client(serverHostname: TestCertificates.hostname))
            for _ in 0..<6 {
                _ = c.handshake(); var b = [UInt8](repeating: 0, count: c.pendingCiphertextCount); let k = b.withUnsafeMutableBytes { c.takeCiphertext(into: $0) }; b.withUnsafeBytes { s.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(k))) }
                _ = s.handshake(); var d = [UInt8](repeating: 0, count: s.pendingCiphertextCount); let m = d.withUnsafeMutableBytes { s.takeCiphertext(into: $0) }; d.withUnsafeBytes { c.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(m))) }
            }
            var sink = [UInt8](repeating: 0, count: 100)
            _ = sink.withUnsafeMutableBytes { c.read(into: $0) }
            s.releaseIdleBuffers(); c.releaseIdleBuffers()
            conns.append(s)
        }
        let a2 = rss()
        print("PROBE per idle server TLSConnection: \(Double(a2 - b2) / Double(n) / 1024) KiB")
        withExtendedLifetime((clients, pairs, conns)) {}
    }
}
