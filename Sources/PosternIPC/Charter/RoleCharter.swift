import PosternCore

/// Everything a role may be and do, in one literal per role (SPEC §1): the user it runs as,
/// the executable that carries it, the capabilities it keeps, its channels, the material the
/// supervisor hands it, its seccomp files, and per peer the records it accepts. The supervisor's
/// wiring, material and privilege drop, every channel's accept check and the roles table of
/// docs/architecture.md are read from here; a new power is one line in one place, in review.
public struct RoleCharter: Sendable {
    public let role: Role
    /// The system user, when the supervisor starts as root.
    public let user: String
    public let executable: String
    /// Kept after start; every other capability leaves every set, bounding set included.
    public let capabilities: [Capability]
    /// The roles it has a channel to besides the supervisor's own (the supervisor: its children).
    public let peers: [Role]
    /// What the supervisor sends it, in this order, before each `commit`.
    public let material: [MaterialKind]
    /// Its seccomp allowlist: these files of `policy/`, joined in order.
    public let seccompFiles: [String]
    /// Per peer, the records it accepts from that peer (hello included). Anything else is
    /// refused by the channel (`ipc-violation`) and never reaches the role's code.
    public let accepts: [Role: Set<RecordKind>]
    /// For the docs: the descriptors it holds, and what it may not do.
    public let holds: String
    public let mayNot: String

    public func accepts(_ kind: RecordKind, from peer: Role) -> Bool {
        accepts[peer]?.contains(kind) ?? false
    }

    /// What the role's code must handle from `peer`: what it accepts, but the hello (the
    /// channel's own).
    public func handled(from peer: Role) -> Set<RecordKind> {
        (accepts[peer] ?? []).subtracting([.hello])
    }
}

/// The capabilities a role may keep, by libcap's names.
public enum Capability: String, Sendable, CaseIterable {
    case netBindService = "cap_net_bind_service"
    case setuid = "cap_setuid"
    case setgid = "cap_setgid"
    case setpcap = "cap_setpcap"
}

extension RoleCharter {
    public static func of(_ role: Role) -> RoleCharter {
        switch role {
        case .supervisor: supervisor
        case .listener: listener
        case .authd: authd
        case .relay: relay
        }
    }

    public static let all: [RoleCharter] = [supervisor, listener, authd, relay]

    /// Binds, starts, connects and restarts the others; reads no byte from a client or a mail host.
    public static let supervisor = RoleCharter(
        role: .supervisor, user: "root", executable: "postern",
        // Binding ports below 1024 again on reload, starting children as other users and
        // emptying their bounding sets. It never signals them: they stop on `shutdown`.
        capabilities: [.netBindService, .setuid, .setgid, .setpcap],
        peers: [.listener, .authd, .relay],
        material: [],
        seccompFiles: ["runtime", "supervisor"],
        accepts: [
            .listener: [.hello, .channelLost, .tableReport, .adminReply],
            .authd: [.hello, .channelLost, .tableReport],
            .relay: [.hello, .channelLost, .tableReport],
        ],
        holds: "the bound listening sockets; one `SOCK_SEQPACKET` socketpair to each child",
        mayNot: "read a byte from a client or a mail host")

    /// Terminates TLS, runs the pre-authentication dialogues, joins clients to relays.
    public static let listener = RoleCharter(
        role: .listener, user: "postern", executable: "postern",
        capabilities: [],
        peers: [.authd, .relay],
        material: [.configuration, .tlsIdentity],
        seccompFiles: ["runtime", "listener"],
        accepts: [
            .supervisor: [.hello, .material, .listenSocket, .peerChannel, .commit, .tableQuery, .adminQuery, .shutdown],
            .authd: [.hello, .authReply],
            .relay: [.hello, .relayResult],
        ],
        holds: "listening sockets, client sockets, its ends of the plaintext socketpairs",
        mayNot: "open outbound connections, read AAA secrets, open files, sign or check a grant")

    /// Decides logins (AAA), holds the login slots, accounts for sessions.
    public static let authd = RoleCharter(
        role: .authd, user: "postern-auth", executable: "postern-authd",
        capabilities: [],
        peers: [.listener],
        material: [.configuration, .secret, .grantKey],
        seccompFiles: ["runtime", "authd"],
        accepts: [
            .supervisor: [.hello, .material, .peerChannel, .commit, .tableQuery, .shutdown],
            .listener: [.hello, .authRequest, .sessionEstablished, .sessionEnded, .grantReleased, .sessionResync],
        ],
        holds: "the users file while reading it; sockets to AAA servers",
        mayNot: "accept connections, hold the TLS key, see a client socket")

    /// Logs in to the mail hosts for granted sessions and moves their bytes.
    public static let relay = RoleCharter(
        role: .relay, user: "postern-relay", executable: "postern-relay",
        capabilities: [],
        peers: [.listener],
        material: [.configuration, .upstreamTrust, .grantKey],
        seccompFiles: ["runtime", "relay"],
        accepts: [
            .supervisor: [.hello, .material, .peerChannel, .commit, .tableQuery, .shutdown],
            .listener: [.hello, .relayRequest],
        ],
        holds: "socketpair ends from the listener, mail-host sockets, pipes while data moves",
        mayNot: "hold the TLS key or an AAA secret, accept connections, log in without a grant authd signed")
}
