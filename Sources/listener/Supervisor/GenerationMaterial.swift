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
        return GenerationMaterial(configurationJSON: Array(json), certificate: certificate, privateKey: privateKey,
                                  upstreamTrust: trust)
    }

    private static func file(_ path: String, what: String) throws(Failure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(what): cannot read \(path): " + String(cString: strerror(errno)))
        }
        return Array(data)
    }
}
