import Foundation

/// The one spelling of a VPN username that authd counts by (SPEC §4): compatibility-composed
/// (NFKC), case-folded, trimmed. `Alice`, ` alice` and `ａｌｉｃｅ` are one account to LDAP and
/// to most RADIUS servers, so they are one key for the failed-login penalty and for
/// simultaneous logins; the log keeps what was typed.
public enum CanonicalUsername {
    public static func of(_ typed: String) -> String {
        // NFKC_Casefold in effect: fold, then compose again (folding can undo a composition).
        typed.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .precomposedStringWithCompatibilityMapping
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
