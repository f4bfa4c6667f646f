import FuzzDialogues
import FuzzSupport
import PosternProtocols

/// One input is one connection's bytes, read twice: as what a mail host sends the relay's
/// upstream login, and as what a client sends the listener's pre-authentication dialogue
/// (which is also handed the refusals the relay made of the same bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let refusals = UpstreamLoginCheck<SMTPSyntax>.run(bytes, credentials: SMTPSetups.credentials)
    PreAuthCheck<SMTPSyntax>.run(bytes, SMTPSetups.preAuth, mailHostReplies: refusals)
    return 0
}

@_cdecl("FuzzSMTP_main")
public func fuzzSMTPMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzSMTPInput)
}

enum SMTPSetups {
    /// A long AUTH PLAIN line and AUTH LOGIN response, besides the common sets. (Within the
    /// listener's own SASL limits, which read it back.)
    static let credentials = UpstreamConfig.commonCredentials
        + [LoginCredentials(username: "carol", password: String(repeating: "ü", count: 150))]

    static let tightLimits = SMTPLimits(maxLineLength: 40, maxFailedAttempts: 2, maxInvalidCommands: 3)
    /// Extensions postern must drop (AUTH and STARTTLS are its own to announce) or repair.
    static let oddExtensions = ["SIZE 52428800", "STARTTLS", "auth=login", "AUTH CRAM-MD5", "", "8BITMIME\r\nAUTH X"]

    /// With AUTH and without it (piggyback alone: EHLO or HELO hands the session over), each
    /// with default limits and with limits small enough that short inputs reach them.
    static let preAuth: [PreAuthSetup<SMTPSyntax>] = [
        PreAuthSetup("SMTP", maxLineLength: SMTPLimits().maxLineLength, passesMailHostRefusal: true) {
            SMTPPreAuthMachine()
        },
        PreAuthSetup("SMTP (tight limits)", maxLineLength: 40, passesMailHostRefusal: true) {
            SMTPPreAuthMachine(limits: tightLimits, hostname: "bad host\r\n", extensions: oddExtensions)
        },
        PreAuthSetup("SMTP without AUTH", maxLineLength: SMTPLimits().maxLineLength, handsOver: true,
                     passesMailHostRefusal: false) {
            SMTPPreAuthMachine(authenticationRequired: false)
        },
        PreAuthSetup("SMTP without AUTH (tight limits)", maxLineLength: 40, handsOver: true,
                     passesMailHostRefusal: false) {
            SMTPPreAuthMachine(limits: tightLimits, extensions: oddExtensions, authenticationRequired: false)
        },
    ]
}
