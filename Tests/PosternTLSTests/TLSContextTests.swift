import XCTest
@testable import PosternTLS

final class TLSContextTests: XCTestCase {
    func testAKeyThatDoesNotMatchTheCertificateIsRefused() throws {
        let certificates = try certificates()
        XCTAssertThrowsError(try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.otherKeyPEM)
        ) { error in
            XCTAssertEqual(error as? TLSError, .certificateLoad("the private key does not match the certificate"))
        }
    }

    func testMissingOrDamagedPEMIsRefused() throws {
        let certificates = try certificates()
        XCTAssertThrowsError(try TLSContext.server(certificateChainPEM: [], privateKeyPEM: certificates.keyPEM)) { error in
            guard case .certificateLoad(let why)? = error as? TLSError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("no PEM certificate"), why)
        }
        var damaged = certificates.certificatePEM
        damaged[damaged.count / 2] ^= 0x20
        XCTAssertThrowsError(try TLSContext.server(certificateChainPEM: damaged, privateKeyPEM: certificates.keyPEM)) { error in
            guard case .certificateLoad? = error as? TLSError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TLSContext.server(certificateChainPEM: certificates.certificatePEM, privateKeyPEM: Array("junk".utf8))) { error in
            guard case .certificateLoad(let why)? = error as? TLSError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("private key"), why)
        }
    }

    func testAnEncryptedKeyIsRefusedWithoutPrompting() throws {
        let certificates = try certificates()
        XCTAssertThrowsError(try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.encryptedKeyPEM)
        ) { error in
            XCTAssertEqual(error as? TLSError, .certificateLoad("the private key is encrypted; postern needs it without a passphrase"))
        }
    }

    func testAChainWithIntermediatesLoads() throws {
        let certificates = try certificates()
        // Any extra certificate is sent as part of the chain; loading must accept it.
        XCTAssertNoThrow(try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM + certificates.otherCertificatePEM,
            privateKeyPEM: certificates.keyPEM))
    }

    func testCipherListsWithNothingUsableAreRefused() throws {
        let certificates = try certificates()
        XCTAssertThrowsError(try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.keyPEM, ciphers: "NOSUCHCIPHER")
        ) { error in
            guard case .invalidConfiguration? = error as? TLSError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TLSContext.server(
            certificateChainPEM: certificates.certificatePEM, privateKeyPEM: certificates.keyPEM, ciphersuites: "TLS_NOPE")
        ) { error in
            guard case .invalidConfiguration? = error as? TLSError else { return XCTFail("\(error)") }
        }
    }

    func testClientTrustRootsMustHoldACertificate() {
        XCTAssertThrowsError(try TLSContext.client(trustRootsPEM: Array("not pem".utf8))) { error in
            guard case .certificateLoad? = error as? TLSError else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try TLSContext.client(trustRootsPEM: nil), "the system store loads")
    }

    func testVersionsUseTheConfigurationSpelling() throws {
        XCTAssertEqual(TLSVersion(rawValue: "1.2"), .v1_2)
        XCTAssertEqual(TLSVersion(rawValue: "1.3"), .v1_3)
        XCTAssertNil(TLSVersion(rawValue: "1.1"))
        let decoded = try JSONDecoder().decode([TLSVersion].self, from: Data(#"["1.3"]"#.utf8))
        XCTAssertEqual(decoded, [.v1_3])
    }

    func testAnEmptyServerNameIsRefused() throws {
        XCTAssertThrowsError(try OpenSSLHandler(clientContext: clientContext(), serverHostname: "")) { error in
            XCTAssertEqual(error as? TLSError, .invalidServerName(""))
        }
    }
}
