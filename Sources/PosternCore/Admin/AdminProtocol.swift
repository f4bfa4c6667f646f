/// What `posternctl` and the supervisor say over the admin socket: one JSON request line, one
/// JSON response, then the supervisor closes the connection.
public struct AdminRequest: Codable, Sendable, Equatable {
    public enum Command: String, Codable, Sendable {
        case status
        case sessions
        case kill
        case reload
    }

    public var command: Command
    /// For `kill`: the session id as logged.
    public var session: String?

    public init(command: Command, session: String? = nil) {
        self.command = command
        self.session = session
    }
}

public struct AdminResponse: Codable, Sendable, Equatable {
    public var ok: Bool
    public var error: String?
    public var message: String?
    public var status: StatusReport?
    public var sessions: [SessionSummary]?

    public init(ok: Bool, error: String? = nil, message: String? = nil, status: StatusReport? = nil,
                sessions: [SessionSummary]? = nil) {
        self.ok = ok
        self.error = error
        self.message = message
        self.status = status
        self.sessions = sessions
    }

    public static func failure(_ error: String) -> AdminResponse { AdminResponse(ok: false, error: error) }
}

public struct StatusReport: Codable, Sendable, Equatable {
    public struct Child: Codable, Sendable, Equatable {
        public var role: String
        public var index: Int
        public var pid: Int32?
        public var user: String
        public var uptimeSeconds: Double?
        public var restarts: Int
        /// The sizes of the role's per-session tables (`StateTable` names); nil when the role
        /// did not answer in time.
        public var tables: [String: UInt64]?
        public init(role: String, index: Int, pid: Int32?, user: String, uptimeSeconds: Double?, restarts: Int,
                    tables: [String: UInt64]? = nil) {
            self.role = role; self.index = index; self.pid = pid; self.user = user
            self.uptimeSeconds = uptimeSeconds; self.restarts = restarts; self.tables = tables
        }
    }

    public struct Endpoint: Codable, Sendable, Equatable {
        public var interface: String
        public var proto: String
        public var address: String
        public var port: UInt16
        public init(interface: String, proto: String, address: String, port: UInt16) {
            self.interface = interface; self.proto = proto; self.address = address; self.port = port
        }
    }

    public var version: String
    public var pid: Int32
    public var uptimeSeconds: Double
    public var configFile: String
    public var generation: UInt32
    public var seccomp: String
    public var sessions: Int
    public var children: [Child]
    public var endpoints: [Endpoint]
    /// Channels between two running roles that closed and are about to be paired again: logins
    /// that need them fail as temporary meanwhile.
    public var linksDown: [String]?

    public init(version: String, pid: Int32, uptimeSeconds: Double, configFile: String, generation: UInt32,
                seccomp: String, sessions: Int, children: [Child], endpoints: [Endpoint]) {
        self.version = version; self.pid = pid; self.uptimeSeconds = uptimeSeconds; self.configFile = configFile
        self.generation = generation; self.seccomp = seccomp; self.sessions = sessions; self.children = children
        self.endpoints = endpoints
    }
}

/// One client session as `posternctl sessions` shows it.
public struct SessionSummary: Codable, Sendable, Equatable {
    public var id: String
    public var proto: String
    public var interface: String
    public var client: String
    public var clientPort: UInt16
    public var vpnUser: String
    public var mailUser: String
    public var mailHost: String
    public var groupPolicy: String
    /// The client certificate's subject (RFC 4514); empty when none was asked for or sent.
    public var clientSubject: String
    public var state: String
    public var ageSeconds: Double
    public var bytesIn: UInt64
    public var bytesOut: UInt64

    public init(id: String, proto: String, interface: String, client: String, clientPort: UInt16, vpnUser: String,
                mailUser: String, mailHost: String, groupPolicy: String, clientSubject: String, state: String, ageSeconds: Double,
                bytesIn: UInt64, bytesOut: UInt64) {
        self.id = id; self.proto = proto; self.interface = interface; self.client = client; self.clientPort = clientPort
        self.vpnUser = vpnUser; self.mailUser = mailUser; self.mailHost = mailHost; self.groupPolicy = groupPolicy
        self.clientSubject = clientSubject; self.state = state; self.ageSeconds = ageSeconds; self.bytesIn = bytesIn; self.bytesOut = bytesOut
    }
}
