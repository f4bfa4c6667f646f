import FuzzSupport
import PosternIPC

/// A record the codec accepts has one reading: encoding what it decoded gives back the same
/// bytes, and those decode to the same message.
enum RoundTrip {
    static func check(_ bytes: [UInt8]) {
        guard let message = try? IPCCodec.decode(bytes) else { return }
        let encoded: [UInt8]
        do {
            encoded = try IPCCodec.encode(message)
        } catch {
            fatalError("IPC: a decoded \(message.name) does not encode: \(error)")
        }
        require(encoded == bytes, "IPC: \(message.name) re-encodes to different bytes")
        guard let again = try? IPCCodec.decode(encoded) else {
            fatalError("IPC: a re-encoded \(message.name) does not decode")
        }
        require(again == message, "IPC: \(message.name) changes in the round trip")
    }
}
