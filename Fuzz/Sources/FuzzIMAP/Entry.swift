import FuzzSupport

/// One input is one connection's bytes, read twice: as what a client sends the listener's
/// pre-authentication dialogue, and as what a mail host sends the relay's upstream login.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAPInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    PreAuthCheck.run(bytes)
    UpstreamLoginCheck.run(bytes)
    return 0
}

@_cdecl("FuzzIMAP_main")
public func fuzzIMAPMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzIMAPInput)
}
