import Foundation
import SalmonAudit
import SalmonStatistics

/// The Markdown report a person reads first: a summary, one table row per test, the claims, one
/// figure per test, the details of each test, and a methods section with the verdict rule and the
/// provenance needed to reproduce the run.
public enum MarkdownReport {
    /// Renders the whole report.
    /// - Parameters:
    ///   - result: the audit result.
    ///   - figureDirectory: the folder, relative to the report, that holds the SVG figures named by
    ///     ``ReportFiles/figureNames(for:)``; empty for figures beside the report.
    /// - Returns: GitHub-flavoured Markdown ending in a newline.
    public static func render(_ result: AuditResult, figureDirectory: String = ReportFiles.figures) -> String {
        var out = summary(result)
        out += "\n" + claimsSection(result)
        out += "\n" + figuresSection(result, figureDirectory: figureDirectory)
        out += "\n" + detailsSection(result)
        out += "\n" + methodsSection(result)
        return out
    }

    /// The title, the summary paragraph and the summary table: the part of the report that also
    /// goes to a CI job's summary page.
    /// - Parameter headingLevel: the level of the title (1 for `#`); the sections below use one more.
    public static func summary(_ result: AuditResult, headingLevel: Int = 1) -> String {
        let hashes = String(repeating: "#", count: min(max(headingLevel, 1), 5))
        var out = "\(hashes) DeadSalmon audit: \(inline(result.name))\n\n"
        out += summaryParagraph(result) + "\n\n"
        out += summaryTable(result)
        return out
    }

    // MARK: - Sections

    static func summaryParagraph(_ result: AuditResult) -> String {
        let holding = result.claims.filter(\.holds).count
        let claims = result.claims.count
        var text: String
        if claims == 0 {
            text = "**No claims were judged.**"
        } else if holding == claims {
            text = "**\(claims == 1 ? "The claim holds" : "All \(claims) claims hold")**"
        } else {
            text = "**\(holding) of \(claims) claim\(claims == 1 ? "" : "s") hold\(holding == 1 ? "s" : "")**"
        }
        if claims > 0 { text += " (a claim is judged at each site over every null family)." }
        let count = { (verdict: Verdict) in result.tests.filter { $0.verdict == verdict }.count }
        text += " Of \(result.tests.count) test\(result.tests.count == 1 ? "" : "s") (claim × site × null family), "
        text += "\(count(.distinguishable)) \(count(.distinguishable) == 1 ? "is" : "are") distinguishable from the null, "
        text += "\(count(.deadSalmon)) \(count(.deadSalmon) == 1 ? "is a dead salmon" : "are dead salmon") (not distinguishable) "
        text += "and \(count(.inconclusive)) \(count(.inconclusive) == 1 ? "is" : "are") inconclusive."
        text += " Model: \(inline(result.model))."
        if result.baseline != nil { text += " Nulls were read from a stored baseline." }
        return text
    }

