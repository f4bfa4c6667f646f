import PosternConfig
import PosternCore

/// Every message the roles exchange (SPEC §1). One definition each; the codec in
/// `IPCCodec.swift` is the only place that knows their wire form.
public enum IPCMessage: Equatable, Sendable {
    /// First record on every channel, both ways.
    case hello(Hello)
    /// Configuration, TLS identity and upstream trust roots, in chunks (supervisor → child).
    case material(MaterialChunk)
    /// A bound listening socket, with the descriptor (supervisor → listener).
    case listenSocket(ListenSocket)
    /// One end of a channel to another role, with the descriptor (supervisor → child).
    case peerChannel(PeerChannel)
    /// Everything of a generation has been sent; start or switch over (supervisor → child).
    case commit(generation: UInt32)
    /// postern is stopping: finish what must be said (accounting) and exit (supervisor → authd).
    case shutdown
    /// child → supervisor: my channel to this peer closed while I live; pair us again.
    case channelLost(PeerChannel)
    /// listener → authd
    case authRequest(AuthRequest)
    /// authd → listener
    case authReply(AuthReply)
    /// listener → authd: the mail host accepted the login (authd sends Accounting-Start).
    case sessionEstablished(SessionEstablished)
    /// listener → authd: a session authd knows ended (authd sends Stop for an accounted one).
    case sessionEnded(SessionEnded)
    /// listener → authd: a grant the listener could not use; its login slot is free again.
    case grantReleased(GrantReleased)
    /// listener → a newly paired authd: a session that is established already (counted, no Start).
    case sessionResync(SessionResync)
    /// listener → relay, with the listener's end of the plaintext socketpair.
    case relayRequest(RelayRequest)
    /// relay → listener
    case relayResult(RelayResult)
    /// supervisor → listener: for the admin socket.
    case adminQuery(AdminQuery)
    /// listener → supervisor, in as many records as the sessions need.
    case adminReply(AdminReply)
    /// supervisor → any child: report the sizes of your per-session tables.
    case tableQuery(request: UInt32)
    /// child → supervisor: the answer to `tableQuery`.
    case tableReport(TableReport)

    /// The session a record is about, for the log.
    public var session: SessionID? {
        switch self {
        case .authRequest(let m): m.session
        case .authReply(let m): m.session
        case .sessionEstablished(let m): m.session
        case .sessionEnded(let m): m.session
        case .grantReleased(let m): m.session
        case .sessionResync(let m): m.claims.session
        case .relayRequest(let m): m.session
        case .relayResult(let m): m.session
        default: nil
        }
    }

    public var name: String { kind.name }
}

public struct Hello: Equatable, Sendable {
    public var version: UInt16
    public var role: Role
    public var pid: Int32
    public init(version: UInt16 = IPCLimits.version, role: Role, pid: Int32) {
        self.version = version; self.role = role; self.pid = pid
    }
}

public enum MaterialKind: UInt8, Sendable {
    /// The parsed configuration as JSON.
    case configuration = 1
    /// PEM certificate chain followed by the PEM private key (listener only).
    case tlsIdentity = 2
    /// PEM trust roots for one protocol's upstream TLS (relay only); `name` is the protocol.
    case upstreamTrust = 3
    /// The contents of one `*-file` secret (authd only); `name` is the file's path.
    case secret = 4
    /// The key of grant tokens (authd and relays only).
    case grantKey = 5
}

public struct MaterialChunk: Equatable, Sendable {
    public var generation: UInt32
    public var kind: MaterialKind
    public var name: String
    public var last: Bool
    public var bytes: [UInt8]
    public init(generation: UInt32, kind: MaterialKind, name: String, last: Bool, bytes: [UInt8]) {
        self.generation = generation; self.kind = kind; self.name = name; self.last = last; self.bytes = bytes
    }
}

public struct ListenSocket: Equatable, Sendable {
    public var generation: UInt32
    public var interface: String
    public var proto: MailProtocol
    public var address: String
    public var port: UInt16
    public init(generation: UInt32, interface: String, proto: MailProtocol, address: String, port: UInt16) {
        self.generation = generation; self.interface = interface; self.proto = proto; self.address = address; self.port = port
    }
}

public struct PeerChannel: Equatable, Sendable {
    public var role: Role
    public var index: UInt16
    /// The peer's process (from the supervisor; 0 in `channel-lost`): a channel to the same
    /// process again is a repaired link, to another one a restarted peer.
    public var pid: Int32
    public init(role: Role, index: UInt16, pid: Int32 = 0) { self.role = role; self.index = index; self.pid = pid }
}

