/// The headers every portal response carries (SPEC §5): nothing cached, nothing framed,
/// nothing loaded but the portal's own stylesheet, HTTPS remembered.
public enum SecurityHeaders {
    public static let all: [(String, String)] = [
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy",
         "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("Strict-Transport-Security", "max-age=31536000"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
}
