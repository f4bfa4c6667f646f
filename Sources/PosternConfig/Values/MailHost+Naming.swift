extension MailHost {
    /// Whether the server part a user typed names this entry of `allowed-servers`: its host
    /// (case-insensitively, as DNS names compare) or its host:port as written.
    public func matches(name: String) -> Bool {
        let typed = name.lowercased()
        let bare = typed.hasPrefix("[") && typed.hasSuffix("]") ? String(typed.dropFirst().dropLast()) : typed
        return bare == host.lowercased() || typed == description.lowercased()
    }
}
