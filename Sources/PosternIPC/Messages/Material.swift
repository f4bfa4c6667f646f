/// Material (configuration, TLS identity, trust roots) travels in chunks of the IPC size limit.
public enum Material {
    /// The most one piece of material may add up to; more is a broken or hostile sender.
    public static let maxTotal = 8 * 1024 * 1024

    public static func chunks(_ bytes: [UInt8], generation: UInt32, kind: MaterialKind, name: String) -> [IPCMessage] {
        var messages: [IPCMessage] = []
        var offset = 0
        // A long name (a secret file's path) leaves less room for bytes in each record.
        let room = max(1024, min(IPCLimits.maxChunk, IPCLimits.maxRecord - 64 - name.utf8.count))
        repeat {
            let end = min(offset + room, bytes.count)
            messages.append(.material(MaterialChunk(generation: generation, kind: kind, name: name,
                                                    last: end == bytes.count, bytes: Array(bytes[offset..<end]))))
            offset = end
        } while offset < bytes.count
        return messages
    }
}

/// Puts chunks back together; a piece is complete when its last chunk arrives.
public struct MaterialAssembler: Sendable {
    public struct Key: Hashable, Sendable {
        public var generation: UInt32
        public var kind: MaterialKind
        public var name: String
    }

    private var partial: [Key: [UInt8]] = [:]
    public private(set) var complete: [Key: [UInt8]] = [:]

    public init() {}

    /// Returns the key when this chunk completed a piece.
    public mutating func add(_ chunk: MaterialChunk) throws(IPCError) -> Key? {
        let key = Key(generation: chunk.generation, kind: chunk.kind, name: chunk.name)
        var bytes = partial.removeValue(forKey: key) ?? []
        guard bytes.count + chunk.bytes.count <= Material.maxTotal else {
            throw .malformed("material \(chunk.kind) over \(Material.maxTotal) bytes")
        }
        bytes += chunk.bytes
        if chunk.last {
            complete[key] = bytes
            return key
        }
        partial[key] = bytes
        return nil
    }

    public func piece(generation: UInt32, kind: MaterialKind, name: String = "") -> [UInt8]? {
        complete[Key(generation: generation, kind: kind, name: name)]
    }

    public func pieces(generation: UInt32, kind: MaterialKind) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in complete where key.generation == generation && key.kind == kind { result[key.name] = value }
        return result
    }

    /// Forgets every generation older than `generation`.
    public mutating func discard(before generation: UInt32) {
        partial = partial.filter { $0.key.generation >= generation }
        complete = complete.filter { $0.key.generation >= generation }
    }
}
