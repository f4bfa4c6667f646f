import FuzzSupport

/// The ways one input is fed to a dialogue. A dialogue must not care how its peer's bytes
/// were cut into reads, so each check compares what the feedings led to.
struct Feedings {
    /// Every byte in one read.
    let whole: [ArraySlice<UInt8>]
    /// Cut at places drawn from the input.
    let cut: [ArraySlice<UInt8>]
    /// One read per line: a peer that waits for each answer. The only feeding that reaches
    /// what follows a STARTTLS reply, since bytes in the same read after it are refused.
    let lines: [ArraySlice<UInt8>]

    init(_ bytes: [UInt8], _ choices: inout FuzzChoices, maxCuts: Int) {
        whole = [bytes[...]]
        cut = choices.chunks(of: bytes, maxCuts: maxCuts)
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            pieces.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { pieces.append(bytes[start...]) }
        lines = pieces
    }

    var all: [[ArraySlice<UInt8>]] { [whole, cut, lines] }
}
