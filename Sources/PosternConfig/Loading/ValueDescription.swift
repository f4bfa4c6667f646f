import TOMLKit

/// How a value from the file is shown after "got" in an error.
enum ValueDescription {
    static func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: quoted(value.string ?? "")
        case .int: value.int.map(String.init) ?? "an integer"
        case .double: value.double.map { "\($0)" } ?? "a number"
        case .bool: value.bool.map { "\($0)" } ?? "a boolean"
        case .table: "a table"
        case .array: "an array"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    /// A string in TOML basic-string form, cut short if long.
    static func quoted(_ text: String) -> String {
        var body = ""
        for scalar in text.unicodeScalars.prefix(80) {
            switch scalar {
            case "\"": body += "\\\""
            case "\\": body += "\\\\"
            case "\n": body += "\\n"
            case "\t": body += "\\t"
            default:
                if scalar.properties.generalCategory == .control {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    body += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    body.unicodeScalars.append(scalar)
                }
            }
        }
        if text.unicodeScalars.count > 80 { body += "…" }
        return "\"" + body + "\""
    }

    /// `"a", "b" or "c"`.
    static func choices(_ options: [String]) -> String {
        let quotedOptions = options.map(quoted)
        guard quotedOptions.count > 1 else { return quotedOptions.first ?? "" }
        return quotedOptions.dropLast().joined(separator: ", ") + " or " + quotedOptions.last!
    }

    /// Appended to "no … is defined": what is.
    static func definedNames(_ names: Set<String>) -> String {
        names.isEmpty ? " (none is)" : "; defined: " + names.sorted().joined(separator: ", ")
    }
}
