/// Appends the fields of one IPC record. Strings and byte strings carry a 16-bit length.
struct WireWriter {
    private(set) var bytes: [UInt8] = []
    /// A field was over 64 KiB: the record cannot be built (`IPCCodec.encode` refuses it). A
    /// flag, not a trap, so that no input can stop a role.
    private(set) var overflowed = false

    init(type: UInt8) {
        bytes.reserveCapacity(256)
        bytes.append(type)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }

    mutating func data(_ v: [UInt8]) {
        guard v.count <= Int(UInt16.max) else {
            overflowed = true
            u16(0)
            return
        }
        u16(UInt16(v.count))
        bytes.append(contentsOf: v)
    }

    mutating func string(_ v: String) { data(Array(v.utf8)) }

    /// A list of byte strings (RADIUS Class values), at most 255.
    mutating func dataList(_ v: [[UInt8]]) {
        guard v.count <= Int(UInt8.max) else {
            overflowed = true
            u8(0)
            return
        }
        u8(UInt8(v.count))
        for item in v { data(item) }
    }

    mutating func optionalString(_ v: String?) {
        bool(v != nil)
        if let v { string(v) }
    }
}
