import TOMLKit

/// `[admin]`, `[process]`, `[limits]` and the still-empty `[portal]`: small tables of
/// daemon-wide settings.
enum ServiceSections {
    static func admin(_ table: TOMLTable?, at path: ConfigKeyPath, context: LoadContext) throws(ConfigError)
        -> AdminSettings {
        guard let table else { return AdminSettings() }
        let reader = try TableReader<AdminKey>(table, at: path, context: context)
        let group = try reader.string(.group)
        if let group, !isGroupName(group) {
            throw reader.invalid(.group, expected: "a system group name", got: group)
        }
        return AdminSettings(socket: try reader.filePath(.socket) ?? AdminSettings.defaultSocket, group: group)
    }

    static func process(_ table: TOMLTable?, at path: ConfigKeyPath, context: LoadContext) throws(ConfigError)
        -> ProcessSettings {
        guard let table else { return ProcessSettings() }
        let reader = try TableReader<ProcessKey>(table, at: path, context: context)
        return ProcessSettings(
            relayProcesses: try reader.integer(.relayProcesses, in: 0...256, note: " (0 = one per core)") ?? 0,
            seccomp: try reader.choice(.seccomp, ProcessSettings.SeccompMode.self) ?? .kill)
    }

    static func limits(_ table: TOMLTable?, at path: ConfigKeyPath, context: LoadContext) throws(ConfigError)
        -> LimitSettings {
        let defaults = LimitSettings()
        guard let table else { return defaults }
        let reader = try TableReader<LimitsKey>(table, at: path, context: context)
        return LimitSettings(
            handshakeTimeout: try reader.duration(.handshakeTimeout, allowZero: false) ?? defaults.handshakeTimeout,
            preauthIdleTimeout: try reader.duration(.preauthIdleTimeout, allowZero: false)
                ?? defaults.preauthIdleTimeout,
            authenticationTimeout: try reader.duration(.authenticationTimeout, allowZero: false)
                ?? defaults.authenticationTimeout,
            maxLineLength: try reader.integer(.maxLineLength, in: LimitSettings.byteLimitRange) ?? defaults.maxLineLength,
            maxLiteralSize: try reader.integer(.maxLiteralSize, in: LimitSettings.byteLimitRange)
                ?? defaults.maxLiteralSize,
            maxFailedAttempts: try reader.integer(.maxFailedAttempts, in: LimitSettings.failedAttemptsRange)
                ?? defaults.maxFailedAttempts)
    }

    /// Accepted only empty until the portal exists.
    static func portal(_ table: TOMLTable?, at path: ConfigKeyPath, context: LoadContext) throws(ConfigError) {
        guard let table else { return }
        _ = try TableReader<PortalKey>(table, at: path, context: context,
                                       unknownKeyHint: "unknown key; [portal] takes no keys in this version")
    }

    /// What Debian's `groupadd` accepts by default.
    static func isGroupName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase || first == "_", name.utf8.count <= 32 else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}
