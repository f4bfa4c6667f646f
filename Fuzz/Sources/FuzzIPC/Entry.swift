import FuzzSupport

/// One input is one IPC record as a peer role would send it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIPCInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    RoundTrip.check(fuzzInput(data, size))
    return 0
}

/// `FuzzIPC --write-seeds DIR` writes the seed corpus (one encoded sample record a file) and
/// exits; anything else goes to libFuzzer.
@_cdecl("FuzzIPC_main")
public func fuzzIPCMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if argc == 3, let argv, let flag = argv[1], String(cString: flag) == "--write-seeds", let directory = argv[2] {
        return SeedWriter.write(to: String(cString: directory))
    }
    return runLibFuzzer(argc, argv, fuzzIPCInput)
}
