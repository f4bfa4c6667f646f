/// Checks that span sections, made once every section has been read.
enum ConfigCrossChecks {
    static func check(_ configuration: PosternConfiguration, context: LoadContext) throws(ConfigError) {
        try checkCertificate(configuration, context: context)
        try checkClientCertificates(configuration, context: context)
        try checkListeningConflicts(configuration, context: context)
    }

    private static func checkCertificate(_ configuration: PosternConfiguration, context: LoadContext)
        throws(ConfigError) {
        guard configuration.tls.certificate == nil, let first = configuration.enabledProtocols.first else { return }
        throw context.error(.missingKey, at: ConfigKeyPath.root.appending("tls").appending("certificate"),
                            "missing; expected the server certificate (PEM chain) that \(first.rawValue) presents")
    }

    /// `certificate` needs a CA to check client certificates against; `client-ca` and `crl`
    /// serve nothing unless some enabled proxy lists `certificate`.
    private static func checkClientCertificates(_ configuration: PosternConfiguration, context: LoadContext)
        throws(ConfigError) {
        let users = configuration.enabledProtocols.filter { configuration.protocols[$0]?.authentication.contains(.certificate) == true }
        let tls = ConfigKeyPath.root.appending("tls")
        if let first = users.first, configuration.tls.clientCA == nil {
            throw context.error(.missingKey, at: tls.appending("client-ca"),
                                "missing; expected the CA file client certificates chain to (\(first.rawValue) lists certificate)")
        }
        if configuration.tls.crl != nil && configuration.tls.clientCA == nil {
            throw context.error(.missingKey, at: tls.appending("client-ca"),
                                "missing; crl is set, but without client-ca no client certificate is checked")
        }
    }

    /// Two sockets cannot share a port on one address, nor on a specific address and the
    /// wildcard of its family.
    private static func checkListeningConflicts(_ configuration: PosternConfiguration, context: LoadContext)
        throws(ConfigError) {
        var bound: [(endpoint: ListeningEndpoint, address: IPAddressLiteral)] = []
        for endpoint in configuration.listeningEndpoints() {
            // Interface addresses were validated when read.
            guard let address = IPAddressLiteral(endpoint.address) else { continue }
            let clash = bound.first { other in
                other.endpoint.port == endpoint.port && other.address.family == address.family
                    && (other.address == address || other.address.isUnspecified || address.isUnspecified)
            }
            if let (other, _) = clash {
                let path = ConfigKeyPath.root.appending(endpoint.mailProtocol.rawValue)
                    .appending(other.mailProtocol == endpoint.mailProtocol ? "enable" : "port")
                throw context.error(.conflict, at: path, "port \(endpoint.port) on \(endpoint.address) (interface "
                    + "\(ValueDescription.quoted(endpoint.interface))) overlaps \(other.mailProtocol.rawValue) "
                    + "on \(other.address) (interface \(ValueDescription.quoted(other.interface)))")
            }
            bound.append((endpoint, address))
        }
    }
}
