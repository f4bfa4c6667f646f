import FuzzSupport

/// One input is a mapping source line, then one line per RDN (see `SubjectInput`):
/// `CN OU\nC=DE\nOU=Mail\nCN=Jane Doe\tUID=jdoe\n`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNMappingInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    MappingInvariants.check(SubjectInput(fuzzInput(data, size)))
    return 0
}

@_cdecl("FuzzDNMapping_main")
public func fuzzDNMappingMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzDNMappingInput)
}