public struct AuthRequest: Equatable, Sendable {
    public var session: SessionID
    public var attempt: UInt16
    public var proto: MailProtocol
    public var interface: String
    public var clientAddress: String
    public var clientPort: UInt16
    public var username: String
    public var password: String
    /// Present when the protocol lists `certificate`.
    public var certificate: CertificateClaim?
    public init(session: SessionID, attempt: UInt16, proto: MailProtocol, interface: String, clientAddress: String,
                clientPort: UInt16, username: String, password: String, certificate: CertificateClaim?) {
        self.session = session; self.attempt = attempt; self.proto = proto; self.interface = interface
        self.clientAddress = clientAddress; self.clientPort = clientPort; self.username = username
        self.password = password; self.certificate = certificate
    }
}

public struct Grant: Equatable, Sendable {
    public var vpnUser: String
    public var mailUser: String
    public var mailPassword: String
    public var mailHost: String
    public var mailPort: UInt16
    public var groupPolicy: String
    /// Milliseconds; 0 = none.
    public var idleTimeout: UInt64
    public var maxSessionTime: UInt64
    /// Log in to the mail host with the mail credentials (always for IMAP and POP3; for SMTP
    /// only with the `mailhost` method, else the mail host trusts postern). authd decides.
    public var authenticateUpstream: Bool
    /// The RADIUS Class values of the Access-Accept, echoed in accounting (RFC 2865 §5.25).
    public var classes: [[UInt8]]
    /// authd's signature over the grant's claims (`GrantToken`).
    public var token: [UInt8]
    public init(vpnUser: String, mailUser: String, mailPassword: String, mailHost: String, mailPort: UInt16,
                groupPolicy: String, idleTimeout: UInt64, maxSessionTime: UInt64, authenticateUpstream: Bool = true,
                classes: [[UInt8]] = [], token: [UInt8] = []) {
        self.vpnUser = vpnUser; self.mailUser = mailUser; self.mailPassword = mailPassword; self.mailHost = mailHost
        self.mailPort = mailPort; self.groupPolicy = groupPolicy; self.idleTimeout = idleTimeout
        self.maxSessionTime = maxSessionTime; self.authenticateUpstream = authenticateUpstream
        self.classes = classes; self.token = token
    }

    public func claims(session: SessionID, proto: MailProtocol) -> GrantClaims {
        GrantClaims(session: session, proto: proto, vpnUser: vpnUser, mailUser: mailUser, mailHost: mailHost,
                    mailPort: mailPort, authenticateUpstream: authenticateUpstream)
    }
}

public enum Denial: UInt8, Equatable, Sendable {
    /// Wrong credentials, unknown user, refused policy: the client sees a generic failure.
    case refused = 1
    /// AAA unreachable or overloaded: the client is told to try again later.
    case temporary = 2
    /// The session may not try again (attempt cap, permit violation).
    case final = 3
}

public enum AuthDecision: Equatable, Sendable {
    case allow(Grant)
    case deny(Denial)
}

public struct AuthReply: Equatable, Sendable {
    public var session: SessionID
    public var attempt: UInt16
    public var decision: AuthDecision
    public init(session: SessionID, attempt: UInt16, decision: AuthDecision) {
        self.session = session; self.attempt = attempt; self.decision = decision
    }
}

public struct SessionEstablished: Equatable, Sendable {
    public var session: SessionID
    public var vpnUser: String
    public var proto: MailProtocol
    /// The grant's token: authd counts no session it did not grant.
    public var token: [UInt8]
    public init(session: SessionID, vpnUser: String, proto: MailProtocol, token: [UInt8]) {
        self.session = session; self.vpnUser = vpnUser; self.proto = proto; self.token = token
    }
}

/// The end of a session authd knows; Acct-Session-Time is authd's own count from the login.
public struct SessionEnded: Equatable, Sendable {
    public var session: SessionID
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var reason: SessionCloseReason
    public init(session: SessionID, bytesIn: UInt64, bytesOut: UInt64, reason: SessionCloseReason) {
        self.session = session; self.bytesIn = bytesIn; self.bytesOut = bytesOut; self.reason = reason
    }
}

public struct GrantReleased: Equatable, Sendable {
    public var session: SessionID
    public var reason: GrantReleaseReason
    public init(session: SessionID, reason: GrantReleaseReason) {
        self.session = session; self.reason = reason
    }
}

