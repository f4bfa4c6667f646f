/// `[admin]`: the control socket `posternctl` talks to.
public struct AdminSettings: Codable, Sendable, Equatable {
    public var socket: String
    /// Members may use posternctl; nil: root only.
    public var group: String?

    public init(socket: String = AdminSettings.defaultSocket, group: String? = nil) {
        self.socket = socket
        self.group = group
    }

    public static let defaultSocket = "/run/postern/admin.sock"
}
