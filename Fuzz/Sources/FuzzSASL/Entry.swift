import FuzzSupport

/// One input is read as base64, as a SASL PLAIN message (raw, and base64-decoded when it is
/// valid base64) and as LF-separated SASL LOGIN responses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSASLInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    var choices = FuzzChoices(bytes)
    let decoded = StrictBase64Check.run(bytes)
    let plainLimit = choices.pick([2048, 24])
    SASLPlainCheck.run(bytes, maxLength: plainLimit)
    if let decoded { SASLPlainCheck.run(decoded, maxLength: plainLimit) }
    SASLLoginCheck.run(bytes, maxLength: choices.pick([1024, 12]))
    return 0
}

@_cdecl("FuzzSASL_main")
public func fuzzSASLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzSASLInput)
}
