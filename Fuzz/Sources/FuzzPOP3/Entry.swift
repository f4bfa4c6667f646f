import FuzzDialogues
import FuzzSupport
import PosternProtocols

/// One input is one connection's bytes, read twice: as what a mail host sends the relay's
/// upstream login, and as what a client sends the listener's pre-authentication dialogue
/// (which is also handed the refusals the relay made of the same bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPOP3Input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let refusals = UpstreamLoginCheck<POP3Syntax>.run(bytes, credentials: POP3Setups.credentials)
    PreAuthCheck<POP3Syntax>.run(bytes, POP3Setups.preAuth, mailHostReplies: refusals)
    return 0
}

@_cdecl("FuzzPOP3_main")
public func fuzzPOP3Main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzPOP3Input)
}

enum POP3Setups {
    /// An AUTH PLAIN past RFC 2449's 255-octet command line, whose response then goes after the
    /// mail host's "+", besides the common sets. (Within the listener's own SASL limits, which
    /// read it back.)
    static let credentials = UpstreamConfig.commonCredentials
        + [LoginCredentials(username: "carol", password: String(repeating: "ü", count: 150))]

    /// Default limits, and limits small enough that the fuzzer reaches every one with short inputs.
    static let preAuth: [PreAuthSetup<POP3Syntax>] = [
        PreAuthSetup("POP3", maxLineLength: POP3Limits().maxLineLength, passesMailHostRefusal: true) {
            POP3PreAuthMachine()
        },
        PreAuthSetup("POP3 (tight limits)", maxLineLength: 40, passesMailHostRefusal: true) {
            POP3PreAuthMachine(limits: POP3Limits(maxLineLength: 40, maxFailedAttempts: 2, maxInvalidCommands: 3),
                               greetingText: "mail\r\nproxy")
        },
    ]
}
