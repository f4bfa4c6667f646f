import TOMLKit

/// Reads one TOML table whose keys are the cases of `Key`: refuses unknown keys up front,
/// then hands out typed values, each error carrying the key path and line.
struct TableReader<Key: ConfigKey> {
    let table: TOMLTable
    let path: ConfigKeyPath
    let context: LoadContext

    /// - Parameter allowed: the keys valid here, when only some of `Key`'s are.
    init(_ table: TOMLTable, at path: ConfigKeyPath, context: LoadContext, allowed: Set<Key>? = nil,
         unknownKeyHint: String? = nil) throws(ConfigError) {
        self.table = table
        self.path = path
        self.context = context
        let allowedKeys = allowed ?? Set(Key.allCases)
        let allowedNames = Key.allCases.filter(allowedKeys.contains).map(\.rawValue)
        let unknown = table.keys.filter { !allowedNames.contains($0) }.map(path.appending)
        // Report the first in the file, not in TOMLKit's (sorted) key order.
        guard let first = unknown.min(by: { (context.index.line(of: $0) ?? .max) < (context.index.line(of: $1) ?? .max) })
        else { return }
        let message = unknownKeyHint ?? (allowedNames.isEmpty
            ? "unknown key; this table takes no keys in this version"
            : "unknown key; expected one of: " + allowedNames.joined(separator: ", "))
        throw context.error(.unknownKey, at: first, message)
    }

    func keyPath(_ key: Key) -> ConfigKeyPath {
        path.appending(key.rawValue)
    }

    func value(_ key: Key) -> (any TOMLValueConvertible)? {
        table[key.rawValue]
    }

    func error(_ kind: ConfigError.Kind, _ key: Key, _ message: String) -> ConfigError {
        context.error(kind, at: keyPath(key), message)
    }

    func invalid(at path: ConfigKeyPath, expected: String, got value: any TOMLValueConvertible) -> ConfigError {
        context.error(.invalidValue, at: path, "expected \(expected), got \(ValueDescription.describe(value))")
    }

    func invalid(_ key: Key, expected: String, got value: any TOMLValueConvertible) -> ConfigError {
        invalid(at: keyPath(key), expected: expected, got: value)
    }

    /// For a string already taken out of the file.
    func invalid(at path: ConfigKeyPath, expected: String, got text: String) -> ConfigError {
        context.error(.invalidValue, at: path, "expected \(expected), got \(ValueDescription.quoted(text))")
    }

    func invalid(_ key: Key, expected: String, got text: String) -> ConfigError {
        invalid(at: keyPath(key), expected: expected, got: text)
    }

    /// An error for a key that must be present.
    func missing(_ key: Key, expected: String) -> ConfigError {
        error(.missingKey, key, "missing; expected \(expected)")
    }

    func required<T>(_ value: T?, _ key: Key, expected: String) throws(ConfigError) -> T {
        guard let value else { throw missing(key, expected: expected) }
        return value
    }

    // MARK: Scalars

    func string(_ key: Key) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw invalid(key, expected: "a string", got: value) }
        return text
    }

    func nonEmptyString(_ key: Key, expected: String = "a non-empty string") throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string, !text.isEmpty else { throw invalid(key, expected: expected, got: value) }
        return text
    }

    /// An absolute file name; existence is checked where the file is opened.
    func filePath(_ key: Key) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string, text.hasPrefix("/"), !text.contains("\0") else {
            throw invalid(key, expected: "an absolute file path", got: value)
        }
        return text
    }

    func bool(_ key: Key) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else { throw invalid(key, expected: "true or false", got: value) }
        return flag
    }

    func integer(_ key: Key, in range: ClosedRange<Int>, note: String = "") throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int, range.contains(number) else {
            throw invalid(key, expected: Self.describe(range) + note, got: value)
        }
        return number
    }

    func port(_ key: Key) throws(ConfigError) -> UInt16? {
        try integer(key, in: 1...65535).map { UInt16($0) }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == .max
            ? "an integer of at least \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
    }

    func duration(_ key: Key, allowZero: Bool) throws(ConfigError) -> ConfigDuration? {
        guard let value = value(key) else { return nil }
        guard let text = value.string, let duration = ConfigDuration(parsing: text) else {
            throw invalid(key, expected: "a duration such as \"0\", \"500ms\", \"5s\", \"30m\", \"2h\" or \"1d\"",
                          got: value)
        }
        if duration.isZero && !allowZero {
            throw invalid(key, expected: "a duration greater than 0", got: value)
        }
        return duration
    }

    /// One of an enumeration's raw values.
    func choice<Choice: RawRepresentable<String> & CaseIterable>(_ key: Key, _: Choice.Type) throws(ConfigError)
        -> Choice? {
        guard let value = value(key) else { return nil }
        guard let text = value.string, let choice = Choice(rawValue: text) else {
            throw invalid(key, expected: ValueDescription.choices(Choice.allCases.map(\.rawValue)), got: value)
        }
        return choice
    }

    // MARK: Arrays and tables

    /// An array of strings, each with its own key path for errors about one element.
    func strings(_ key: Key) throws(ConfigError) -> [(text: String, path: ConfigKeyPath)]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw invalid(key, expected: "an array of strings", got: value) }
        var result: [(text: String, path: ConfigKeyPath)] = []
        for (offset, element) in array.enumerated() {
            let elementPath = keyPath(key).appending(index: offset)
            guard let text = element.string else { throw invalid(at: elementPath, expected: "a string", got: element) }
            result.append((text, elementPath))
        }
        return result
    }

    func table(_ key: Key) throws(ConfigError) -> TOMLTable? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw invalid(key, expected: "a table", got: value) }
        return table
    }

    /// `[[key]]` elements, with their paths.
    func tables(_ key: Key, expected: String) throws(ConfigError) -> [(table: TOMLTable, path: ConfigKeyPath)]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw invalid(key, expected: expected, got: value) }
        var result: [(table: TOMLTable, path: ConfigKeyPath)] = []
        for (offset, element) in array.enumerated() {
            let elementPath = keyPath(key).appending(index: offset)
            guard let table = element.table else { throw invalid(at: elementPath, expected: "a table", got: element) }
            result.append((table, elementPath))
        }
        return result
    }
}

extension TableReader {
    /// The sub-tables of a table of names (`[aaa-server-group.NAME]`), in file order, each
    /// name checked by `ConfigName`.
    func namedTables(_ key: Key, what: String) throws(ConfigError)
        -> [(name: String, table: TOMLTable, path: ConfigKeyPath)]? {
        guard let parent = try table(key) else { return nil }
        var result: [(name: String, table: TOMLTable, path: ConfigKeyPath)] = []
        for name in parent.keys {
            let namePath = keyPath(key).appending(name)
            guard ConfigName.isValid(name) else {
                throw invalid(at: namePath, expected: "\(what) name of \(ConfigName.rule)", got: name)
            }
            guard let value = parent[name] else { continue }
            guard let table = value.table else {
                throw invalid(at: namePath, expected: "a table ([\(namePath)])", got: value)
            }
            result.append((name, table, namePath))
        }
        return result.sorted { (context.index.line(of: $0.path) ?? .max) < (context.index.line(of: $1.path) ?? .max) }
    }
}

/// Names the administrator gives: interfaces, server groups, group policies. Kept to
/// characters that survive logs, RADIUS Class values (`OU=name;`) and the admin socket.
enum ConfigName {
    static let rule = "1 to 64 letters, digits, '.', '_' or '-'"

    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }
}
