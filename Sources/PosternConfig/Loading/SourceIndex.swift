/// Line numbers for the tables and keys of a TOML text, because TOMLKit reports a line only
/// for syntax errors. Built after TOMLKit accepted the text, so it may assume the text is
/// well formed; on anything unexpected it records less, never fails.
///
/// It knows `[a.b]` headers, `[[a.b]]` arrays of tables (each occurrence gets the next
/// index, and later headers below it resolve to the latest element), dotted and quoted
/// keys, and skips values, including multi-line strings and arrays. Keys inside inline
/// tables are not recorded: a lookup falls back to the nearest recorded parent.
struct SourceIndex: Sendable {
    private var lines: [ConfigKeyPath: Int] = [:]

    init(text: String) {
        var scanner = Scanner(Array(text.unicodeScalars))
        scanner.run()
        lines = scanner.lines
    }

    /// The line of `path`, or of its nearest recorded parent.
    func line(of path: ConfigKeyPath) -> Int? {
        var current = path
        while true {
            if let line = lines[current] { return line }
            if current.components.isEmpty { return nil }
            current = current.parent
        }
    }
}

private struct Scanner {
    let text: [Unicode.Scalar]
    var position = 0
    var line = 1
    var currentTable = ConfigKeyPath.root
    /// How many elements each array of tables has so far, keyed by its path.
    var arrayCounts: [ConfigKeyPath: Int] = [:]
    var lines: [ConfigKeyPath: Int] = [:]

    init(_ text: [Unicode.Scalar]) {
        self.text = text
    }

    var current: Unicode.Scalar? { position < text.count ? text[position] : nil }

    func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < text.count ? text[position + offset] : nil
    }

    mutating func run() {
        while let scalar = current {
            switch scalar {
            case " ", "\t", "\r":
                position += 1
            case "\n":
                line += 1
                position += 1
            case "#":
                skipComment()
            case "[":
                header()
            default:
                keyValue()
            }
        }
    }

    mutating func header() {
        let headerLine = line
        position += 1
        let isArray = current == "["
        if isArray { position += 1 }
        let keys = dottedKey()
        guard !keys.isEmpty else { return skipLine() }
        var path = ConfigKeyPath.root
        for (offset, key) in keys.enumerated() {
            path = path.appending(key)
            let isLast = offset == keys.count - 1
            if isLast && isArray { break }
            // A header below an array of tables belongs to its latest element.
            if let count = arrayCounts[path] { path = path.appending(index: count - 1) }
        }
        if isArray {
            let count = arrayCounts[path, default: 0]
            arrayCounts[path] = count + 1
            path = path.appending(index: count)
        }
        recordPrefixes(of: path, below: .root, line: headerLine)
        lines[path] = headerLine
        currentTable = path
        skipLine()
    }

    mutating func keyValue() {
        let keyLine = line
        let keys = dottedKey()
        skipBlanks()
        guard !keys.isEmpty, current == "=" else { return skipLine() }
        position += 1
        var path = currentTable
        for key in keys { path = path.appending(key) }
        recordPrefixes(of: path, below: currentTable, line: keyLine)
        lines[path] = lines[path] ?? keyLine
        skipValue()
    }

    /// Records the tables a dotted key or header creates implicitly, where not yet known.
    mutating func recordPrefixes(of path: ConfigKeyPath, below base: ConfigKeyPath, line: Int) {
        guard path.components.count > base.components.count + 1 else { return }
        for length in (base.components.count + 1)..<path.components.count {
            let prefix = ConfigKeyPath(Array(path.components.prefix(length)))
            if lines[prefix] == nil { lines[prefix] = line }
        }
    }

    mutating func dottedKey() -> [String] {
        var keys: [String] = []
        while true {
            skipBlanks()
            guard let key = simpleKey() else { return keys }
            keys.append(key)
            skipBlanks()
            guard current == "." else { return keys }
            position += 1
        }
    }

    mutating func simpleKey() -> String? {
        switch current {
        case "\"":
            position += 1
            return basicString()
        case "'":
            position += 1
            var key = ""
            while let scalar = current, scalar != "'", scalar != "\n" {
                key.unicodeScalars.append(scalar)
                position += 1
            }
            if current == "'" { position += 1 }
            return key
        default:
            var key = ""
            while let scalar = current, Self.isBareKeyScalar(scalar) {
                key.unicodeScalars.append(scalar)
                position += 1
            }
            return key.isEmpty ? nil : key
        }
    }

    static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "-" || scalar == "_"
    }

    /// A basic string's content after its opening quote; consumes the closing quote.
    mutating func basicString() -> String {
        var value = ""
        while let scalar = current, scalar != "\n" {
            position += 1
            if scalar == "\"" { return value }
            guard scalar == "\\", let escaped = current else {
                value.unicodeScalars.append(scalar)
                continue
            }
            position += 1
            switch escaped {
            case "b": value += "\u{08}"
            case "t": value += "\t"
            case "n": value += "\n"
            case "f": value += "\u{0C}"
            case "r": value += "\r"
            case "u": value.unicodeScalars.append(hexScalar(digits: 4))
            case "U": value.unicodeScalars.append(hexScalar(digits: 8))
            default: value.unicodeScalars.append(escaped)
            }
        }
        return value
    }

    mutating func hexScalar(digits: Int) -> Unicode.Scalar {
        var hex = ""
        for _ in 0..<digits {
            guard let scalar = current, scalar.properties.isASCIIHexDigit else { break }
            hex.unicodeScalars.append(scalar)
            position += 1
        }
        return UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) ?? "\u{FFFD}"
    }

    /// Skips a value up to the end of its last line, across multi-line strings and arrays.
    mutating func skipValue() {
        var depth = 0
        while let scalar = current {
            switch scalar {
            case "\"", "'":
                skipString(quote: scalar)
                continue
            case "[", "{":
                depth += 1
            case "]", "}":
                depth -= 1
            case "#":
                skipComment()
                continue
            case "\n":
                if depth <= 0 { return }
                line += 1
            default:
                break
            }
            position += 1
        }
    }

    mutating func skipString(quote: Unicode.Scalar) {
        let isMultiLine = peek(1) == quote && peek(2) == quote
        if !isMultiLine {
            position += 1
            while let scalar = current, scalar != "\n" {
                position += 1
                if scalar == quote { return }
                if scalar == "\\" && quote == "\"" { position += 1 }
            }
            return
        }
        position += 3
        while let scalar = current {
            if scalar == "\n" { line += 1 }
            if scalar == "\\" && quote == "\"" {
                position += 2
                if peek(-1) == "\n" { line += 1 }
                continue
            }
            if scalar == quote && peek(1) == quote && peek(2) == quote {
                position += 3
                // Up to two more quotes may close the string as part of its content.
                for _ in 0..<2 where current == quote { position += 1 }
                return
            }
            position += 1
        }
    }

    mutating func skipBlanks() {
        while current == " " || current == "\t" { position += 1 }
    }

    mutating func skipComment() {
        while let scalar = current, scalar != "\n" { position += 1 }
    }

    mutating func skipLine() {
        while let scalar = current, scalar != "\n" {
            if scalar == "\"" || scalar == "'" {
                skipString(quote: scalar)
            } else {
                position += 1
            }
        }
    }
}
