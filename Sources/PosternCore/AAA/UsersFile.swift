/// The `local` server group's file: `name:crypt(3)-hash[:group-policy]`, one a line;
/// blank lines and lines starting with `#` are ignored.
public struct UsersFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var hash: String
        public var groupPolicy: String?

        public init(name: String, hash: String, groupPolicy: String?) {
            self.name = name
            self.hash = hash
            self.groupPolicy = groupPolicy
        }
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var problem: String
        public var description: String { "line \(line): \(problem)" }
    }

    public private(set) var entries: [String: Entry] = [:]
    /// The hash of the file's first entry. An unknown user's password is checked against it (and
    /// refused whatever the outcome), so that the check costs what a known user's does: the same
    /// scheme and cost as the file uses, not a default that would tell the two apart by time.
    public private(set) var decoyHash: String?

    public init(entries: [Entry]) {
        for e in entries { self.entries[e.name] = e }
        decoyHash = entries.first?.hash
    }

    public init(parsing text: String) throws(ParseError) {
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 2 || fields.count == 3 else {
                throw ParseError(line: lineNumber, problem: "expected name:hash[:group-policy]")
            }
            let name = String(fields[0])
            let hash = String(fields[1])
            guard !name.isEmpty else { throw ParseError(line: lineNumber, problem: "empty user name") }
            guard hash.hasPrefix("$") else {
                throw ParseError(line: lineNumber, problem: "user \(name): the hash is not a crypt(3) hash (expected $y$… or $6$…)")
            }
            guard entries[name] == nil else { throw ParseError(line: lineNumber, problem: "user \(name) appears twice") }
            let policy = fields.count == 3 && !fields[2].isEmpty ? String(fields[2]) : nil
            entries[name] = Entry(name: name, hash: hash, groupPolicy: policy)
            if decoyHash == nil { decoyHash = hash }
        }
    }

    public subscript(name: String) -> Entry? { entries[name] }

    /// The line `posternctl passwd` writes.
    public static func line(name: String, hash: String, groupPolicy: String?) -> String {
        name + ":" + hash + (groupPolicy.map { ":" + $0 } ?? "")
    }
}
