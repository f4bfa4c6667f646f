import COpenSSL
import Foundation
import NIOCore
import PosternCore
import XCTest
@testable import PosternTLS

/// Client certificates against a real chain (root, intermediate, leaves, CRLs) made by
/// Tests/fixtures/client-pki.sh, the script the end-to-end harness uses too.
final class ClientCertificateTests: XCTestCase {
    private static let pki: Result<URL, TestCertificateError> = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("postern-client-pki-\(UUID().uuidString)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/client-pki.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, directory.path]
        do {
            try process.run()
        } catch {
            return .failure(TestCertificateError(message: "cannot run \(script.path): \(error)"))
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(TestCertificateError(message: "\(script.path) exited with \(process.terminationStatus)"))
        }
        return .success(directory)
    }()

    private func file(_ name: String) throws -> [UInt8] {
        let url = try Self.pki.get().appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }

    private func server(crl: String? = "crl.pem", depth: Int = 4) throws -> TLSContext {
        let certificates = try certificates()
        return try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.keyPEM,
            clientCertificates: ClientCertificateTrust(certificateAuthoritiesPEM: try file("client-ca.pem"),
                                                       revocationListsPEM: try crl.map(file), depth: depth))
    }

    /// The server's check after a handshake with a client presenting `name` (nil: none).
    private func check(_ name: String?, server: TLSContext? = nil, version: TLSVersion = .v1_3) throws -> ClientCertificateCheck? {
        let client = try clientContext(maximumVersion: version)
        if let name {
            try client.presentCertificate(chainPEM: try file("\(name).pem"), keyPEM: try file("\(name).key"))
        }
        let pair = try TLSPair(server: try server ?? self.server(), client: client)
        defer { pair.finish() }
        try pair.handshake()
        XCTAssertTrue(pair.serverRecorder.errors.isEmpty, "\(pair.serverRecorder.errors)")
        let session = try XCTUnwrap(pair.serverRecorder.sessions.first, "the handshake completes whatever the client sends")
        return session.clientCertificate
    }

    func testAVerifiedCertificateGivesItsSubjectIssuerSerialAndUPN() throws {
        for version in [TLSVersion.v1_2, .v1_3] {
            let outcome = try XCTUnwrap(try check("full", version: version))
            XCTAssertNil(outcome.refusal, "\(String(describing: outcome.refusal))")
            let certificate = try XCTUnwrap(outcome.certificate)
            XCTAssertEqual(certificate.issuer.rfc4514, "CN=postern test client intermediate,O=postern tests")
            XCTAssertFalse(certificate.serial.isEmpty)
            XCTAssertTrue(certificate.serial.allSatisfy { $0.isHexDigit && !$0.isLowercase }, certificate.serial)
            XCTAssertEqual(certificate.userPrincipalNames, ["jdoe@corp.example"])
            func name(_ source: DNUsernameSource) -> Result<String, CertificateRefusal> {
                CertificateUsername.of(subject: certificate.subject, upns: certificate.userPrincipalNames, source: source)
            }
            XCTAssertEqual(name(.default), .success("Jürgen Doe Mail"), "CN, then the first OU in the subject's order")
            XCTAssertEqual(name(.fields(primary: .upn, secondary: nil)), .success("jdoe@corp.example"))
            XCTAssertEqual(name(.fields(primary: .uid, secondary: .l)), .success("jdoe Köln"), "UID from a multi-valued RDN")
            let expected: [DNField: String] = [
                .c: "DE", .sp: "Berlin", .l: "Köln", .o: "Example Inc", .ou: "Mail", .cn: "Jürgen Doe", .uid: "jdoe",
                .ea: "johndoe@example.org", .dnq: "q1", .gn: "Jürgen", .sn: "Doe", .i: "JD", .n: "Jürgen Doe",
                .genq: "III", .ser: "S-42", .t: "Engineer", .upn: "jdoe@corp.example",
            ]
            XCTAssertEqual(Set(expected.keys), Set(DNField.allCases), "every field is covered")
            for (field, value) in expected {
                XCTAssertEqual(name(.fields(primary: field, secondary: nil)), .success(value), field.rawValue)
            }
            guard case .success(let entire) = name(.entireDN) else { return XCTFail("no entire DN") }
            XCTAssertTrue(entire.hasPrefix("title=Engineer,serialNumber=S-42,"), entire)
            XCTAssertTrue(entire.hasSuffix(",OU=Staff,OU=Mail,O=Example Inc,L=Köln,ST=Berlin,C=DE"), entire)
            XCTAssertTrue(entire.contains("UID=jdoe+CN=Jürgen Doe") || entire.contains("CN=Jürgen Doe+UID=jdoe"), entire)
        }
    }

    func testEachRefusalHasItsReason() throws {
        XCTAssertEqual(try check(nil)?.refusal, .noCertificate)
        XCTAssertEqual(try check("revoked")?.refusal, .revoked)
        XCTAssertEqual(try check("expired")?.refusal, .expired)
        guard case .untrusted? = try check("otherca")?.refusal else { return XCTFail("another CA's certificate is trusted") }
        XCTAssertEqual(try check("plain", server: server(depth: 0))?.refusal, .tooDeep)
        XCTAssertNil(try check("plain")?.refusal)
    }

    func testWithoutTheCRLTheRevokedCertificateIsTrustedAndWithItNot() throws {
        XCTAssertNil(try check("revoked", server: server(crl: nil))?.refusal)
        XCTAssertNil(try check("revoked", server: server(crl: "crl-none.pem"))?.refusal)
        XCTAssertEqual(try check("revoked", server: server(crl: "crl.pem"))?.refusal, .revoked)
    }

    func testACertificateLackingThePrimaryFieldMapsToNoName() throws {
        let outcome = try XCTUnwrap(try check("nocn"))
        XCTAssertNil(outcome.refusal)
        let subject = try XCTUnwrap(outcome.certificate).subject
        XCTAssertEqual(CertificateUsername.of(subject: subject, upns: [], source: .default), .failure(.missingField(.cn)))
    }

    func testAContextWithoutClientCertificatesAsksForNone() throws {
        let client = try clientContext()
        try client.presentCertificate(chainPEM: try file("plain.pem"), keyPEM: try file("plain.key"))
        let pair = try TLSPair(server: try serverContext(), client: client)
        defer { pair.finish() }
        try pair.handshake()
        let session = try XCTUnwrap(pair.serverRecorder.sessions.first)
        XCTAssertNil(session.clientCertificate)
        XCTAssertNil(session.peerSubject, "a client sends its certificate only when asked")
    }

    func testDamagedFilesAreRefused() throws {
        let certificates = try certificates()
        func make(ca: [UInt8], crl: [UInt8]?) throws -> TLSContext {
            try TLSContext.server(certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.keyPEM,
                                  clientCertificates: ClientCertificateTrust(certificateAuthoritiesPEM: ca,
                                                                             revocationListsPEM: crl, depth: 4))
        }
        XCTAssertThrowsError(try make(ca: Array("not a certificate".utf8), crl: nil))
        XCTAssertThrowsError(try make(ca: try file("client-ca.pem"), crl: try file("client-ca.pem")), "a certificate is not a CRL")
        XCTAssertNoThrow(try make(ca: try file("client-ca.pem"), crl: try file("crl.pem")))
    }

    func testAProblemWithACAOfTheChainIsNotNamedAsTheClientsOwn() {
        XCTAssertEqual(TLSContext.refusal(X509_V_ERR_CERT_HAS_EXPIRED, inCA: false), .expired)
        guard case .untrusted(let detail) = TLSContext.refusal(X509_V_ERR_CERT_HAS_EXPIRED, inCA: true) else {
            return XCTFail("an expired intermediate reported as the client's certificate")
        }
        XCTAssertEqual(detail, "a CA of the chain: certificate has expired")
        XCTAssertEqual(TLSContext.refusal(X509_V_ERR_CERT_REVOKED, inCA: false), .revoked)
    }
}
