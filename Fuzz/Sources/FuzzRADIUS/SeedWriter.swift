import FuzzSupport
import Glibc
import PosternRADIUS

/// Writes the seed corpus: real replies to the fixed requests, as servers send them (an
/// Access-Accept with Class, Session-Timeout and Message-Authenticator first, Access-Reject
/// and Access-Challenge with Reply-Message, an Accounting-Response, a Status-Server answer),
/// signed by the RFCs' rules, so that the fuzzer starts past the authenticators.
enum SeedWriter {
    static func write(to directory: String) -> CInt {
        for (name, bytes, request) in samples {
            // A seed the verifier refuses would start the fuzzer short of everything past it.
            guard (try? RADIUSReplyVerifier.verify(reply: bytes, to: request, secret: FixedRequests.secret,
                                                   requireMessageAuthenticator: false)) != nil else {
                print("\(name) does not verify")
                return 1
            }
            guard SeedFile.write(bytes, named: name, in: directory) else { return 1 }
        }
        return 0
    }

    private static let mac: (UInt8, [UInt8]) = (80, Array(repeating: 0, count: 16))

    /// Name, the reply, and the request it answers.
    private static var samples: [(String, [UInt8], RADIUSRequest)] {
        let access = FixedRequests.all[0]
        let accounting = FixedRequests.all[1]
        let status = FixedRequests.all[2]
        let replies: [(String, UInt8, RADIUSRequest, [(UInt8, [UInt8])])] = [
            ("access-accept-class-session-timeout", 2, access, [
                mac, (25, Array("OU=staff;".utf8)), (27, [0, 0, 0x0E, 0x10]), (28, [0, 0, 0x03, 0x84]),
                (18, Array("Welcome".utf8)),
            ]),
            ("access-accept-two-classes", 2, access, [
                mac, (25, Array("not utf8 \u{FF}".utf8) + [0xFF]), (25, Array("contractors".utf8)),
            ]),
            ("access-accept-unsigned", 2, access, [(25, Array("OU=staff".utf8))]),
            ("access-reject", 3, access, [mac, (18, Array("Authentication failed".utf8))]),
            ("access-reject-unsigned", 3, access, []),
            ("access-challenge", 11, access, [mac, (24, Array("state-1".utf8)), (18, Array("Enter code".utf8))]),
            ("accounting-response", 5, accounting, []),
            ("status-server-accept", 2, status, [mac]),
        ]
        return replies.map { name, code, request, attributes in (name, reply(code, to: request, attributes), request) }
    }

    private static func reply(_ code: UInt8, to request: RADIUSRequest, _ attributes: [(UInt8, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = [code, request.identifier, 0, 0] + Array(repeating: 0, count: 16)
        for (type, value) in attributes { bytes += [type, UInt8(value.count + 2)] + value }
        bytes[2] = UInt8(bytes.count >> 8)
        bytes[3] = UInt8(bytes.count & 0xFF)
        return ReplySigner.sign(bytes, requestAuthenticator: request.authenticator, secret: FixedRequests.secret)
    }
}
