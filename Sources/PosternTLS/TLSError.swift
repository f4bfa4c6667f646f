import COpenSSL

/// Everything that can go wrong in PosternTLS. Reasons are OpenSSL's own error strings; none of
/// them carries key material or application data.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The certificate chain, private key or trust roots could not be loaded or do not fit.
    case certificateLoad(String)
    /// OpenSSL refused a setting (cipher list, protocol version) or a resource.
    case invalidConfiguration(String)
    /// The name the client should verify cannot be used (empty, or refused for SNI).
    case invalidServerName(String)
    /// The handshake failed; OpenSSL's error queue, oldest first.
    case handshakeFailed(reasons: [String])
    /// The client refused the server's certificate (chain or name); a handshake failure.
    case certificateRejected(reason: String)
    /// The peer did not finish the handshake in time.
    case handshakeTimeout
    /// Decrypting the peer's records failed (bad record, unexpected message, fatal alert).
    case readFailed(reasons: [String])
    /// Encrypting our data failed.
    case writeFailed(reasons: [String])
    /// The connection closed without the peer's close_notify.
    case unexpectedEOF

    public var description: String {
        switch self {
        case .certificateLoad(let why): "TLS certificate or key not usable: \(why)"
        case .invalidConfiguration(let why): "TLS configuration refused: \(why)"
        case .invalidServerName(let name): "TLS server name not usable: \(name)"
        case .handshakeFailed(let reasons): "TLS handshake failed: \(Self.join(reasons))"
        case .certificateRejected(let reason): "TLS handshake failed: peer certificate rejected: \(reason)"
        case .handshakeTimeout: "TLS handshake timed out"
        case .readFailed(let reasons): "TLS read failed: \(Self.join(reasons))"
        case .writeFailed(let reasons): "TLS write failed: \(Self.join(reasons))"
        case .unexpectedEOF: "TLS connection closed without close_notify"
        }
    }

    private static func join(_ reasons: [String]) -> String {
        reasons.isEmpty ? "no reason given by OpenSSL" : reasons.joined(separator: "; ")
    }
}

/// OpenSSL's per-thread error queue. It is cleared before each SSL call so that what is drained
/// afterwards belongs to that call alone.
enum OpenSSLErrorQueue {
    static func clear() {
        ERR_clear_error()
    }

    /// Empties the queue into readable strings, oldest first.
    static func drain() -> [String] {
        var reasons: [String] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            var reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 {
                reason += " (\(String(cString: data)))"
            }
            reasons.append(reason)
        }
        return reasons
    }
}
