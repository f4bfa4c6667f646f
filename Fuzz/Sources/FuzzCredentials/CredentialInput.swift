/// A fuzz input read as what authd has when it splits: the protocol's two separators, what
/// the user typed, and the protocol's allowed-servers names.
struct CredentialInput {
    /// PosternConfig's `ProtocolSettings.separatorCharacters`: the configuration accepts no others.
    static let separators: [Character] = [
        "!", "#", "$", "%", "&", "*", "+", ",", "/", ":", ";", "=", "?", "@", "^", "|", "~",
    ]

    var nameSeparator: Character
    var serverSeparator: Character
    var username: String
    var password: String
    var allowedServers: [String]

    /// nil when the input is too short to name both separators.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        let nameIndex = Self.separatorIndex(bytes[0])
        var serverIndex = Self.separatorIndex(bytes[1])
        if serverIndex == nameIndex { serverIndex = (serverIndex + 1) % Self.separators.count }
        nameSeparator = Self.separators[nameIndex]
        serverSeparator = Self.separators[serverIndex]
        // Lenient decoding: the listener hands authd valid UTF-8 only, which this always is.
        let lines = bytes[2...].split(separator: 0x0A, maxSplits: 6, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        username = lines.first ?? ""
        password = lines.count > 1 ? lines[1] : ""
        allowedServers = Array(lines.dropFirst(2).prefix(4))
    }

    /// The byte itself when it is a separator (so seed files read naturally), else by position.
    private static func separatorIndex(_ byte: UInt8) -> Int {
        separators.firstIndex(of: Character(Unicode.Scalar(byte))) ?? Int(byte) % separators.count
    }
}
