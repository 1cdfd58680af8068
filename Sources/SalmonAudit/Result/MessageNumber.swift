import Foundation

/// How a number reads in a one-line message or a report's prose: an integer exactly (below 10¹⁵),
/// a value of magnitude 1,000 or more rounded to an integer, anything else to 3 significant
/// digits; "—" for NaN or an infinity. The one formatter of messages (the audit's verdict reasons
/// and claim outcomes, the identifiability audit's, the identifiability study's report).
public enum MessageNumber {
    public static func format(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "—" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return abs(x) >= 1000 ? String(format: "%.0f", x) : String(format: "%.3g", x)
    }
}
