import PosternConfig
import PosternIPC
import PosternProtocols

/// The upstream login of whichever protocol a relay request is for, behind one type, so that
/// one NIO handler drives all three.
struct AnyUpstreamLogin: UpstreamLoginDialogue {
    private enum Dialogue: Sendable {
        case imap(IMAPUpstreamLogin)
        case pop3(POP3UpstreamLogin)
        case smtp(SMTPUpstreamLogin)
    }

    private var dialogue: Dialogue

    init(request: RelayRequest, useStartTLS: Bool) {
        let credentials = LoginCredentials(username: request.mailUser, password: request.mailPassword)
        let forward = request.forwardClientAddress
            ? ForwardedClient(address: request.clientAddress, port: request.clientPort, sessionID: request.session.description,
                              login: request.vpnUser)
            : nil
        switch request.proto {
        case .imap4s:
            dialogue = .imap(IMAPUpstreamLogin(credentials: credentials, useStartTLS: useStartTLS, forward: forward))
        case .pop3s:
            dialogue = .pop3(POP3UpstreamLogin(credentials: credentials, useStartTLS: useStartTLS, forward: forward))
        case .smtps:
            dialogue = .smtp(SMTPUpstreamLogin(credentials: request.authenticateUpstream ? credentials : nil,
                                               clientName: request.clientName.isEmpty ? "postern" : request.clientName,
                                               useStartTLS: useStartTLS, forward: forward))
        }
    }

    /// What the client reads once the mail host accepted: IMAP's tagged reply under the
    /// client's own tag (after the untagged lines that came with it), POP3's and SMTP's reply
    /// line as it is.
    static func clientReply(for request: RelayRequest, taggedReplyText: String, untagged: [String]) -> [UInt8] {
        var reply = ""
        for line in untagged { reply += line + "\r\n" }
        switch request.proto {
        case .imap4s: reply += request.clientTag + " " + taggedReplyText + "\r\n"
        case .pop3s, .smtps: reply += taggedReplyText + "\r\n"
        }
        return Array(reply.utf8)
    }

    mutating func receive(_ bytes: some Collection<UInt8>) -> [UpstreamLoginAction] {
        switch dialogue {
        case .imap(var d): defer { dialogue = .imap(d) }; return d.receive(bytes)
        case .pop3(var d): defer { dialogue = .pop3(d) }; return d.receive(bytes)
        case .smtp(var d): defer { dialogue = .smtp(d) }; return d.receive(bytes)
        }
    }

    mutating func tlsEstablished() -> [UpstreamLoginAction] {
        switch dialogue {
        case .imap(var d): defer { dialogue = .imap(d) }; return d.tlsEstablished()
        case .pop3(var d): defer { dialogue = .pop3(d) }; return d.tlsEstablished()
        case .smtp(var d): defer { dialogue = .smtp(d) }; return d.tlsEstablished()
        }
    }

    mutating func takeLeftover() -> [UInt8] {
        switch dialogue {
        case .imap(var d): defer { dialogue = .imap(d) }; return d.takeLeftover()
        case .pop3(var d): defer { dialogue = .pop3(d) }; return d.takeLeftover()
        case .smtp(var d): defer { dialogue = .smtp(d) }; return d.takeLeftover()
        }
    }
}
