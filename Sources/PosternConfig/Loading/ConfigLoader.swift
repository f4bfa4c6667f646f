#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TOMLKit

/// Reads and validates the configuration file (SPEC §2). Pure apart from reading the one
/// file: referenced files (certificates, secrets, user files) are opened by the roles that
/// use them. See `ConfigError` for the order in which errors are found.
public enum ConfigLoader {
    public static let defaultPath = "/etc/postern/postern.toml"

    public static func load(path: String) throws(ConfigError) -> PosternConfiguration {
        try parse(try readText(path: path), path: path)
    }

    /// `path` is used in errors and kept as `sourcePath`; nothing is read from it.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> PosternConfiguration {
        // TOMLKit hands the text to C as a C string, which would end at a NUL unnoticed.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].lazy.filter { $0 == UInt8(ascii: "\n") }.count + 1
            throw ConfigError(kind: .syntax, file: path, line: line, keyPath: .root,
                              message: "invalid TOML: NUL character")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let line = error.source.begin.line
            throw ConfigError(kind: .syntax, file: path, line: line > 0 ? line : nil, keyPath: .root,
                              message: "invalid TOML: \(error.description)")
        } catch {
            throw ConfigError(kind: .syntax, file: path, line: nil, keyPath: .root, message: "invalid TOML")
        }
        let context = LoadContext(file: path, index: SourceIndex(text: text))
        return try ConfigReader(root: root, context: context, sourcePath: path).read()
    }

    /// The file as UTF-8 text, with the system's reason when it cannot be read.
    private static func readText(path: String) throws(ConfigError) -> String {
        func failure(_ message: String) -> ConfigError {
            ConfigError(kind: .unreadableFile, file: path, line: nil, keyPath: .root, message: message)
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read: \(String(cString: strerror(errno)))")
            }
            bytes += buffer[..<count]
            // A configuration file is small; refuse to buffer something that is not one.
            if bytes.count > 4 << 20 { throw failure("larger than 4 MiB; expected a configuration file") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("expected UTF-8 text") }
        return text
    }
}

/// Reads the top-level tables in dependency order: interfaces, policies and server groups
/// before the proxies that refer to them.
private struct ConfigReader {
    let root: TOMLTable
    let context: LoadContext
    let sourcePath: String

    func read() throws(ConfigError) -> PosternConfiguration {
        let top = try TableReader<TopLevelKey>(root, at: .root, context: context)
        let tls = try TLSSection.read(try top.table(.tls), at: top.keyPath(.tls), context: context)
        let interfaceTables = try top.tables(.interface, expected: "an array of tables ([[interface]])") ?? []
        let interfaces = try InterfaceSection.read(interfaceTables, context: context)

        var groupPolicies: [String: GroupPolicy] = [:]
        for (name, table, path) in try top.namedTables(.groupPolicy, what: "a group policy") ?? [] {
            groupPolicies[name] = try GroupPolicySection.read(name: name, table: table, at: path, context: context)
        }
        var serverGroups: [String: ServerGroup] = [:]
        for (name, table, path) in try top.namedTables(.aaaServerGroup, what: "a server group") ?? [] {
            serverGroups[name] = try ServerGroupSection.read(name: name, table: table, at: path,
                                                             groupPolicies: Set(groupPolicies.keys), context: context)
        }

        let definitions = ProtocolSection.Definitions(interfaces: interfaces, serverGroups: serverGroups,
                                                      groupPolicies: Set(groupPolicies.keys))
        var protocols: [MailProtocol: ProtocolSettings] = [:]
        for mailProtocol in MailProtocol.allCases {
            guard let key = TopLevelKey(rawValue: mailProtocol.rawValue), let table = try top.table(key) else { continue }
            protocols[mailProtocol] = try ProtocolSection.read(mailProtocol, table: table, at: top.keyPath(key),
                                                               defined: definitions, context: context)
        }

        let admin = try ServiceSections.admin(try top.table(.admin), at: top.keyPath(.admin), context: context)
        let process = try ServiceSections.process(try top.table(.process), at: top.keyPath(.process), context: context)
        let limits = try ServiceSections.limits(try top.table(.limits), at: top.keyPath(.limits), context: context)
        try ServiceSections.portal(try top.table(.portal), at: top.keyPath(.portal), context: context)

        let configuration = PosternConfiguration(
            tls: tls, interfaces: interfaces, serverGroups: serverGroups, groupPolicies: groupPolicies,
            protocols: protocols, admin: admin, process: process, limits: limits, sourcePath: sourcePath)
        try ConfigCrossChecks.check(configuration, context: context)
        return configuration
    }
}
