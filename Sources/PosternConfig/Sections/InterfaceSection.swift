import TOMLKit

/// `[[interface]]`: unique names, IP literal addresses.
enum InterfaceSection {
    static func read(_ elements: [(table: TOMLTable, path: ConfigKeyPath)], context: LoadContext)
        throws(ConfigError) -> [InterfaceSettings] {
        var interfaces: [InterfaceSettings] = []
        for (table, path) in elements {
            let reader = try TableReader<InterfaceKey>(table, at: path, context: context)
            let name = try reader.required(try reader.string(.name), .name, expected: "the interface's name")
            guard ConfigName.isValid(name) else {
                throw reader.invalid(.name, expected: "an interface name of \(ConfigName.rule)", got: name)
            }
            if interfaces.contains(where: { $0.name == name }) {
                throw reader.error(.conflict, .name, "interface \(ValueDescription.quoted(name)) is defined twice")
            }
            let listed = try reader.required(try reader.strings(.addresses), .addresses,
                                             expected: "an array of IP addresses")
            if listed.isEmpty {
                throw reader.error(.invalidValue, .addresses, "expected at least one IP address")
            }
            var seen: [IPAddressLiteral] = []
            for (text, elementPath) in listed {
                guard let address = IPAddressLiteral(text) else {
                    throw reader.invalid(at: elementPath,
                                         expected: "an IPv4 or IPv6 address such as \"0.0.0.0\" or \"::\"", got: text)
                }
                if seen.contains(address) {
                    throw context.error(.conflict, at: elementPath,
                                        "address \(ValueDescription.quoted(text)) is listed twice")
                }
                seen.append(address)
            }
            interfaces.append(InterfaceSettings(name: name, addresses: listed.map(\.text),
                                                managementOnly: try reader.bool(.managementOnly) ?? false))
        }
        return interfaces
    }
}
