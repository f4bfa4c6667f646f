/// Why a configuration file was refused. The loader stops at the first error it finds, so
/// fixing one error and re-running `postern check-config` shows the next. It looks in this
/// order: unknown top-level tables; [tls]; [[interface]]; [group-policy.*];
/// [aaa-server-group.*] (group-map targets must be policies); [imap4s], [pop3s], [smtps]
/// (with their references); [admin]; [process]; [limits]; [portal]; then the checks across
/// sections (a certificate when a proxy is enabled, no two sockets on one address and
/// port). Within a table, unknown keys come first, the earliest in the file.
///
/// The description reads `FILE:LINE: KEY: MESSAGE`; the line is omitted where it is not
/// known, the key where the error concerns the whole file. Values are quoted only from the
/// configuration file itself, which never holds secrets (those sit in `*-file` files).
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read, or is not UTF-8.
        case unreadableFile
        /// The file is not valid TOML.
        case syntax
        /// A key or table this version does not know.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong type or outside its allowed set.
        case invalidValue
        /// A name that refers to an interface, server group or group policy not defined.
        case undefinedReference
        /// Values that are each valid but cannot go together.
        case conflict
        /// A feature the product has but this version does not yet provide.
        case unsupported
    }

    public var kind: Kind
    /// The configuration file.
    public var file: String
    /// 1-based line, where known.
    public var line: Int?
    /// The key the error concerns; the root path for file-level errors.
    public var keyPath: ConfigKeyPath
    /// What is wrong and what is expected, e.g. `expected an integer from 1 to 65535, got "abc"`.
    public var message: String

    public init(kind: Kind, file: String, line: Int?, keyPath: ConfigKeyPath, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        let key = keyPath.description
        if !key.isEmpty { text += ": \(key)" }
        return text + ": " + message
    }
}
