/// What a mail host's EHLO reply offers (RFC 5321 section 4.1.1.1): one keyword a line after
/// the first, with parameters. Keywords and parameters are kept upper-cased (ASCII), so
/// "auth plain" and "AUTH PLAIN" read the same.
struct SMTPExtensions: Sendable, Equatable {
    private var keywords: [String: [String]] = [:]

    /// None: what a HELO reply offers.
    init() {}

    init(ehloReply: SMTPReply) {
        for text in ehloReply.texts.dropFirst() {
            let words = text.utf8.split(separator: ASCII.space).map(ASCII.uppercasedString)
            guard let keyword = words.first else { continue }
            keywords[keyword, default: []].append(contentsOf: words.dropFirst())
        }
    }

    func contains(_ keyword: String) -> Bool {
        keywords[keyword] != nil
    }

    func parameters(_ keyword: String) -> [String]? {
        keywords[keyword]
    }

    /// The SASL mechanisms offered, including the pre-standard `AUTH=PLAIN LOGIN` form that
    /// some servers still add for old clients.
    var authMechanisms: Set<String> {
        var mechanisms = Set(keywords["AUTH"] ?? [])
        for (keyword, parameters) in keywords where keyword.hasPrefix("AUTH=") {
            mechanisms.insert(String(keyword.dropFirst("AUTH=".count)))
            mechanisms.formUnion(parameters)
        }
        return mechanisms
    }
}
