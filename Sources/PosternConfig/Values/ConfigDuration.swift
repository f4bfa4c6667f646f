/// A length of time from the configuration file: `"0"`, `"500ms"`, `"5s"`, `"30m"`, `"2h"`,
/// `"1d"`. Kept as whole milliseconds so it encodes exactly (as a JSON integer).
public struct ConfigDuration: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public static let zero = ConfigDuration(milliseconds: 0)

    public static func seconds(_ seconds: Int64) -> ConfigDuration {
        ConfigDuration(milliseconds: seconds * 1000)
    }

    public static func minutes(_ minutes: Int64) -> ConfigDuration {
        .seconds(minutes * 60)
    }

    public var isZero: Bool { milliseconds == 0 }

    public var duration: Duration { .milliseconds(milliseconds) }

    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// Parses a non-negative whole number followed by one unit (ms, s, m, h, d); a bare
    /// `0` is also accepted. Returns nil for anything else, including overflow.
    public init?(parsing text: String) {
        if text == "0" {
            self = .zero
            return
        }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 18, let count = Int64(digits),
              let unit = Self.units.first(where: { $0.suffix == suffix }) else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: unit.milliseconds)
        guard !overflow else { return nil }
        milliseconds = product
    }

    /// The shortest exact form in the configuration's own syntax, e.g. `30m` or `1500ms`.
    public var description: String {
        if milliseconds == 0 { return "0" }
        for unit in Self.units.reversed() where milliseconds % unit.milliseconds == 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}
