import SalmonAudit

/// The sanity-check study as one tidy CSV: a row per similarity summary (stage × method ×
/// measure), per sensitivity test (method × measure) and per faithfulness test (method × curve).
///
/// Columns: `table` (similarity, sensitivity, faithfulness), `stage` (for sensitivity the
/// compared stage, for faithfulness the curve), `method`, `measure`, `estimate` with `lower`,
/// `upper` (the bootstrap interval over inputs; for sensitivity the seed-to-seed reference and no
/// interval; for faithfulness the trained map's AUC), `null_mean`, `null_q025`, `null_q975`
/// (the spread over seeds: of the stage's per-seed means, or of the null draws), `seeds`,
/// `undefined_rows`, `p`, `p_adj`, `z`, `difference` with `difference_lower`, `difference_upper`
/// (sensitivity: reference − fully randomized), `verdict`. Numbers round-trip (shortest text);
/// absent values are empty.
public enum SanityCheckCSV {
    static let header = ["table", "stage", "method", "measure", "estimate", "lower", "upper", "null_mean", "null_q025", "null_q975",
                         "seeds", "undefined_rows", "p", "p_adj", "z", "difference", "difference_lower", "difference_upper", "verdict"]

    public static func render(_ result: SanityCheckResult) -> String {
        func n(_ v: Double?) -> String { ReportNumberFormat.exact(v) }
        var rows: [[String]] = [header]
        for s in result.similarities {
            rows.append(["similarity", s.stage.description, s.method, s.measure, n(s.mean), n(s.interval.lower), n(s.interval.upper),
                         n(s.seedMeans.count > 1 ? SanityCheckMarkdown.mean(s.seedMeans) : nil), n(s.seedQuantiles.first),
                         n(s.seedQuantiles.last), "\(s.seedMeans.count)", "\(s.undefinedRows)", "", "", "", "", "", "", ""])
        }
        let full = RandomizationStage.cascading(step: result.layers).description
        for t in result.sensitivity {
            let null = result.similarity(.cascading(step: result.layers), method: t.method, measure: t.measure)
            rows.append(["sensitivity", full, t.method, t.measure, n(t.reference), "", "", n(t.randomized),
                         n(null?.seedQuantiles.first), n(null?.seedQuantiles.last), "\(t.test?.nullCount ?? 0)", "",
                         n(t.test?.pValue), n(t.adjustedPValue), n(t.standardizedDistance), n(t.difference),
                         n(t.differenceInterval.lower), n(t.differenceInterval.upper), t.verdict.rawValue])
        }
        for t in result.faithfulness {
            rows.append(["faithfulness", t.kind.rawValue, t.method, "auc", n(t.trained), n(t.trainedInterval.lower), n(t.trainedInterval.upper),
                         n(t.randomized), n(t.randomizedQuantiles.first), n(t.randomizedQuantiles.last), "\(t.test?.nullCount ?? 0)", "",
                         n(t.test?.pValue), n(t.adjustedPValue), n(t.standardizedDistance), "", "", "", t.verdict.rawValue])
        }
        return rows.map { $0.map(escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
