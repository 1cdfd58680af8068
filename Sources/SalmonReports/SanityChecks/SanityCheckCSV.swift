import SalmonAudit

/// The sanity-check study as one tidy CSV: a row per test of its audit (method × measure or curve ×
/// stage × null family), then a row per method and curve for the random-order reference.
///
/// Columns: `table` (`similarity`, `faithfulness`, `random-order`), `stage` (the randomization
/// stage: `cascading-1` …, `independent-layer-0` …, `permuted-labels`), `family`, `site`, `method`,
/// `measure` (the similarity measure or the curve), `estimate` with `lower`, `upper` (the reference
/// or the trained AUC and its interval), `null_mean`, `null_median`, `null_q025`, `null_q975`,
/// `draws` (null draws), `p`, `p_adj`, `difference` (estimate − null median), `z`, `verdict`.
/// Numbers round-trip (shortest text); absent values are empty.
public enum SanityCheckCSV {
    static let header = ["table", "stage", "family", "site", "method", "measure", "estimate", "lower", "upper", "null_mean", "null_median",
                         "null_q025", "null_q975", "draws", "p", "p_adj", "difference", "z", "verdict"]

    public static func render(_ result: SanityCheckResult) -> String {
        func n(_ v: Double?) -> String { ReportNumberFormat.exact(v) }
        let L = result.layers
        let stages: [RandomizationStage] = (1...L).map { .cascading(step: $0) } + (0..<L).reversed().map { .independent(layer: $0) } + [.permutedLabels]
        var rows: [[String]] = [header]
        func row(_ table: String, _ stage: String, _ t: TestResult, measure: String) -> [String] {
            [table, stage, t.family, t.site, t.method, measure, n(t.estimate), n(t.interval?.lower), n(t.interval?.upper), n(t.null.mean),
             n(t.null.median), n(t.null.lower), n(t.null.upper), "\(t.null.values.count)", n(t.pValue), n(t.adjustedPValue),
             n(t.effect.difference), n(t.effect.standardized), t.verdict.rawValue]
        }
        for method in result.configuration.methods {
            for measure in result.configuration.measures {
                for stage in stages {
                    if let t = result.test(stage, method: method, measure: measure.name) {
                        rows.append(row("similarity", stage.description, t, measure: measure.name))
                    }
                }
            }
        }
        let families: [(NullSpec.Family, String)] = [(.cascadingTopDown, RandomizationStage.cascading(step: L).description),
                                                     (.independentLayer, RandomizationStage.independent(layer: 0).description),
                                                     (.permutedLabels, RandomizationStage.permutedLabels.description)]
        for kind in FeatureRemovalCurve.Kind.allCases {
            for method in result.configuration.methods {
                for (family, stage) in families {
                    if let t = result.faithfulness(method: method, kind: kind, family: family.rawValue) {
                        rows.append(row("faithfulness", stage, t, measure: kind.rawValue))
                    }
                }
            }
        }
        for curves in result.curves {
            rows.append(["random-order", "", "", "", curves.method, curves.kind.rawValue, n(curves.randomOrderArea)]
                        + Array(repeating: "", count: header.count - 7))
        }
        return rows.map(CSVReport.line).joined()
    }
}
