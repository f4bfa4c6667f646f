/// Decisions a target makes about an input (where to split it, which outcome a login gets),
/// drawn from the input itself so that a crashing file reproduces the run exactly.
public struct FuzzChoices {
    private var state: UInt64

    /// Seeded with FNV-1a of the bytes.
    public init(_ bytes: [UInt8]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        state = hash
    }

    /// splitmix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (bound > 0).
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    public mutating func pick<T>(_ options: [T]) -> T {
        options[below(options.count)]
    }

    /// `bytes` cut at up to `maxCuts` places, in order; empty pieces are dropped.
    public mutating func chunks(of bytes: [UInt8], maxCuts: Int) -> [ArraySlice<UInt8>] {
        let cuts = (0..<maxCuts).map { _ in below(bytes.count + 1) }.sorted()
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut > start {
            pieces.append(bytes[start..<cut])
            start = cut
        }
        return pieces
    }
}
