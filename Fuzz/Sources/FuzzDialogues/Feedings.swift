import FuzzSupport

/// The ways one input is fed to a dialogue. A dialogue must not care how its peer's bytes
/// were cut into reads, so each check compares what the feedings led to.
struct Feedings {
    /// Every byte in one read.
    let whole: [ArraySlice<UInt8>]
    /// Drawn from the input: cut at places drawn from it, or one read per line (a peer that
    /// waits for each answer, the only feeding that reaches what follows a STARTTLS reply,
    /// since bytes in the same read after it are refused). One of the two rather than both
    /// halves the drives per input; across inputs each is compared with `whole` as often.
    let other: [ArraySlice<UInt8>]

    init(_ bytes: [UInt8], _ choices: inout FuzzChoices, maxCuts: Int) {
        whole = [bytes[...]]
        if choices.below(2) == 0 {
            other = choices.chunks(of: bytes, maxCuts: maxCuts)
            return
        }
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            pieces.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { pieces.append(bytes[start...]) }
        other = pieces
    }

    var all: [[ArraySlice<UInt8>]] { [whole, other] }
}
