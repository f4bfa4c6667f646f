import TOMLKit

/// `[tls]`. Whether a certificate is required depends on the proxies enabled, which
/// `ConfigCrossChecks` decides.
enum TLSSection {
    static func read(_ table: TOMLTable?, at path: ConfigKeyPath, context: LoadContext) throws(ConfigError)
        -> TLSSettings {
        guard let table else { return TLSSettings() }
        let reader = try TableReader<TLSKey>(table, at: path, context: context)
        let certificate = try reader.filePath(.certificate)
        let privateKey = try reader.filePath(.privateKey)
        if privateKey != nil && certificate == nil {
            throw reader.missing(.certificate, expected: "the certificate file that goes with private-key")
        }
        let ciphers = try reader.nonEmptyString(.ciphers, expected: "an OpenSSL cipher list")
        if let ciphers, ciphers.contains(where: \.isWhitespace) {
            throw reader.error(.invalidValue, .ciphers,
                               "expected an OpenSSL cipher list separated by ':', without spaces")
        }
        return TLSSettings(
            certificate: certificate,
            privateKey: privateKey ?? certificate,
            minVersion: try reader.choice(.minVersion, TLSVersion.self) ?? .v1_2,
            ciphers: ciphers ?? TLSSettings.defaultCiphers,
            clientCA: try reader.filePath(.clientCA),
            crl: try reader.filePath(.crl),
            verifyDepth: try reader.integer(.verifyDepth, in: 0...100) ?? 4)
    }
}
