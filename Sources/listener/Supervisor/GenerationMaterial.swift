import Foundation
import PosternConfig
import PosternCore
import PosternTLS

/// What the supervisor reads from disk for one configuration generation and hands to the roles:
/// the configuration as JSON, the TLS certificate and key (listener only) and upstream trust
/// roots (relays).
struct GenerationMaterial {
    var configurationJSON: [UInt8]
    var certificate: [UInt8]
    var privateKey: [UInt8]
    /// `tls.client-ca` and `tls.crl`, when set (re-read at every reload, like the rest).
    var clientCA: [UInt8]?
    var crl: [UInt8]?
    var upstreamTrust: [String: [UInt8]]
    /// RADIUS shared secrets and LDAP bind passwords by file path; for authd alone.
    var secrets: [String: [UInt8]]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ configuration: PosternConfiguration) throws(Failure) -> GenerationMaterial {
        let json: Data
        do {
            json = try JSONEncoder().encode(configuration)
        } catch {
            throw Failure(description: "cannot encode the configuration: \(error)")
        }
        var certificate: [UInt8] = []
        var privateKey: [UInt8] = []
        if let certificatePath = configuration.tls.certificate {
            certificate = try file(certificatePath, what: "tls.certificate")
            privateKey = try file(configuration.tls.privateKey ?? certificatePath, what: "tls.private-key")
        }
        let clientCA = try configuration.tls.clientCA.map { path throws(Failure) in try file(path, what: "tls.client-ca") }
        let crl = try configuration.tls.crl.map { path throws(Failure) in try file(path, what: "tls.crl") }
        if let clientCA {
            do {
                try ClientCertificateTrust(certificateAuthoritiesPEM: clientCA, revocationListsPEM: crl,
                                           depth: configuration.tls.verifyDepth).validate()
            } catch {
                throw Failure(description: "tls: \(error)")
            }
        }
        var trust: [String: [UInt8]] = [:]
        for (proto, settings) in configuration.protocols where settings.upstreamTLS != .none {
            if let ca = settings.upstreamCA {
                trust[proto.rawValue] = try file(ca, what: "\(proto.rawValue).upstream-ca")
            }
        }
        var secrets: [String: [UInt8]] = [:]
        for group in configuration.serverGroups.values {
            for (path, what) in secretFiles(of: group) where secrets[path] == nil {
                var bytes = try file(path, what: what)
                // A secret file holds one line; its line end is not part of the secret.
                while let last = bytes.last, last == 0x0a || last == 0x0d { bytes.removeLast() }
                guard !bytes.isEmpty else { throw Failure(description: "\(what): \(path) is empty") }
                secrets[path] = bytes
            }
        }
        return GenerationMaterial(configurationJSON: Array(json), certificate: certificate, privateKey: privateKey,
                                  clientCA: clientCA, crl: crl, upstreamTrust: trust, secrets: secrets)
    }

    private static func secretFiles(of group: ServerGroup) -> [(String, String)] {
        switch group.backend {
        case .radius(let servers):
            return servers.map { ($0.secretFile, "aaa-server-group.\(group.name) secret-file") }
        case .ldap(let servers, _):
            return servers.compactMap { server in
                server.bindPasswordFile.map { ($0, "aaa-server-group.\(group.name) bind-password-file") }
            }
        case .local:
            return []
        }
    }

    /// The most the supervisor reads of one certificate, key, CA or secret file: far above any
    /// real one (a system CA bundle is a few hundred KiB), and a bound on what a mistaken path
    /// (a log, a device) costs before start or reload fails.
    static let fileLimit = 1 << 20

    /// The whole file, or a failure naming the setting and the path: it cannot be read, or it
    /// holds more than `fileLimit` bytes.
    static func file(_ path: String, what: String, limit: Int = fileLimit) throws(Failure) -> [UInt8] {
        do {
            return try BoundedFile.read(path, limit: limit)
        } catch {
            switch error {
            case .unreadable(let reason):
                throw Failure(description: "\(what): \(path): cannot read: \(reason)")
            case .tooLarge:
                throw Failure(description: "\(what): \(path): larger than \(limit >> 20) MiB; expected a PEM or secret file")
            }
        }
    }
}
