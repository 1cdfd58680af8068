import Foundation
import SalmonAudit
import SalmonStatistics

/// How every report prints numbers, so that a value reads the same in Markdown, SVG and JUnit.
///
/// Absent values (nil, NaN) print as `—`, never as `nan`. Formatting goes through C's `printf`
/// conversions with the POSIX locale, so the same value gives the same bytes on every machine.
public enum ReportNumberFormat {
    /// What an absent value prints as.
    public static let absent = "—"

    /// `value` with a fixed number of decimals (`0.974`), `—` when it is NaN, `∞`/`-∞` when infinite.
    ///
    /// Negative zero and values that round to zero print without a sign (`0.000`, not `-0.000`).
    /// - Parameters:
    ///   - value: the number, or nil when absent.
    ///   - decimals: digits after the decimal point (0–17).
    public static func fixed(_ value: Double?, decimals: Int = 3) -> String {
        guard let value, !value.isNaN else { return absent }
        guard value.isFinite else { return value > 0 ? "∞" : "-∞" }
        let digits = min(max(decimals, 0), 17)
        let text = String(format: "%.\(digits)f", value)
        return dropNegativeZeroSign(text)
    }

    /// `value` with 3 decimals and an explicit `+` when positive: a signed difference (`+0.452`).
    public static func signed(_ value: Double?, decimals: Int = 3) -> String {
        let text = fixed(value, decimals: decimals)
        guard let value, value.isFinite, text.contains(where: { "123456789".contains($0) }), value > 0 else { return text }
        return "+" + text
    }

    /// A p-value with 3 significant digits and no trailing zeros: `0.000999`, `0.0123`, `0.05`, `1`.
    ///
    /// Values from 10⁻⁶ up print in positional notation; smaller ones in scientific notation
    /// (`9.99e-08`), which a Monte Carlo p-value only reaches with more than a million null draws.
    public static func pValue(_ value: Double?) -> String {
        guard let value, !value.isNaN else { return absent }
        guard value.isFinite else { return value > 0 ? "∞" : "-∞" }
        if value == 0 { return "0" }
        // Round to 3 significant digits first, then read the exponent of the rounded value, so that
        // 0.00099996 becomes 0.001 and not 0.00100.
        let scientific = String(format: "%.2e", value)
        guard let e = scientific.firstIndex(where: { $0 == "e" || $0 == "E" }),
              let exponent = Int(scientific[scientific.index(after: e)...]) else { return scientific }
        if exponent < -6 || exponent > 6 { return scientific }
        let text = String(format: "%.\(max(0, 2 - exponent))f", value)
        return stripTrailingZeros(text)
    }

    /// The shortest text that reads back as exactly `value` (Swift's `description`); empty when
    /// absent or NaN. Used by the CSV, whose numbers must round-trip.
    public static func exact(_ value: Double?) -> String {
        guard let value, !value.isNaN else { return "" }
        return value.description
    }

    /// A setting such as α or a minimum effect as written in a spec (`0.05`, `0`, `1e-05`): the
    /// shortest round-trip text without a trailing `.0`; `—` when NaN.
    public static func plain(_ value: Double) -> String {
        guard !value.isNaN else { return absent }
        guard value.isFinite else { return value > 0 ? "∞" : "-∞" }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// `0.974 [0.962, 0.984]`: an estimate with its interval, `0.974 [—]` without one.
    public static func estimate(_ value: Double, interval: ConfidenceInterval?) -> String {
        fixed(value) + " " + bracketed(interval.map { ($0.lower, $0.upper) })
    }

    /// `[0.962, 0.984]`, or `[—]` when absent or when either end is NaN.
    public static func bracketed(_ bounds: (lower: Double, upper: Double)?) -> String {
        guard let bounds, !bounds.lower.isNaN, !bounds.upper.isNaN else { return "[\(absent)]" }
        return "[\(fixed(bounds.lower)), \(fixed(bounds.upper))]"
    }

    /// A level such as 0.95 as `95 %` (`97.5 %` when it has a fraction of a percent).
    public static func percent(_ level: Double) -> String {
        guard level.isFinite else { return absent }
        return stripTrailingZeros(String(format: "%.4f", level * 100)) + " %"
    }

    /// A proportion as a percentage with one decimal (`0.9734` → `97.3 %`), `—` when absent or not finite.
    public static func proportion(_ value: Double?, decimals: Int = 1) -> String {
        guard let value, value.isFinite else { return absent }
        return fixed(value * 100, decimals: decimals) + " %"
    }

    /// How a verdict reads in prose: `distinguishable`, `dead salmon`, `inconclusive`.
    public static func verdictText(_ verdict: Verdict) -> String {
        switch verdict {
        case .distinguishable: return "distinguishable"
        case .deadSalmon: return "dead salmon"
        case .inconclusive: return "inconclusive"
        }
    }

    static func dropNegativeZeroSign(_ text: String) -> String {
        guard text.hasPrefix("-"), !text.contains(where: { "123456789".contains($0) }) else { return text }
        return String(text.dropFirst())
    }

    static func stripTrailingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
