#if canImport(Glibc)
import Glibc
#endif

/// Messages for the person at the terminal (usage and configuration errors), on standard error.
public enum Console {
    public static func error(_ message: String) {
        let bytes = Array((message.hasSuffix("\n") ? message : message + "\n").utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

extension String {
    /// A C string held in a buffer, up to its first NUL.
    public init(nulTerminated buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The text of an errno value.
    public static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
