import COpenSSL

/// OpenSSL reads its configuration file and sets up its providers on first use. A role calls
/// this before its seccomp filter refuses file access, so that first use is not a refused open.
public enum TLSLibrary {
    public static func initialize() {
        _ = OPENSSL_init_ssl(UInt64(OPENSSL_INIT_LOAD_CONFIG), nil)
    }
}
