extension PosternConfiguration {
    /// What a valid file may ask for that this version cannot do yet; `check-config` and the
    /// supervisor refuse it rather than serve something else on that port.
    public func unavailableFeatures() -> [String] {
        var missing: [String] = []
        for (proto, settings) in protocols where settings.isEnabled && proto != .imap4s {
            missing.append("\(proto.rawValue).enable: \(proto.rawValue) is not available in this version; only imap4s can be enabled")
        }
        return missing.sorted()
    }
}
