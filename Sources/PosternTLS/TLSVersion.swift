import COpenSSL

/// The lowest TLS version a context accepts; the raw values are the configuration's spelling
/// (`min-version = "1.2"`).
public enum TLSVersion: String, Codable, Sendable {
    case v1_2 = "1.2"
    case v1_3 = "1.3"

    var openSSLValue: Int32 {
        switch self {
        case .v1_2: TLS1_2_VERSION
        case .v1_3: TLS1_3_VERSION
        }
    }
}