/// An established session, told to an authd that does not know it (it restarted, or the channel
/// was paired again): authd counts its login slot and will send its Stop, but sends no Start (the
/// authd before it did).
public struct SessionResync: Equatable, Sendable {
    public var claims: GrantClaims
    public var clientAddress: String
    /// How long ago the mail host accepted the login, for Acct-Session-Time.
    public var authenticatedMilliseconds: UInt64
    public var classes: [[UInt8]]
    public var token: [UInt8]
    public init(claims: GrantClaims, clientAddress: String, authenticatedMilliseconds: UInt64, classes: [[UInt8]],
                token: [UInt8]) {
        self.claims = claims; self.clientAddress = clientAddress
        self.authenticatedMilliseconds = authenticatedMilliseconds; self.classes = classes; self.token = token
    }
}

public struct RelayRequest: Equatable, Sendable {
    public var session: SessionID
    public var proto: MailProtocol
    public var vpnUser: String
    public var mailHost: String
    public var mailPort: UInt16
    public var mailUser: String
    public var mailPassword: String
    /// The tag of the client's login command (IMAP), so the mail host's reply goes back under it.
    public var clientTag: String
    public var clientAddress: String
    public var clientPort: UInt16
    /// SMTP: the client's EHLO/HELO name, repeated upstream; empty otherwise.
    public var clientName: String
    /// Log in to the mail host with the mail credentials (always for IMAP and POP3; for SMTP
    /// only with the `mailhost` method, else the mail host trusts postern).
    public var authenticateUpstream: Bool
    /// `forward-client-address`: tell the mail host who the client is.
    public var forwardClientAddress: Bool
    /// authd's token over the grant: the relay refuses a request it does not verify.
    public var token: [UInt8]
    public init(session: SessionID, proto: MailProtocol, vpnUser: String = "", mailHost: String, mailPort: UInt16,
                mailUser: String, mailPassword: String, clientTag: String, clientAddress: String, clientPort: UInt16,
                clientName: String = "", authenticateUpstream: Bool = true, forwardClientAddress: Bool = false,
                token: [UInt8] = []) {
        self.session = session; self.proto = proto; self.vpnUser = vpnUser; self.token = token
        self.mailHost = mailHost; self.mailPort = mailPort
        self.mailUser = mailUser; self.mailPassword = mailPassword; self.clientTag = clientTag
        self.clientAddress = clientAddress; self.clientPort = clientPort; self.clientName = clientName
        self.authenticateUpstream = authenticateUpstream; self.forwardClientAddress = forwardClientAddress
    }

    public var claims: GrantClaims {
        GrantClaims(session: session, proto: proto, vpnUser: vpnUser, mailUser: mailUser, mailHost: mailHost,
                    mailPort: mailPort, authenticateUpstream: authenticateUpstream)
    }
}

public struct RelayResult: Equatable, Sendable {
    public var session: SessionID
    public var success: Bool
    public var temporary: Bool
    /// For the listener's log: the mail host's refusal or the connection problem. Never a password.
    public var reason: String
    /// The mail host's own refusal, safe to show the client, for protocols that pass it on
    /// (POP3, SMTP); empty when there is none.
    public var mailHostReply: String
    public init(session: SessionID, success: Bool, temporary: Bool, reason: String, mailHostReply: String = "") {
        self.session = session; self.success = success; self.temporary = temporary; self.reason = reason
        self.mailHostReply = mailHostReply
    }
}

extension RelayResult {
    /// The outcome of `result` without the mail host's words and with 512 bytes of the reason:
    /// what a relay sends when the whole result would not fit a record.
    public static func shortened(_ result: RelayResult) -> RelayResult {
        RelayResult(session: result.session, success: result.success, temporary: result.temporary,
                    reason: String(decoding: result.reason.utf8.prefix(512), as: UTF8.self))
    }
}

public struct AdminQuery: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case sessions
        case kill(SessionID)
    }

    public var request: UInt32
    public var kind: Kind
    public init(request: UInt32, kind: Kind) {
        self.request = request; self.kind = kind
    }
}

public struct AdminReply: Equatable, Sendable {
    public var request: UInt32
    /// The last record of this reply.
    public var last: Bool
    /// For `kill`: whether such a session existed (and is now closing).
    public var found: Bool
    public var sessions: [SessionSummary]
    public init(request: UInt32, last: Bool, found: Bool, sessions: [SessionSummary]) {
        self.request = request; self.last = last; self.found = found; self.sessions = sessions
    }
}

public struct TableReport: Equatable, Sendable {
    public var request: UInt32
    public var tables: StateTableCounts
    public init(request: UInt32, tables: StateTableCounts) {
        self.request = request; self.tables = tables
    }
}
