import Foundation

/// Throwaway keys and self-signed certificates, made with `openssl` in a temporary directory at
/// test time and deleted at once; no key is ever committed.
struct TestCertificates: Sendable {
    /// CN and DNS name mail.example.test, IP 127.0.0.1.
    var certificatePEM: [UInt8]
    var keyPEM: [UInt8]
    /// An unrelated certificate and key (CN other.example.test).
    var otherCertificatePEM: [UInt8]
    var otherKeyPEM: [UInt8]
    /// `keyPEM`'s sibling, encrypted with a passphrase.
    var encryptedKeyPEM: [UInt8]

    static let hostname = "mail.example.test"

    static let shared: Result<TestCertificates, TestCertificateError> = {
        do throws(TestCertificateError) {
            return .success(try generate())
        } catch {
            return .failure(error)
        }
    }()

    static func load() throws -> TestCertificates {
        try shared.get()
    }

    private static func generate() throws(TestCertificateError) -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("postern-tls-test-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TestCertificateError(message: "cannot create \(directory.path): \(error)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        try selfSigned(name: hostname, altNames: "DNS:\(hostname),IP:127.0.0.1", key: path("key.pem"), certificate: path("cert.pem"))
        try selfSigned(name: "other.example.test", altNames: "DNS:other.example.test", key: path("other-key.pem"), certificate: path("other-cert.pem"))
        try openssl(["pkey", "-in", path("key.pem"), "-aes256", "-passout", "pass:test-only", "-out", path("encrypted-key.pem")])

        func read(_ name: String) throws(TestCertificateError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path(name)) else {
                throw TestCertificateError(message: "openssl wrote no \(name)")
            }
            return [UInt8](data)
        }
        return TestCertificates(
            certificatePEM: try read("cert.pem"), keyPEM: try read("key.pem"),
            otherCertificatePEM: try read("other-cert.pem"), otherKeyPEM: try read("other-key.pem"),
            encryptedKeyPEM: try read("encrypted-key.pem"))
    }

    private static func selfSigned(name: String, altNames: String, key: String, certificate: String) throws(TestCertificateError) {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "2", "-subj", "/CN=\(name)/O=Postern Tests", "-addext", "subjectAltName=\(altNames)",
            "-keyout", key, "-out", certificate,
        ])
    }

    private static func openssl(_ arguments: [String]) throws(TestCertificateError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TestCertificateError(message: "cannot run openssl: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCertificateError(message: "openssl \(arguments[0]) exited with \(process.terminationStatus)")
        }
    }
}

struct TestCertificateError: Error, Sendable {
    var message: String
}
