/// Reads the fields of one IPC record. Short data is an error; so is anything left over
/// (`finish`), as in OpenSMTPD's `m_end`: a peer that sends more than the type holds is broken.
struct WireReader {
    private let bytes: [UInt8]
    private var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    private mutating func take(_ n: Int) throws(IPCError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else { throw .short }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8() throws(IPCError) -> UInt8 { try take(1).first! }

    mutating func bool() throws(IPCError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw .malformed("boolean out of range")
        }
    }

    mutating func u16() throws(IPCError) -> UInt16 {
        try take(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32() throws(IPCError) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(IPCError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func i32() throws(IPCError) -> Int32 { Int32(bitPattern: try u32()) }

    mutating func data() throws(IPCError) -> [UInt8] {
        let n = Int(try u16())
        return Array(try take(n))
    }

    mutating func string() throws(IPCError) -> String {
        let raw = try data()
        guard let s = String(validating: raw, as: UTF8.self) else { throw .malformed("string is not UTF-8") }
        return s
    }

    mutating func dataList() throws(IPCError) -> [[UInt8]] {
        var list: [[UInt8]] = []
        for _ in 0..<Int(try u8()) { list.append(try data()) }
        return list
    }

    mutating func optionalString() throws(IPCError) -> String? {
        try bool() ? try string() : nil
    }

    func finish() throws(IPCError) {
        guard offset == bytes.count else { throw .trailing(bytes.count - offset) }
    }
}
