import PosternCore
import TOMLKit

/// `[imap4s]`, `[pop3s]`, `[smtps]`, with the references to interfaces, server groups and
/// group policies resolved.
enum ProtocolSection {
    struct Definitions {
        let interfaces: [InterfaceSettings]
        let serverGroups: [String: ServerGroup]
        let groupPolicies: Set<String>
    }

    static func read(_ mailProtocol: MailProtocol, table: TOMLTable, at path: ConfigKeyPath, defined: Definitions,
                     context: LoadContext) throws(ConfigError) -> ProtocolSettings {
        let reader = try TableReader<ProtocolKey>(table, at: path, context: context)
        let hostForms = "a mail host as \"host\", \"host:port\" or \"[IPv6]:port\""
        let serverText = try reader.required(try reader.string(.server), .server,
                                             expected: "the default mail host, \"host\" or \"host:port\"")
        guard let server = MailHost(parsing: serverText, defaultPort: mailProtocol.defaultUpstreamPort) else {
            throw reader.invalid(.server, expected: hostForms, got: serverText)
        }
        var allowedServers: [MailHost]?
        if let listed = try reader.strings(.allowedServers) {
            var hosts: [MailHost] = []
            for (text, elementPath) in listed {
                guard let host = MailHost(parsing: text, defaultPort: mailProtocol.defaultUpstreamPort) else {
                    throw reader.invalid(at: elementPath, expected: hostForms, got: text)
                }
                hosts.append(host)
            }
            allowedServers = hosts
        }

        let authentication = try authenticationMethods(reader)
        let groupNames = Set(defined.serverGroups.keys)
        let authenticationGroup = try reference(reader, .authenticationServerGroup, in: groupNames,
                                                kind: "aaa-server-group")
        if authentication.contains(.aaa) && authenticationGroup == nil {
            throw reader.missing(.authenticationServerGroup,
                                 expected: "the server group that checks \"aaa\" authentication")
        }
        let authorizationGroup = try reference(reader, .authorizationServerGroup, in: groupNames,
                                               kind: "aaa-server-group")
        let accountingGroup = try reference(reader, .accountingServerGroup, in: groupNames, kind: "aaa-server-group")
        if let accountingGroup, let group = defined.serverGroups[accountingGroup], group.aaaProtocol != .radius {
            throw reader.error(.conflict, .accountingServerGroup, "accounting needs a radius server group; "
                               + "\(ValueDescription.quoted(accountingGroup)) is \(group.aaaProtocol.rawValue)")
        }
        let defaultPolicy = try reference(reader, .defaultGroupPolicy, in: defined.groupPolicies, kind: "group-policy")
        if defaultPolicy == nil && !authentication.contains(.aaa) && authorizationGroup == nil {
            throw reader.missing(.defaultGroupPolicy, expected: "a group policy: without \"aaa\" authentication "
                                 + "or an authorization-server-group no session could get one otherwise")
        }

        let nameSeparator = try separator(reader, .nameSeparator) ?? ProtocolSettings.defaultNameSeparator
        let serverSeparator = try separator(reader, .serverSeparator) ?? ProtocolSettings.defaultServerSeparator
        if nameSeparator == serverSeparator {
            throw reader.error(.conflict, .serverSeparator,
                               "must differ from name-separator (both are \(ValueDescription.quoted(nameSeparator)))")
        }

        var settings = ProtocolSettings(
            mailProtocol: mailProtocol,
            enabledInterfaces: try enabledInterfaces(reader, interfaces: defined.interfaces),
            port: try reader.port(.port),
            server: server,
            allowedServers: allowedServers,
            upstreamTLS: try reader.choice(.upstreamTLS, UpstreamTLS.self) ?? .none,
            upstreamCA: try reader.filePath(.upstreamCA),
            authentication: authentication,
            authenticationServerGroup: authenticationGroup,
            authorizationServerGroup: authorizationGroup,
            authorizationRequired: try reader.bool(.authorizationRequired) ?? false,
            accountingServerGroup: accountingGroup,
            defaultGroupPolicy: defaultPolicy,
            authorizationDNAttributes: try dnAttributes(reader),
            nameSeparator: nameSeparator,
            serverSeparator: serverSeparator,
            outstanding: try reader.integer(.outstanding, in: 0...1_000_000, note: " (0 = no limit)")
                ?? ProtocolSettings.defaultOutstanding,
            outstandingPerAddress: try reader.integer(.outstandingPerAddress, in: 0...1_000_000, note: " (0 = no limit)")
                ?? ProtocolSettings.defaultOutstandingPerAddress,
            preauthMaxTime: try reader.duration(.preauthMaxTime, allowZero: false) ?? ProtocolSettings.defaultPreauthMaxTime,
            forwardClientAddress: try reader.bool(.forwardClientAddress) ?? false,
            advertise: try advertise(reader, mailProtocol))
        settings.serverNames = try serverNames(reader)
        return settings
    }

