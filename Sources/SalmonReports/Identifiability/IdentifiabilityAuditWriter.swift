import Foundation
import SalmonAudit
import SalmonIO

/// Writes an identifiability audit's report directory: `report.md`, `figures/*.svg`,
/// `results.csv` (one row per claim and width), `networks.csv` (one row per network),
/// `results.json` and `junit.xml` (one test case per claim and width).
///
/// As ``ReportWriter``: everything is rendered in memory first (a failure writes nothing), each
/// file is written to a temporary name and renamed into place (``AtomicFile``), `report.md` last,
/// and stale figures of an earlier run are removed.
public enum IdentifiabilityAuditWriter {
    /// The claims CSV's header.
    public static let columns = ["claim", "width", "statistic", "comparison", "threshold", "expect", "estimate",
                                 "bound_lower", "bound_upper", "bound_level", "verdict", "holds", "message"]
    /// The networks CSV's header.
    public static let networkColumns = ["width", "seed", "resample", "epochs", "final_loss", "converged", "perfect_circuits",
                                        "minimal_circuits", "compared_circuits", "compared_sampled"]
    public static let networksFile = "networks.csv"
    /// The networks CSV's extra columns when the circuits were grounded (`circuits.groundings`).
    public static let groundingColumns = ["grounded_circuits", "groundings_sampled", "explanations", "circuits_with_multiple_groundings",
                                          "explanation_entropy_bits", "circuit_entropy_bits"]
    /// The networks CSV's extra columns with a null: `trained` or `permuted-labels`, and a null
    /// network's truth table (outputs on 00, 01, 10, 11, e.g. `0011`).
    public static let nullColumns = ["network", "labels"]
    /// The networks CSV's extra columns with `circuits.whatThenWhere`.
    public static let whatThenWhereColumns = ["candidate_formulas", "mapped_formulas", "minimal_mappings"]

    /// Renders and writes; returns the paths written (figures, CSVs, JSON, JUnit, then `report.md`).
    /// - Throws: ``InputError`` naming the path when rendering or writing fails.
    @discardableResult
    public static func write(_ result: IdentifiabilityAuditResult, to directory: String) throws -> [String] {
        try ReportDirectory.requireOutputDirectory(directory)
        let root = directory
        let figures = IdentifiabilityAuditFigures.all(result).map { (name: $0.name, svg: $0.svg) }
        var files: [(name: String, data: Data)] = [(ReportFiles.csv, Data(csv(result).utf8)), (networksFile, Data(networksCSV(result).utf8))]
        let jsonPath = ReportWriter.join(root, ReportFiles.json)
        do {
            files.append((ReportFiles.json, try result.jsonData()))
        } catch let EncodingError.invalidValue(value, context) {
            throw InputError(file: jsonPath, field: ReportWriter.fieldPath(context.codingPath),
                             expected: "a value JSON can represent, found \(value) in the result")
        }
        files.append((ReportFiles.junit, Data(junit(result).utf8)))
        if let run = result.run { files.append((ReportFiles.run, try run.jsonData())) }
        files.append((ReportFiles.markdown, Data(IdentifiabilityAuditMarkdown.render(result).utf8)))
        return try ReportDirectory(figures: figures, files: files).write(to: root)
    }

    /// The claims CSV's extra columns when the audit has null networks: the null a claim is against
    /// (empty for a threshold claim), the null networks' mean, and the permutation p-values.
    public static let nullClaimColumns = ["against", "null_estimate", "p_value", "opposite_p_value"]

    /// One row per claim and width; numbers exact (shortest round-trip), absent values empty.
    public static func csv(_ r: IdentifiabilityAuditResult) -> String {
        let n = ReportNumberFormat.exact
        let nulls = r.spec.null != nil
        var out = CSVReport.line(columns + (nulls ? nullClaimColumns : []))
        for c in r.claims {
            var row = [c.claim, "\(c.width)", c.statistic.rawValue, c.comparison.rawValue, n(c.threshold), c.expect?.rawValue ?? "",
                       n(c.estimate), n(c.bounds?.lower), n(c.bounds?.upper), n(c.bounds?.level), c.verdict.rawValue,
                       c.holds ? "true" : "false", IdentifiabilityProse.message(c, alpha: r.spec.alpha)]
            if nulls {
                let against = c.basis.kind == .againstNull ? (r.spec.null?.kind.rawValue ?? "") : ""
                row += [against, n(c.nullEstimate), n(c.pValue), n(c.oppositePValue)]
            }
            out += CSVReport.line(row)
        }
        return out
    }

    /// One row per network.
    public static func networksCSV(_ r: IdentifiabilityAuditResult) -> String {
        let n = ReportNumberFormat.exact
        let grounded = r.spec.circuits.groundings
        let formulas = r.spec.circuits.whatThenWhere
        let nulls = r.spec.null != nil
        var out = CSVReport.line(networkColumns + (grounded ? groundingColumns : []) + (formulas ? whatThenWhereColumns : [])
                                 + (nulls ? nullColumns : []))
        for w in r.widths {
            for x in w.networks + (w.nullNetworks ?? []) {
                let resample: String = x.resample.map(String.init) ?? ""
                let minimal: String = x.minimalCircuits.map(String.init) ?? ""
                let compared: String = x.comparedCircuits.map(String.init) ?? ""
                var row: [String] = ["\(x.width)", "\(x.seed)", resample, "\(x.epochs)", n(x.finalLoss),
                                     x.converged ? "true" : "false", n(x.perfectCircuits), minimal,
                                     compared, x.comparedCircuitsSampled ? "true" : "false"]
                if grounded {
                    if let g = x.groundings {
                        row += ["\(g.groundedCircuits)", g.sampled ? "true" : "false", n(g.explanations),
                                "\(g.circuitsWithMultipleGroundings)", n(g.explanationEntropy), n(g.circuitEntropy)]
                    } else {
                        row += [String](repeating: "", count: groundingColumns.count)
                    }
                }
                if formulas {
                    if let w = x.whatThenWhere {
                        row += ["\(w.candidateFormulas)", "\(w.mappedFormulas)", "\(w.minimalMappings)"]
                    } else {
                        row += [String](repeating: "", count: whatThenWhereColumns.count)
                    }
                }
                if nulls {
                    row += [x.labels == nil ? "trained" : "permuted-labels", x.labels.map { $0.map(String.init).joined() } ?? ""]
                }
                out += CSVReport.line(row)
            }
        }
        return out
    }

    /// JUnit XML: one test case per claim and width, a failure when it does not hold.
    public static func junit(_ r: IdentifiabilityAuditResult) -> String {
        let p = r.provenance
        let properties = [("package", "\(p.package) \(p.packageVersion)"), ("masterSeed", "\(p.masterSeed)"), ("generator", p.generator),
                          ("specHash", p.specHash), ("dataHash", p.dataHash), ("alpha", ReportNumberFormat.plain(r.spec.alpha))]
        let cases = r.claims.map { c in
            JUnitReport.TestCase(name: "\(c.claim)@width-\(c.width)", failure: c.holds ? nil : (IdentifiabilityProse.message(c, alpha: r.spec.alpha), IdentifiabilityProse.message(c, alpha: r.spec.alpha) + "\n" + IdentifiabilityProse.verdictRule(alpha: r.spec.alpha) + "\n"))
        }
        return JUnitReport.document(suite: r.name, properties: properties, cases: cases)
    }
}
