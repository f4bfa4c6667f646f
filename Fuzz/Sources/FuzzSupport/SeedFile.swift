#if canImport(Glibc)
import Glibc
#endif

/// Writes one seed of a target's corpus (`TARGET --write-seeds DIR`), saying where it went or
/// why it could not. Returns false on any failure, which the seed writer turns into exit 1.
public enum SeedFile {
    public static func write(_ bytes: [UInt8], named name: String, in directory: String) -> Bool {
        let path = directory + "/" + name
        guard let file = fopen(path, "wb") else {
            print("cannot write \(path)")
            return false
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        guard written == bytes.count else {
            print("short write to \(path)")
            return false
        }
        print("\(path): \(bytes.count) bytes")
        return true
    }
}
