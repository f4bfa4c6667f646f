/// Where a value sits in the configuration file, written the way an administrator would
/// look it up: `aaa-server-group.CORP.server[0].host`. Indices into arrays (of values or of
/// tables) count from 0, in file order.
public struct ConfigKeyPath: Hashable, Sendable, CustomStringConvertible {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    public static let root = ConfigKeyPath()

    public func appending(_ key: String) -> ConfigKeyPath {
        ConfigKeyPath(components + [.key(key)])
    }

    public func appending(index: Int) -> ConfigKeyPath {
        ConfigKeyPath(components + [.index(index)])
    }

    /// The path without its last component (the root stays the root).
    public var parent: ConfigKeyPath {
        ConfigKeyPath(Array(components.dropLast()))
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += Self.render(key)
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Bare keys as TOML writes them; anything else quoted (group-map DNs, for instance).
    private static func render(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_")
        }
        if bare { return key }
        var quoted = "\""
        for character in key {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