    /// `server-names`: DNS host names, as SNI carries them (no IP literal, no wildcard).
    private static func serverNames(_ reader: TableReader<ProtocolKey>) throws(ConfigError) -> [String] {
        guard let listed = try reader.strings(.serverNames) else { return [] }
        if listed.isEmpty {
            throw reader.error(.invalidValue, .serverNames, "expected at least one host name (leave the key out to accept any)")
        }
        var names: [String] = []
        for (text, elementPath) in listed {
            let name = text.lowercased()
            guard isHostName(name) else {
                throw reader.invalid(at: elementPath, expected: "a DNS host name such as \"mail.example.org\"", got: text)
            }
            if names.contains(name) {
                throw reader.context.error(.conflict, at: elementPath, "\(ValueDescription.quoted(text)) is listed twice")
            }
            names.append(name)
        }
        return names
    }

    private static func isHostName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return name.utf8.count <= 253 && labels.count >= 1 && !labels.allSatisfy({ $0.allSatisfy(\.isNumber) })
            && labels.allSatisfy { label in
                (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }

    /// `advertise` (SMTPS): EHLO keywords with optional parameters, e.g. "SIZE 52428800".
    private static func advertise(_ reader: TableReader<ProtocolKey>, _ mailProtocol: MailProtocol)
        throws(ConfigError) -> [String] {
        guard let listed = try reader.strings(.advertise) else { return ProtocolSettings.defaultAdvertise }
        guard mailProtocol == .smtps else {
            throw reader.error(.invalidValue, .advertise, "only [smtps] has an EHLO to advertise in")
        }
        var keywords: [String] = []
        for (text, elementPath) in listed {
            let words = text.split(separator: " ", omittingEmptySubsequences: false)
            guard let keyword = words.first, !keyword.isEmpty,
                  keyword.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-") }),
                  words.dropFirst().allSatisfy({ !$0.isEmpty }),
                  text.allSatisfy({ $0.isASCII && $0.asciiValue! >= 0x20 && $0.asciiValue! < 0x7f }) else {
                throw reader.invalid(at: elementPath, expected: "an EHLO keyword in capitals with optional parameters, e.g. \"SIZE 52428800\"", got: text)
            }
            guard !ProtocolSettings.reservedExtensions.contains(String(keyword)) else {
                throw reader.context.error(.invalidValue, at: elementPath,
                                           "\(keyword) is decided by postern itself and cannot be advertised")
            }
            keywords.append(text)
        }
        return keywords
    }

    /// `enable`: interface names, or `["*"]` for every interface not management-only.
    private static func enabledInterfaces(_ reader: TableReader<ProtocolKey>, interfaces: [InterfaceSettings])
        throws(ConfigError) -> [String] {
        guard let listed = try reader.strings(.enable) else { return [] }
        let context = reader.context
        if listed.contains(where: { $0.text == "*" }) {
            guard listed.count == 1 else {
                throw reader.error(.invalidValue, .enable, "expected either [\"*\"] or interface names, not both")
            }
            let names = interfaces.filter { !$0.managementOnly }.map(\.name)
            if names.isEmpty {
                throw reader.error(.undefinedReference, .enable,
                                   "[\"*\"] needs at least one [[interface]] that is not management-only")
            }
            return names
        }
        var names: [String] = []
        for (name, elementPath) in listed {
            guard let interface = interfaces.first(where: { $0.name == name }) else {
                throw context.error(.undefinedReference, at: elementPath,
                                    "no [[interface]] is named \(ValueDescription.quoted(name))"
                                        + ValueDescription.definedNames(Set(interfaces.map(\.name))))
            }
            if interface.managementOnly {
                throw context.error(.conflict, at: elementPath, "interface \(ValueDescription.quoted(name)) is "
                                    + "management-only; e-mail proxies cannot be enabled on it")
            }
            if names.contains(name) {
                throw context.error(.conflict, at: elementPath, "interface \(ValueDescription.quoted(name)) is listed twice")
            }
            names.append(name)
        }
        // Interface order, so listening endpoints do not depend on how enable was written.
        return interfaces.map(\.name).filter(names.contains)
    }

    private static func authenticationMethods(_ reader: TableReader<ProtocolKey>) throws(ConfigError)
        -> [AuthenticationMethod] {
        guard let listed = try reader.strings(.authentication) else { return [.aaa] }
        if listed.isEmpty {
            throw reader.error(.invalidValue, .authentication, "expected at least one of "
                               + ValueDescription.choices(AuthenticationMethod.allCases.map(\.rawValue)))
        }
        var methods: [AuthenticationMethod] = []
        for (text, elementPath) in listed {
            guard let method = AuthenticationMethod(rawValue: text) else {
                throw reader.invalid(at: elementPath, expected: ValueDescription.choices(
                    AuthenticationMethod.allCases.map(\.rawValue)), got: text)
            }
            switch method {
            case .piggyback:
                throw reader.context.error(.unsupported, at: elementPath,
                                           "piggyback needs the HTTPS portal, which this version does not have")
            case .aaa, .mailhost, .certificate:
                break
            }
            if methods.contains(method) {
                throw reader.context.error(.conflict, at: elementPath, "\(ValueDescription.quoted(text)) is listed twice")
            }
            methods.append(method)
        }
        return methods
    }

    /// A name that must be defined elsewhere in the file.
    private static func reference(_ reader: TableReader<ProtocolKey>, _ key: ProtocolKey, in names: Set<String>,
                                  kind: String) throws(ConfigError) -> String? {
        guard let name = try reader.string(key) else { return nil }
        guard names.contains(name) else {
            throw reader.error(.undefinedReference, key, "no [\(kind).\(name)] is defined" + ValueDescription.definedNames(names))
        }
        return name
    }

    private static func separator(_ reader: TableReader<ProtocolKey>, _ key: ProtocolKey) throws(ConfigError) -> String? {
        guard let value = reader.value(key) else { return nil }
        guard let text = value.string, text.count == 1, let character = text.first,
              ProtocolSettings.separatorCharacters.contains(character) else {
            let allowed = ProtocolSettings.separatorCharacters.sorted().map(String.init).joined()
            throw reader.invalid(key, expected: "a single character out of \(allowed)", got: value)
        }
        return text
    }

    /// `["CN", "OU"]`, `["EA", "none"]`, `["UID"]` or `["entire-dn"]`; field names in any case.
    private static func dnAttributes(_ reader: TableReader<ProtocolKey>) throws(ConfigError) -> DNUsernameSource {
        guard let listed = try reader.strings(.authorizationDNAttributes) else { return .default }
        let fieldNames = DNField.allCases.map(\.rawValue).joined(separator: ", ")
        let expectation = "[\"entire-dn\"] or a primary DN field and optionally a secondary one (or \"none\") "
            + "out of \(fieldNames)"
        guard (1...2).contains(listed.count) else {
            throw reader.error(.invalidValue, .authorizationDNAttributes, "expected " + expectation)
        }
        if listed.count == 1 && listed[0].text.lowercased() == "entire-dn" { return .entireDN }
        var fields: [DNField] = []
        for (offset, (text, elementPath)) in listed.enumerated() {
            if offset == 1 && text.lowercased() == "none" { break }
            guard let field = DNField(rawValue: text.uppercased()) else {
                throw reader.invalid(at: elementPath, expected: expectation, got: text)
            }
            fields.append(field)
        }
        return .fields(primary: fields[0], secondary: fields.count > 1 ? fields[1] : nil)
    }
}
