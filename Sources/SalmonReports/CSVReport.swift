import SalmonAudit

/// The tidy CSV: a header and one row per test, every number exact.
///
/// Numbers are Swift's shortest round-trip text of the `Double` (`Double(field)` gives the value
/// back bit for bit); absent values (nil, NaN) are empty fields. Fields are quoted as RFC 4180
/// requires (when they contain a comma, a double quote or a line break, with quotes doubled);
/// lines end in `\n`.
public enum CSVReport {
    /// The header, in column order.
    public static let columns = [
        "test_id", "claim", "site", "family", "method", "statistic", "direction", "estimate", "ci_lower", "ci_upper",
        "ci_level", "interval_method", "null_count", "models_per_draw", "null_mean", "null_sd", "null_median", "null_q025",
        "null_q975", "extreme_count", "p_value", "p_ci_lower", "p_ci_upper", "p_adjusted", "correction",
        "effect_difference", "effect_standardized", "auroc", "verdict", "reason",
    ]

    /// Renders the header and one row per test of `result`, in test order.
    public static func render(_ result: AuditResult) -> String {
        var out = line(columns)
        for test in result.tests {
            out += line(row(test, policy: result.policy))
        }
        return out
    }

    /// The fields of one test, in ``columns`` order, unquoted.
    static func row(_ test: TestResult, policy: Policy) -> [String] {
        let n = ReportNumberFormat.exact
        return [
            test.id, test.claim, test.site, test.family, test.method, test.statistic, test.direction,
            n(test.estimate), n(test.interval?.lower), n(test.interval?.upper), n(test.interval?.level), test.intervalMethod,
            "\(test.null.values.count)", "\(test.null.modelsPerDraw)",
            n(test.null.mean), n(test.null.standardDeviation), n(test.null.median), n(test.null.lower), n(test.null.upper),
            "\(test.extremeCount)", n(test.pValue), n(test.pValueInterval.lower), n(test.pValueInterval.upper),
            n(test.adjustedPValue), policy.correction.rawValue,
            n(test.effect.difference), n(test.effect.standardized), n(test.effect.auroc),
            test.verdict.rawValue, AuditProse.reason(test, policy: policy),
        ]
    }

    static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\n"
    }

    /// `field` as RFC 4180 writes it: in double quotes, with quotes doubled, when it holds a comma,
    /// a double quote, a carriage return or a line feed; unchanged otherwise.
    static func quoted(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        var out = "\""
        for character in field {
            out.append(character)
            if character == "\"" { out.append("\"") }
        }
        return out + "\""
    }
}
