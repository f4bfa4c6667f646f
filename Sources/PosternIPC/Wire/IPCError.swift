/// Why a record or a peer was refused. Every one of these drops the peer.
public enum IPCError: Error, Equatable, Sendable, CustomStringConvertible {
    case short
    case trailing(Int)
    case oversized(Int)
    case unknownType(UInt8)
    case malformed(String)
    case versionMismatch(peer: UInt16, ours: UInt16)
    case unexpected(String)
    case descriptorMismatch(String)

    public var description: String {
        switch self {
        case .short: "record shorter than its type requires"
        case .trailing(let n): "\(n) bytes after the end of the record"
        case .oversized(let n): "record of \(n) bytes is over the \(IPCLimits.maxRecord)-byte limit"
        case .unknownType(let t): "unknown record type \(t)"
        case .malformed(let why): "malformed record: \(why)"
        case .versionMismatch(let peer, let ours): "peer speaks IPC version \(peer), we speak \(ours)"
        case .unexpected(let what): "unexpected record: \(what)"
        case .descriptorMismatch(let what): "descriptor mismatch: \(what)"
        }
    }
}

public enum IPCLimits {
    /// SPEC §1: every IPC message is at most 16 KiB.
    public static let maxRecord = 16 * 1024
    /// The version both ends announce first; a mismatch drops the peer.
    public static let version: UInt16 = 1
    /// Room for material chunks inside one record.
    public static let maxChunk = 15 * 1024
}
