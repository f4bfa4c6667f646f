import FuzzSupport

/// One input is one datagram from a RADIUS server: checked as it came, and again signed as a
/// server holding the secret would sign it, so that the checks past the authenticators are reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRADIUSInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ReplyCheck.run(fuzzInput(data, size))
    return 0
}

/// `FuzzRADIUS --write-seeds DIR` writes the seed corpus (real replies, signed by the codec's
/// own rules) and exits; anything else goes to libFuzzer.
@_cdecl("FuzzRADIUS_main")
public func fuzzRADIUSMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if argc == 3, let argv, let flag = argv[1], String(cString: flag) == "--write-seeds", let directory = argv[2] {
        return SeedWriter.write(to: String(cString: directory))
    }
    return runLibFuzzer(argc, argv, fuzzRADIUSInput)
}
