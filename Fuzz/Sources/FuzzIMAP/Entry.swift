import FuzzDialogues
import FuzzSupport
import PosternProtocols

/// One input is one connection's bytes, read twice: as what a mail host sends the relay's
/// upstream login, and as what a client sends the listener's pre-authentication dialogue
/// (which is also handed the refusals the relay made of the same bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAPInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let refusals = UpstreamLoginCheck<IMAPSyntax>.run(bytes, credentials: IMAPSetups.credentials)
    PreAuthCheck<IMAPSyntax>.run(bytes, IMAPSetups.preAuth, mailHostReplies: refusals)
    return 0
}

@_cdecl("FuzzIMAP_main")
public func fuzzIMAPMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzIMAPInput)
}

enum IMAPSetups {
    /// A literal over LITERAL-'s 4096 bytes, besides the common sets.
    static let credentials = UpstreamConfig.commonCredentials
        + [LoginCredentials(username: "carol", password: String(repeating: "ü", count: 2100))]

    /// Default limits, and limits small enough that the fuzzer reaches every one with short inputs.
    static let preAuth: [PreAuthSetup<IMAPSyntax>] = [
        PreAuthSetup("IMAP", maxLineLength: IMAPLimits().maxLineLength, passesMailHostRefusal: false) {
            IMAPPreAuthMachine()
        },
        PreAuthSetup("IMAP (tight limits)", maxLineLength: 40, passesMailHostRefusal: false) {
            IMAPPreAuthMachine(limits: IMAPLimits(maxLineLength: 40, maxLiteralSize: 24, maxFailedAttempts: 2,
                                                  maxInvalidCommands: 3))
        },
    ]
}
