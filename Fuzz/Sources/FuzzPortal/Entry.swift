import FuzzSupport

/// One input is what a browser can put in a portal request: a form body, then (after a NUL) the
/// Cookie header lines (LF-separated), then (after a NUL) a CSRF token as the form sent it.
/// `username=alice&password=pw&csrf=x\0a=1; __Host-postern-login=abc\0x`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPortalInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    RequestInvariants.check(fuzzInput(data, size))
    return 0
}

@_cdecl("FuzzPortal_main")
public func fuzzPortalMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzPortalInput)
}
