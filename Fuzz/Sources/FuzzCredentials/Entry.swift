import FuzzSupport

/// One input is two separator characters, then (UTF-8, LF-separated) the username, the
/// password and the allowed-servers entries: `:@alice:bob@mail2\nvpnpw:mailpw\nmail2\n`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredentialsInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let input = CredentialInput(fuzzInput(data, size)) {
        SplitInvariants.check(input)
    }
    return 0
}

@_cdecl("FuzzCredentials_main")
public func fuzzCredentialsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzCredentialsInput)
}