    static func summaryTable(_ result: AuditResult) -> String {
        let level = result.policy.level
        var rows = [[
            "claim", "site", "null family", "statistic", "trained estimate [\(ReportNumberFormat.percent(level)) CI]",
            "null median [2.5 %, 97.5 %]", "p", "p_adj", "effect Δ (vs median)", "effect z", "verdict",
        ]]
        rows.append(["---", "---", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---"])
        for test in result.tests {
            rows.append([
                test.claim, test.site, test.family, test.statistic,
                ReportNumberFormat.estimate(test.estimate, interval: test.interval),
                ReportNumberFormat.fixed(test.null.median) + " " + ReportNumberFormat.bracketed((test.null.lower, test.null.upper)),
                ReportNumberFormat.pValue(test.pValue),
                ReportNumberFormat.pValue(test.adjustedPValue),
                ReportNumberFormat.signed(test.effect.difference),
                ReportNumberFormat.signed(test.effect.standardized, decimals: 2),
                verdictMarkup(test.verdict),
            ])
        }
        return table(rows)
    }

    static func claimsSection(_ result: AuditResult) -> String {
        var out = "## Claims\n\n"
        if result.claims.isEmpty { return out + "No claims.\n" }
        for outcome in result.claims {
            let expectation = outcome.expectation == .null ? "expects a dead salmon" : "expects distinguishable"
            out += "- **\(outcome.holds ? "holds" : "fails")**: \(code(outcome.claim)) at \(code(outcome.site)) "
            out += "(\(expectation)): \(inline(AuditProse.message(outcome, in: result)))\n"
        }
        return out
    }

    static func figuresSection(_ result: AuditResult, figureDirectory: String) -> String {
        var out = "## Figures\n\n"
        out += "Each figure shows the null distribution (histogram, binned over the null draws' own range), its median "
        out += "(dashed line), the trained estimate (solid line) and its interval (shaded band).\n"
        let names = ReportFiles.figureNames(for: result)
        for (test, name) in zip(result.tests, names) {
            out += "\n### \(inline(test.claim)) at \(inline(test.site)) vs \(inline(test.family))\n\n"
            let alt = "Null distribution of \(test.statistic) under \(test.family) with the trained estimate"
                .replacingOccurrences(of: "[", with: "(").replacingOccurrences(of: "]", with: ")")
            out += "![\(inline(alt))](\(linkTarget(figureDirectory: figureDirectory, name: name)))\n"
        }
        return out
    }

    static func detailsSection(_ result: AuditResult) -> String {
        let out = "## Test details\n\n"
        let withBaseline = result.tests.contains { $0.baselineInterval != nil || $0.leftBaseline != nil }
        var header = ["test", "method", "direction", "interval", "null draws (K)", "models per draw", "null mean ± sd",
                      "b (extreme)", "p interval", "AUROC"]
        if withBaseline { header += ["baseline interval", "left baseline"] }
        header.append("reason")
        var rows = [header, header.map { _ in "---" }]
        for test in result.tests {
            let p = test.pValueInterval
            var row = [
                test.id, test.method, test.direction,
                test.interval.map { "\(test.intervalMethod) \(ReportNumberFormat.percent($0.level))" } ?? "\(ReportNumberFormat.absent) (\(test.intervalMethod))",
                "\(test.null.values.count)", "\(test.null.modelsPerDraw)",
                "\(ReportNumberFormat.fixed(test.null.mean)) ± \(ReportNumberFormat.fixed(test.null.standardDeviation))",
                "\(test.extremeCount)",
                "[\(ReportNumberFormat.pValue(p.lower)), \(ReportNumberFormat.pValue(p.upper))]",
                ReportNumberFormat.fixed(test.effect.auroc),
            ]
            if withBaseline {
                row.append(ReportNumberFormat.bracketed(test.baselineInterval.map { ($0.lower, $0.upper) }))
                row.append(test.leftBaseline.map { $0 ? "yes" : "no" } ?? ReportNumberFormat.absent)
            }
            row.append(AuditProse.reason(test, policy: result.policy))
            rows.append(row)
        }
        return out + table(rows)
    }

    static func methodsSection(_ result: AuditResult) -> String {
        let policy = result.policy
        let provenance = result.provenance
        var out = "## Methods\n\n### Verdict rule\n\n"
        out += AuditProse.verdictRule(policy).split(separator: "\n", omittingEmptySubsequences: false).map { "> \($0)" }.joined(separator: "\n")
        out += "\n\n### Significance and uncertainty\n\n"
        out += "- Significance level α = \(ReportNumberFormat.plain(policy.alpha)), "
        out += "\(correctionName(policy.correction)) correction (controls the \(policy.correction.errorRate)) across all "
        out += "\(policy.testCount) test\(policy.testCount == 1 ? "" : "s") of the audit; minimum effect "
        out += "\(ReportNumberFormat.plain(policy.minimumEffect)) (difference from the null median, "
        out += "in the statistic's units); significance \(policy.requireSignificance ? "required" : "not required") by the gate.\n"
        out += "- Trained estimates carry \(intervalName(policy.interval)) \(ReportNumberFormat.percent(policy.level)) bootstrap "
        out += "intervals from B = \(policy.bootstrapResamples) resamples; `\(ReportNumberFormat.absent)` marks an interval "
        out += "that could not be computed (a degenerate bootstrap distribution) or an effect that is undefined (a null "
        out += "without spread).\n"
        out += "- The p-value is the Monte Carlo p-value (1 + b) / (1 + K) of Phipson & Smyth (2010), where K is the number "
        out += "of null draws and b the number at least as extreme as the trained estimate in the statistic's direction; "
        out += "its Monte Carlo uncertainty is the Clopper–Pearson interval of the tail probability it estimates "
        out += "(\"p interval\" above). p_adj is the adjusted p-value.\n"
        if result.tests.contains(where: { $0.sequential != nil }) {
            out += "- Against a family drawn sequentially, a test's null draws stop where its decision is settled (Besag & Clifford "
            out += "1991, with an early rejection): for rejection after r draws none at least as extreme (p = 1/(r + 1)), for "
            out += "acceptance at the h-th draw at least as extreme, else at the family's maximum; K is then the draws the test "
            out += "used. Its p-value is the exact null probability of an outcome at least as extreme, valid whatever the "
            out += "stopping; a stop for rejection or acceptance is final (its \"p interval\" is the p-value itself).\n"
        }
        out += "- Effect Δ is the trained estimate minus the null median; z is (estimate − null mean) / null sd; AUROC is "
        out += "P(trained > null) + ½ P(tie).\n"
        out += "\n### Null families\n\n"
        var seen = Set<String>()
        for test in result.tests where seen.insert(test.family).inserted {
            let models = test.null.values.count * max(1, test.null.modelsPerDraw)
            out += "- `\(test.family)` (\(models) null model\(models == 1 ? "" : "s")): \(NullFamilyDescription.text(test.family))\n"
        }

        out += "\n### Provenance\n\n"
        out += table([
            ["field", "value"], ["---", "---"],
            ["package", provenance.package],
            ["package version", provenance.packageVersion],
            ["master seed", "\(provenance.masterSeed)"],
            ["random-number generator", provenance.generator],
            ["stream derivation", provenance.streamDerivation],
            ["spec hash", provenance.specHash],
            ["data hash (data, weights, activations)", provenance.dataHash],
            ["evaluation data hash (inputs, labels, types)", provenance.evaluationHash],
            ["null models", "\(provenance.nullModels)"],
            ["trained models", "\(provenance.trainedModels)"],
            ["result schema", result.schema],
        ])
        out += "\nThe numbers are the same for any number of worker threads or shards; how this run was carried out "
        out += "is recorded beside the report in `\(ReportFiles.run)`, the one file that depends on it.\n"
        if let baseline = result.baseline {
            out += "\n### Baseline\n\n"
            out += "Null distributions were read from the stored baseline \(code(baseline.name)) (spec hash "
            out += "\(code(baseline.specHash)), recorded data hash \(code(baseline.recordedDataHash))).\n"
        }
        if !result.notes.isEmpty {
            out += "\n### Notes\n\n"
            for note in result.notes { out += "- \(inline(note))\n" }
        }
        return out
    }

    // MARK: - Markdown pieces

    static func verdictMarkup(_ verdict: Verdict) -> String {
        switch verdict {
        case .distinguishable: return "**distinguishable**"
        case .deadSalmon: return "*dead salmon*"
        case .inconclusive: return "*inconclusive*"
        }
    }

    static func correctionName(_ method: MultipleTestingMethod) -> String {
        switch method {
        case .bonferroni: return "Bonferroni"
        case .sidak: return "Šidák"
        case .holm: return "Holm"
        case .holmSidak: return "Holm–Šidák"
        case .hochberg: return "Hochberg"
        case .hommel: return "Hommel"
        case .benjaminiHochberg: return "Benjamini–Hochberg"
        case .benjaminiYekutieli: return "Benjamini–Yekutieli"
        }
    }

    static func intervalName(_ interval: BootstrapInterval) -> String {
        switch interval {
        case .percentile: return "percentile"
        case .basic: return "basic"
        case .bca: return "BCa"
        }
    }

    /// A table from rows of cells (the second row is the alignment row), each cell on one line with
    /// its pipes escaped.
    static func table(_ rows: [[String]]) -> String {
        rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
    }

    static func cell(_ text: String) -> String {
        inline(text).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Prose on one line: line breaks become spaces and `<` is backslash-escaped, so that text such
    /// as `<concepts>` or `a <= b` is shown rather than taken for an HTML tag.
    static func inline(_ text: String) -> String {
        oneLine(text).replacingOccurrences(of: "<", with: "\\<")
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// A code span that survives backticks inside the text.
    static func code(_ text: String) -> String {
        let text = oneLine(text)
        guard text.contains("`") else { return "`\(text)`" }
        return "`` \(text) ``"
    }

    static func linkTarget(figureDirectory: String, name: String) -> String {
        var directory = figureDirectory
        while directory.hasSuffix("/") { directory.removeLast() }
        let path = directory.isEmpty ? name : "\(directory)/\(name)"
        return path.contains(where: { $0 == " " || $0 == "(" || $0 == ")" }) ? "<\(path)>" : path
    }
}
