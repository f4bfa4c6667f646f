/// What every section reader needs to report an error: the file and its line index.
struct LoadContext: Sendable {
    let file: String
    let index: SourceIndex

    func error(_ kind: ConfigError.Kind, at path: ConfigKeyPath, _ message: String) -> ConfigError {
        ConfigError(kind: kind, file: file, line: index.line(of: path), keyPath: path, message: message)
    }
}
