import Foundation
import PosternConfig

/// What the supervisor reads from disk for one configuration generation and hands to the roles:
/// the configuration as JSON, the TLS certificate and key (listener only) and upstream trust
/// roots (relays).
struct GenerationMaterial {
    var configurationJSON: [UInt8]
    var certificate: [UInt8]
    var privateKey: [UInt8]
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
                                  upstreamTrust: trust, secrets: secrets)
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

    private static func file(_ path: String, what: String) throws(Failure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(what): cannot read \(path): " + String(cString: strerror(errno)))
        }
        return Array(data)
    }
}
