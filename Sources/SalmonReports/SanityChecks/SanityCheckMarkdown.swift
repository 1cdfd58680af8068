import Foundation
import SalmonAudit
import SalmonStatistics

/// The Markdown write-up of a sanity-check study, rendered from the audit of its generated spec
/// (``SanityCheckResult/audit``): the verdicts at full randomization, the cascading and
/// independent curves, data randomization, faithfulness, one table per method, the side-by-side
/// with Adebayo et al.'s published numbers, the setting and the provenance.
///
/// Every estimate, null distribution, p-value and verdict is the audit's; the report only chooses
/// which to show and says what they mean. Deterministic: the same result gives the same bytes.
public enum SanityCheckMarkdown {
    public static func render(_ result: SanityCheckResult, figures: [String], files: [String: String], command: String? = nil) -> String {
        let r = result
        let c = r.configuration
        let L = r.layers
        let primary = c.measures.first?.name ?? ""
        let convolutions = c.convolutionChannels.count
        let kind = convolutions == 0 ? "MLP" : "CNN"
        let level = ReportNumberFormat.percent(c.level)
        let audit = r.audit
        var md = "# Sanity checks for saliency maps, reproduced on the digits over \(c.nullSeeds) null draws (\(kind))\n\n"
        md += "Adebayo et al. (\"Sanity checks for saliency maps\", NeurIPS 2018) asked whether a saliency map changes when the "
        md += "network it explains is destroyed. This reproduction asks it of the \(c.architectureDescription) trained on the bundled 8 × 8 digits "
        md += "as a DeadSalmon audit: every random draw seeded and addressed, **\(c.nullSeeds) null draws per randomization stage** instead of one, "
        md += "\(level) intervals, one correction across all \(audit.tests.count) tests, and a *reference*: the similarity between the maps of "
        md += "independently trained networks, which is what \"the same model, up to training noise\" looks like.\n\n"
        md += "Regenerate with `\(command ?? "salmon sanity-checks\(convolutions == 0 ? "" : " --architecture cnn") --out Reports/reproductions --seeds \(c.nullSeeds)")` "
        md += "(the numbers are the same for any `--jobs`). "
        if let csv = files["csv"] { md += "All numbers are also in [`\(csv)`](\(csv)); " }
        if let junit = files["junit"] { md += "one JUnit test case per test is in [`\(junit)`](\(junit))" }
        md += ".\n\n"

        // Headline.
        md += "## In one table: is each method sensitive to the model's parameters?\n\n"
        md += "Measure: \(c.measures.first?.label ?? "—"). *Reference*: the mean similarity of \(c.trainedSeeds - 1) other trained "
        md += "network\(c.trainedSeeds == 2 ? "" : "s")' maps to the trained model's, with its \(level) interval (\(r.reference(method: c.methods[0], measure: primary)?.intervalMethod ?? "—")). "
        md += "*Fully randomized*: the null draws of the cascading randomization's last step (every layer re-initialized), each the mean "
        md += "similarity of \(c.trainedSeeds - 1) null model\(c.trainedSeeds == 2 ? "" : "s") to the trained model's maps (grouped like the reference, so the two "
        md += "are exchangeable under the null): their median and, after the dot, their 2.5–97.5 % range over the \(c.nullSeeds) draws. "
        md += "Δ = reference − null median. The published column is Adebayo et al.'s MNIST CNN at full randomization.\n\n"
        md += "| method | published (CNN) | reference | fully randomized | Δ | p | p_adj | verdict |\n"
        md += "|---|---|---|---|---|---|---|---|\n"
        for method in c.methods {
            guard let t = r.sensitivity(method: method, measure: primary) else { continue }
            let published = AdebayoPublished.spearmanAbsolute.first { $0.method == method }?.values.last.map { fixed($0) } ?? "—"
            md += "| \(StageCurveFigure.displayName(method)) | \(published) | \(ReportNumberFormat.estimate(t.estimate, interval: t.interval)) | "
            md += "\(nullSummary(t)) | \(ReportNumberFormat.signed(t.effect.difference)) | \(p(t.pValue)) | \(p(t.adjustedPValue)) | "
            md += "\(verdictText(t.verdict)) |\n"
        }
        md += "\n"
        md += "Across all \(c.measures.count) measures (table \"Every test at full randomization\" below): "
        md += c.methods.map { method -> String in
            let tests = c.measures.compactMap { r.sensitivity(method: method, measure: $0.name) }
            let failing = tests.filter { $0.verdict != .distinguishable }.map { r.measure(of: $0) }
            return "\(StageCurveFigure.displayName(method)) is sensitive on \(tests.count - failing.count) of \(tests.count)"
                + (failing.isEmpty || failing.count == tests.count ? "" : " (not on \(failing.joined(separator: ", ")))")
        }.joined(separator: "; ") + ".\n\n"
        md += policy(r)

        // Cascading figures.
        md += "## Cascading randomization (Adebayo et al.'s Figure 2)\n\n"
        md += "From left to right the layers are re-initialized from the logits down (`\(RandomizationStage.cascading(step: L).label(layers: L, convolutions: convolutions))` = every layer random). "
        md += "Each line is a method's mean null similarity to the trained model's map at that stage, with the 2.5–97.5 % band of its "
        md += "\(c.nullSeeds) null draws; the squares on the right are the seed-to-seed reference with their \(level) intervals. A method that is "
        md += "sensitive to the parameters falls below its reference; a dead salmon stays at it. Every point is also a test (the per-method "
        md += "tables below give its verdict).\n\n"
        for measure in c.measures {
            if let figure = figures.first(where: { $0.hasSuffix("-cascading-\(measure.name).svg") }) {
                md += "![Cascading randomization, \(measure.label)](\(figure))\n\n"
            }
        }

        // Independent randomization.
        md += "## Independent randomization\n\n"
        md += "One layer re-initialized, every other layer kept trained (\(c.nullSeeds) null draws per layer).\n\n"
        for measure in c.measures {
            if let figure = figures.first(where: { $0.hasSuffix("-independent-\(measure.name).svg") }) {
                md += "![Independent randomization, \(measure.label)](\(figure))\n\n"
            }
        }

        // Data randomization.
        if let family = audit.spec.nulls.first(where: { $0.family == NullSpec.Family.permutedLabels.rawValue }) {
            let draws = r.test(.permutedLabels, method: c.methods[0], measure: primary)?.null.values.count ?? 0
            md += "## Data randomization (networks retrained on permuted labels)\n\n"
            md += "\(family.K) networks trained from scratch for \(family.epochs ?? c.epochs) epochs on the training split with its labels "
            md += "permuted, grouped into \(draws) null draw\(draws == 1 ? "" : "s") of \(c.trainedSeeds - 1). "
            if !r.permutedLabelsMemorized.isEmpty {
                md += "The first \(r.permutedLabelsMemorized.count) fit \(percentList(r.permutedLabelsMemorized)) of their permuted training labels "
                md += "and score \(percentList(r.permutedLabelsAccuracy)) on the explained digits' true labels (chance ≈ 10 %). "
            }
            md += "Similarity of their maps to the trained model's (mean of the null draws · their range), beside the reference, and the test's verdict. "
            md += "With \(draws) draw\(draws == 1 ? "" : "s") the smallest p-value is \(p(1 / Double(draws + 1))): these tests describe; they cannot decide.\n\n"
            md += "| method | " + c.measures.map { "\($0.name): permuted labels | reference | verdict" }.joined(separator: " | ") + " |\n"
            md += "|---|" + String(repeating: "---|---|---|", count: c.measures.count) + "\n"
            for method in c.methods {
                md += "| \(StageCurveFigure.displayName(method)) |"
                for measure in c.measures {
                    let t = r.test(.permutedLabels, method: method, measure: measure.name)
                    md += " \(t.map { "\(fixed($0.null.mean)) · \(fixed($0.null.lower))–\(fixed($0.null.upper))" } ?? "—") |"
                    md += " \(fixed(t?.estimate)) | \(t.map { ReportNumberFormat.verdictText($0.verdict) } ?? "—") |"
                }
                md += "\n"
            }
            md += "\n"
        }

        // Every headline test.
        md += "## Every test at full randomization\n\n"
        md += "One test per method × measure against the cascading randomization's last step. z = (reference − mean of the null draws) / their SD.\n\n"
        md += "| method | measure | reference [\(level)] | fully randomized (\(c.nullSeeds) draws) | Δ | z | p | p_adj | verdict |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for t in r.sensitivityTests {
            md += "| \(StageCurveFigure.displayName(t.method)) | \(r.measure(of: t)) | \(ReportNumberFormat.estimate(t.estimate, interval: t.interval)) | "
            md += "\(nullSummary(t)) | \(ReportNumberFormat.signed(t.effect.difference)) | \(ReportNumberFormat.fixed(t.effect.standardized, decimals: 1)) | "
            md += "\(p(t.pValue)) | \(p(t.adjustedPValue)) | \(verdictText(t.verdict)) |\n"
        }
        md += "\n"

        md += faithfulness(r, figure: figures.first { $0.hasSuffix("-faithfulness.svg") })

        // Per-method tables.
        md += "## Per method: every stage and measure\n\n"
        md += "Each cell: the mean of the stage's null draws · their 2.5–97.5 % range, and the test's verdict against the reference "
        md += "(✓ distinguishable, ✗ dead salmon, ? inconclusive). The last row is the reference with its \(level) interval.\n\n"
        let stages: [RandomizationStage] = (1...L).map { .cascading(step: $0) } + (0..<L).reversed().map { .independent(layer: $0) } + [.permutedLabels]
        for method in c.methods {
            md += "### \(StageCurveFigure.displayName(method))\n\n"
            md += "| stage | " + c.measures.map(\.name).joined(separator: " | ") + " |\n"
            md += "|---|" + String(repeating: "---|", count: c.measures.count) + "\n"
            for stage in stages {
                let cells = c.measures.map { measure -> String in
                    guard let t = r.test(stage, method: method, measure: measure.name) else { return "—" }
                    return "\(fixed(t.null.mean)) · \(fixed(t.null.lower))–\(fixed(t.null.upper)) \(mark(t.verdict))"
                }
                guard cells.contains(where: { $0 != "—" }) else { continue }
                md += "| \(stage.label(layers: L, convolutions: convolutions)) | " + cells.joined(separator: " | ") + " |\n"
            }
            md += "| another trained seed | " + c.measures.map { measure in
                r.reference(method: method, measure: measure.name).map { ReportNumberFormat.estimate($0.estimate, interval: $0.interval) } ?? "—"
            }.joined(separator: " | ") + " |\n\n"
        }

        md += sideBySide(r)
        md += setting(r)
        md += provenance(r)
        return md
    }

    // MARK: - Sections

    static func policy(_ r: SanityCheckResult) -> String {
        let c = r.configuration, audit = r.audit
        let m = audit.tests.count
        var md = "**The tests and the verdict rule.** Every point of every figure below is a test: the reference similarity against the "
        md += "null draws of one randomization stage (method × measure × stage: \(m) tests with the faithfulness tests). The Monte Carlo "
        md += "p-value is (1 + #{null draws ≥ reference}) / (1 + K) (Phipson & Smyth 2010); the p-values are adjusted together by "
        md += "\(correctionName(audit.policy.correction)) across all \(m) tests"
        if audit.policy.correction.errorRate == "FDR" {
            md += " (the false discovery rate: a family-wise correction such as Holm would need K ≥ m / α ≈ \(Int((Double(m) / c.alpha).rounded(.up))) null draws "
            md += "before any test could pass; `--correction holm` runs it)"
        }
        md += ". The verdict is the audit's one rule: \(String(AuditProse.verdictRule(audit.policy).dropLast())). The minimum effect, \(ReportNumberFormat.plain(c.minimumEffect)), "
        md += "is the study's: a tenth of the similarity scale (a drop smaller than that is called insensitive however small p is) and a tenth "
        md += "of the AUC scale for faithfulness.\n\n"
        return md
    }

    static func faithfulness(_ r: SanityCheckResult, figure: String?) -> String {
        let c = r.configuration
        let level = ReportNumberFormat.percent(c.level)
        let cascading = NullSpec.Family.cascadingTopDown.rawValue, permuted = NullSpec.Family.permutedLabels.rawValue
        let independent = NullSpec.Family.independentLayer.rawValue
        var md = "## Faithfulness: deletion and insertion\n\n"
        md += "Procedure (on each trained network, the same \(r.evaluationExamples) digits): order the 64 pixels by attribution value, "
        md += "largest first (signed; ties by pixel index); in \(c.faithfulnessSteps) equal steps set the first round(s · 64 / "
        md += "\(c.faithfulnessSteps)) pixels in that order to 0 (deletion) or start from the all-zero image and set them to their "
        md += "values (insertion); record the softmax probability of the digit's true class; AUC by the trapezoid rule over the "
        md += "fraction 0…1. Lower deletion AUC and higher insertion AUC = the map ranks first what the network relies on. "
        md += "Estimate: the mean over the \(c.trainedSeeds) trained networks of each one's own map order on itself. Null draw: the same "
        md += "curve on trained network b in the order of a null model made from b, averaged over \(c.trainedSeeds) such models — fully "
        md += "randomized (cascading to `layers.0.post`), only the first layer re-initialized (independent), or retrained on permuted labels. "
        md += "One-sided (deletion: the trained order lower; insertion: higher). A uniformly random order per digit is shown for reference.\n\n"
        if let figure { md += "![Deletion and insertion curves](\(figure))\n\n" }
        md += "| method | curve | trained maps [\(level)] | fully randomized maps (median · range) | p_adj | verdict | first layer only: verdict | permuted labels: verdict | random order |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for kind in FeatureRemovalCurve.Kind.allCases {
            for method in c.methods {
                guard let t = r.faithfulness(method: method, kind: kind, family: cascading) else { continue }
                let random = r.curves.first { $0.method == method && $0.kind == kind }?.randomOrderArea
                md += "| \(StageCurveFigure.displayName(method)) | \(kind.rawValue) | \(ReportNumberFormat.estimate(t.estimate, interval: t.interval)) | "
                md += "\(nullSummary(t)) | \(p(t.adjustedPValue)) | \(t.verdict == .distinguishable ? "more faithful than randomized maps" : verdictText(t.verdict)) | "
                md += "\(r.faithfulness(method: method, kind: kind, family: independent).map { ReportNumberFormat.verdictText($0.verdict) } ?? "—") | "
                md += "\(r.faithfulness(method: method, kind: kind, family: permuted).map { ReportNumberFormat.verdictText($0.verdict) } ?? "—") | "
                md += "\(fixed(random)) |\n"
            }
        }
        md += "\n"
        return md
    }

    static func sideBySide(_ r: SanityCheckResult) -> String {
        let c = r.configuration
        let L = r.layers
        let primary = AttributionSimilarity.spearmanAbsolute.name
        guard c.measures.contains(.spearmanAbsolute) else { return "" }
        var md = "## Side by side with the published numbers\n\n"
        md += "Mean Spearman rank correlation of the absolute maps, trained vs. cascading randomization. Published: Adebayo et al.'s "
        md += "MNIST CNN (one seed, no interval; stages logits/softmax → fc1 → hidden2 → hidden1), as quoted in REFERENCES.md. "
        let convolutions = c.convolutionChannels.count
        md += "Ours: the \(c.architectureDescription), whose \(L) layers are re-initialized as "
        md += (0..<L).reversed().map { RandomizationStage.layerName($0, layers: L, convolutions: convolutions) }.joined(separator: " → ")
        md += "; the mean of \(c.nullSeeds) null draws with their 2.5–97.5 % range.\n\n"
        md += "| method | published: " + AdebayoPublished.stages.joined(separator: " → ") + " | ours: "
        md += (1...L).map { RandomizationStage.cascading(step: $0).label(layers: L, convolutions: convolutions) }.joined(separator: " → ")
        md += " | ours: reference seed | published pattern | ours |\n|---|---|---|---|---|---|\n"
        for method in c.methods {
            let published = AdebayoPublished.spearmanAbsolute.first { $0.method == method }
            let ours = (1...L).compactMap { r.test(.cascading(step: $0), method: method, measure: primary) }
            guard ours.count == L, let last = ours.last else { continue }
            md += "| \(StageCurveFigure.displayName(method)) | "
            md += published.map { $0.values.map { ReportNumberFormat.fixed($0) }.joined(separator: " → ") } ?? "not in the paper"
            md += " | " + ours.map { "\(fixed($0.null.mean)) [\(fixed($0.null.lower))–\(fixed($0.null.upper))]" }.joined(separator: " → ")
            md += " | \(fixed(r.reference(method: method, measure: primary)?.estimate))"
            md += " | \(AdebayoPublished.pattern[method] ?? "—") | \(shape(last)) |\n"
        }
        md += "\n"
        md += agreement(r)
        return md
    }

    /// How a fully randomized similarity reads in the published vocabulary.
    static func shape(_ test: TestResult) -> String {
        let value = test.null.mean
        let level = value < 0.3 ? "falls towards 0" : value < 0.7 ? "falls part way" : "stays high"
        return "\(level) (\(fixed(value))); \(verdictText(test.verdict))"
    }

    /// Sentences comparing our shapes with the published ones, computed from the numbers.
    static func agreement(_ r: SanityCheckResult) -> String {
        let L = r.layers
        let primary = AttributionSimilarity.spearmanAbsolute.name
        func end(_ method: String) -> Double? { r.test(.cascading(step: L), method: method, measure: primary)?.null.mean }
        func first(_ method: String) -> Double? { r.test(.cascading(step: 1), method: method, measure: primary)?.null.mean }
        var lines: [String] = []
        if let g = end("gradient"), let g1 = first("gradient") {
            lines.append("Gradient: \(g < 0.3 ? "**same shape**" : "**different shape**") — it \(g < 0.3 ? "falls towards 0" : "does not fall towards 0"): "
                         + "\(fixed(g1)) after the logits are re-initialized, \(fixed(g)) once every layer is (published 0.60 → 0.082).")
        }
        for method in ["gradient-times-input", "integrated-gradients"] {
            if let v = end(method) {
                lines.append("\(StageCurveFigure.displayName(method)): \(v >= 0.7 ? "**same shape**" : "**different shape**") — "
                             + "\(v >= 0.7 ? "stays high" : "falls"), \(fixed(v)) at full randomization (published ≈ 0.99).")
            }
        }
        if let v = end("guided-backprop") {
            // The paper's end point is 0.44, which it reads as "stays high" (far above Gradient's 0.082).
            lines.append("Guided BackProp: \(v >= 0.3 ? "**same shape**" : "**different shape**") — "
                         + "\(v >= 0.3 ? "stays well above 0" : "falls towards 0"), \(fixed(v)) at full randomization "
                         + "(published 0.89 → 0.44 on the CNN; the paper reads it as staying high).")
        }
        if let v = end("smoothgrad"), let g = end("gradient") {
            lines.append("SmoothGrad: \(fixed(v)) at full randomization against Gradient's \(fixed(g)) (published 0.21 against 0.082: "
                         + "SmoothGrad stays a little higher than Gradient).")
        }
        guard !lines.isEmpty else { return "" }
        return "What the numbers say, method by method:\n\n" + lines.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
            + differences(r)
    }

    /// Where our shapes differ from the paper's, and the mechanisms behind it, with the numbers
    /// that support them.
    static func differences(_ r: SanityCheckResult) -> String {
        let L = r.layers
        let abs = AttributionSimilarity.spearmanAbsolute.name, signed = AttributionSimilarity.spearman.name
        func value(_ stage: RandomizationStage, _ method: String, _ measure: String) -> String {
            fixed(r.test(stage, method: method, measure: measure)?.null.mean)
        }
        let methods = Set(r.configuration.methods)
        var md = "### Where the shapes differ, and why\n\n"
        let convolutional = !r.configuration.convolutionChannels.isEmpty
        if methods.contains("gradient") && !convolutional {
            md += "- **Gradient falls faster and lower.** After the logits alone are re-initialized our Gradient is at "
            md += "\(value(.cascading(step: 1), "gradient", abs)) (published 0.60), and it ends at \(value(.cascading(step: L), "gradient", abs)) "
            md += "(published 0.082). In an MLP the input gradient is W₁ᵀD₁W₂ᵀD₂…wₜ: replacing the read-out row wₜ by a random one "
            md += "leaves the ReLU masks D but mixes the hidden units with random signs, and no convolutional structure keeps nearby "
            md += "pixels alike; a CNN's random filters still produce spatially smooth, image-like maps whose rank correlation with "
            md += "the trained map stays above 0. Signed, the Gradient map is unrelated to the trained one after the first step "
            md += "(\(value(.cascading(step: 1), "gradient", signed))).\n"
        }
        let inputMasked = ["gradient-times-input", "integrated-gradients", "occlusion"].filter { methods.contains($0) }
        if !inputMasked.isEmpty {
            let ends = inputMasked.compactMap { r.test(.cascading(step: L), method: $0, measure: abs)?.null.mean }
            let low = ends.min() ?? .nan, high = ends.max() ?? .nan
            md += "- **Gradient ⊙ Input, Integrated Gradients (and occlusion) \(low >= 0.7 ? "stay high" : "do not all stay high"), at "
            md += "\(fixed(low))–\(fixed(high)) rather than 0.99.** These maps are exactly 0 "
            md += "wherever the pixel is 0 (zero baseline, occlusion by 0), whatever the weights: the shared zeros tie at the bottom of "
            md += "both rankings. A row with a fraction z of zero pixels and otherwise independent rankings has Spearman "
            md += "3z / (3z + (1 − z)²); the explained digits have z̄ = \(fixed(r.inputZeroFraction)), which gives "
            md += "\(fixed(r.absoluteRankTieFloor)) from the input alone (MNIST's z ≈ 0.8 gives 0.984, the paper's ≈ 0.99). "
            md += "The 8 × 8 digits have proportionally fewer blank pixels than 28 × 28 MNIST, so the floor — and these curves — sit lower. "
            let drops = inputMasked.compactMap { r.sensitivity(method: $0, measure: abs)?.effect.difference }
            let belowEffect = drops.allSatisfy { $0 < r.configuration.minimumEffect }
            md += "Their drops from the seed-to-seed reference are Δ = "
            md += drops.map { ReportNumberFormat.fixed($0, decimals: 2) }.joined(separator: ", ")
            md += belowEffect
                ? ", all below the minimum effect of \(ReportNumberFormat.plain(r.configuration.minimumEffect)); "
                : " (not all below the minimum effect of \(ReportNumberFormat.plain(r.configuration.minimumEffect))); "
            md += "on the signed maps they fall to "
            md += inputMasked.map { value(.cascading(step: L), $0, signed) }.joined(separator: ", ")
            md += ": the insensitivity is a property of the absolute-value rank measure meeting the input's zero mask, not of the maps "
            md += "being unchanged — which is why Adebayo et al. report both variants.\n"
        }
        if methods.contains("gradient") && convolutional {
            md += "- **Gradient** after the logits alone are re-initialized: \(value(.cascading(step: 1), "gradient", abs)) (published 0.60); "
            md += "fully randomized: \(value(.cascading(step: L), "gradient", abs)) (published 0.082). Signed: "
            md += "\(value(.cascading(step: 1), "gradient", signed)) after the first step.\n"
        }
        if methods.contains("guided-backprop") && convolutional {
            let end = r.test(.cascading(step: L), method: "guided-backprop", measure: abs)?.null.mean ?? .nan
            md += "- **Guided BackProp on a CNN** — published 0.89 → 0.77 → 0.63 → 0.44; ours: "
            md += (1...L).map { value(.cascading(step: $0), "guided-backprop", abs) }.joined(separator: " → ")
            md += end >= 0.3
                ? ". With local filters, ReLU and max pooling the guided backward pass partly reconstructs the input whatever the "
                    + "weights (Nie, Zhang & Patel, ICML 2018), so the map of a fully random CNN still resembles the trained one, as in the paper. "
                : ". Even on a CNN the guided map of a fully random network is far from the trained one here; one possible reason, "
                    + "not tested here, is that the reconstruction effect of Nie, Zhang & Patel (ICML 2018) needs more spatial extent "
                    + "than the 8 × 8 digits give. "
            // The first cascading stages whose similarity is still at or above the seed-to-seed reference.
            if let reference = r.reference(method: "guided-backprop", measure: abs)?.estimate {
                let stages = Array((1...L).prefix { (r.test(.cascading(step: $0), method: "guided-backprop", measure: abs)?.null.mean ?? -.infinity) >= reference })
                if !stages.isEmpty {
                    let convolutions = r.configuration.convolutionChannels.count
                    md += "Through \(stages.map { RandomizationStage.cascading(step: $0).label(layers: L, convolutions: convolutions) }.joined(separator: ", ")) "
                    md += "its similarity to the trained map (\(stages.map { value(.cascading(step: $0), "guided-backprop", abs) }.joined(separator: ", "))) "
                    md += "stays at or above the seed-to-seed reference (\(fixed(reference))): re-initializing those layers moves the guided map "
                    md += "no more than training another network does. "
                }
            }
            md += "The same study on the MLP (`adebayo-sanity-checks.md`) is the contrast to read beside this one: an MLP has no "
            md += "local structure from which the guided pass could reconstruct the image.\n"
            if let guided = r.sensitivity(method: "guided-backprop", measure: abs),
               let gradient = r.sensitivity(method: "gradient", measure: abs) {
                md += "- **The verdict on Guided BackProp.** Its drop from the seed-to-seed reference is Δ = "
                md += "\(ReportNumberFormat.fixed(guided.effect.difference)) (reference − null median) against Gradient's "
                md += "\(ReportNumberFormat.fixed(gradient.effect.difference)); the test's verdict is \(verdictText(guided.verdict)) with a minimum effect of "
                md += "\(ReportNumberFormat.plain(r.configuration.minimumEffect)). Adebayo et al.'s \"fails\" was a visual judgement of one seed "
                md += "(the random network's map still looks like the digit); a test against K random seeds with intervals "
                let g = guided.effect.difference, plain = gradient.effect.difference
                switch guided.verdict {
                case .distinguishable where g > 0 && plain >= 2 * g:
                    md += "finds the change real, but "
                    md += ReportNumberFormat.fixed(plain / g, decimals: 1)
                    md += " times smaller than Gradient's: both readings agree that much of the map survives randomization.\n"
                case .distinguishable:
                    md += "finds the change real, and not much smaller than Gradient's.\n"
                case .deadSalmon where g < r.configuration.minimumEffect:
                    md += "finds no change as large as the minimum effect: the map is dominated by the input, as the paper says.\n"
                case .deadSalmon:
                    md += "finds a change as large as the minimum effect but not a significant one after the correction.\n"
                case .inconclusive:
                    md += "cannot decide: \(AuditProse.reason(guided, policy: r.audit.policy)).\n"
                }
            }
        }
        if methods.contains("guided-backprop") && !convolutional {
            md += "- **Guided BackProp does not stay high here.** Published (CNN): 0.89 → 0.44; ours: "
            md += (1...L).map { value(.cascading(step: $0), "guided-backprop", abs) }.joined(separator: " → ")
            md += ". Part of the published shape is there: once the logits are random, re-initializing hidden2 changes it little "
            md += "(\(value(.cascading(step: 1), "guided-backprop", abs)) → \(value(.cascading(step: min(2, L)), "guided-backprop", abs))), as in the paper, "
            md += "where Guided BackProp declines only gradually while upper layers are randomized (0.89 → 0.77 → 0.63); here it is the "
            md += "first layer that takes it to near 0, and the logits alone already take it far below the paper's 0.89. Guided "
            md += "BackProp's insensitivity in CNNs comes from the architecture — local filters, ReLU and pooling let the guided "
            md += "backward pass partly reconstruct the image (Nie, Zhang & Patel, ICML 2018) — and an MLP has no local structure to "
            md += "reconstruct it from. REFERENCES.md quotes the paper's MLP only for Gradient, Integrated Gradients and Input ⊙ "
            md += "Gradient, so this is a genuine difference of architecture, not a contradiction of the paper. The same study on a "
            md += "CNN in the paper's shape (`salmon sanity-checks --architecture cnn`, `adebayo-sanity-checks-cnn.md`) tests that reading.\n"
        }
        if methods.contains("smoothgrad"), let smooth = r.test(.cascading(step: L), method: "smoothgrad", measure: abs)?.null.mean,
           let plain = r.test(.cascading(step: L), method: "gradient", measure: abs)?.null.mean {
            if smooth - plain > 0.02 {
                md += "- **SmoothGrad** ends above Gradient (\(fixed(smooth)) against \(fixed(plain)) at full randomization), as in the paper "
                md += "(0.21 against 0.082): averaging noisy gradients smooths a random network's map towards the input's coarse shape.\n"
            } else {
                md += "- **SmoothGrad** tracks Gradient (\(fixed(smooth)) against \(fixed(plain)) at full randomization; published 0.21 against "
                md += "0.082): averaging 50 noisy gradients of a random network does not create structure that the single gradient lacks.\n"
            }
        }
        if convolutional {
            md += "- **Stages.** Our CNN has \(L) layers (" + (0..<L).reversed().map { RandomizationStage.layerName($0, layers: L, convolutions: r.configuration.convolutionChannels.count) }.joined(separator: " → ")
            md += ") where their CNN had 4 cascading stages; both end at full randomization. Their filters were 5 × 5 on 28 × 28 "
            md += "images; ours are 3 × 3 on 8 × 8.\n"
        } else {
            md += "- **Fewer stages.** Our MLP has \(L) layers where their CNN had 4 cascading stages. Both are listed from the top and "
            md += "both end at full randomization, so the end points compare directly; the intermediate stages do not match one to one.\n"
        }
        // Could another random draw change a conclusion? Count the tests where some null draw reaches the reference.
        let headline = r.sensitivityTests
        let crossing = headline.filter { $0.extremeCount > 0 }
        md += "- **Intervals.** The paper reports one seed and no interval. Our interval of the reference is over trained seeds and "
        md += "\(r.evaluationExamples) digits; the spread of the null draws (the bands) is the one to read when asking "
        md += "whether another random draw could change a conclusion. "
        if crossing.isEmpty {
            md += "Here it could not: for every method and measure, each of the \(r.configuration.nullSeeds) fully randomized null draws "
            md += "lies below the seed-to-seed reference.\n\n"
        } else {
            md += "In \(crossing.count) of \(headline.count) method × measure pairs at least one fully randomized null draw reaches the reference ("
            md += crossing.map { "\(StageCurveFigure.displayName($0.method)), \(r.measure(of: $0))" }.joined(separator: "; ") + ").\n\n"
        }
        return md
    }

    static func setting(_ r: SanityCheckResult) -> String {
        let c = r.configuration
        let spec = r.audit.spec
        var md = "## Setting\n\n"
        md += "- **Data**: the bundled UCI 8 × 8 digits (1,797 images, pixels / 16 in [0, 1]), shuffled by the seed: \(r.evaluationExamples) "
        md += "held-out digits are explained, each for its true class; \(r.trainExamples) others train.\n"
        md += "- **Model**: \(c.architectureDescription), ReLU, PyTorch's default initialization; "
        md += "cross-entropy, AdamW (lr \(ReportNumberFormat.plain(c.learningRate)), weight decay \(ReportNumberFormat.plain(c.weightDecay))), "
        md += "batch \(c.batchSize), \(c.epochs) epochs, \(c.trainedSeeds) seeds. Accuracy on the explained digits: the trained model "
        md += "\(percent(r.trainedAccuracy.first)); the reference networks \(percentList(Array(r.trainedAccuracy.dropFirst()))).\n"
        md += "- **Methods** (all explain the logit of the digit's true class): Gradient (∂F/∂x, signed; the absolute measures take |·|), "
        md += "Gradient ⊙ Input, Integrated Gradients (zero baseline, Gauss–Legendre nodes from 50, refined until the completeness gap is "
        md += "≤ 1 %; on the trained model the gap is \(ReportNumberFormat.fixed(r.integratedGradientsRelativeGap * 100, decimals: 2)) % of "
        md += "|F(x) − F(0)|), SmoothGrad (σ = 15 % of each digit's range, 50 samples, the same noise for every model of a claim), Guided "
        md += "BackProp, single-pixel occlusion (replaced by 0; not in the paper).\n"
        md += "- **Measures**: " + c.measures.map { $0.label }.joined(separator: "; ")
        md += ". Top-k chance level: k/64 = \(c.measures.compactMap { if case .topK(let k) = $0 { return fixed(Double(k) / 64) } else { return nil } }.first ?? "—").\n"
        md += "- **Nulls** (what each family does to the network):\n"
        for null in spec.nulls {
            md += "  - `\(null.family)`, \(null.K) null models: \(NullFamilyDescription.text(null.family))\n"
        }
        md += "- **Intervals**: \(r.reference(method: c.methods[0], measure: c.measures[0].name)?.intervalMethod ?? "—"), "
        md += "\(ReportNumberFormat.percent(c.level)). Null ranges are the 2.5–97.5 % quantiles of the null draws (type 7).\n\n"
        if !r.audit.notes.isEmpty {
            md += "Notes from the audit:\n\n" + r.audit.notes.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
        }
        return md
    }

    static func provenance(_ r: SanityCheckResult) -> String {
        let p = r.audit.provenance
        var md = "## Provenance\n\n"
        md += "| | |\n|---|---|\n"
        md += "| master seed | \(p.masterSeed) |\n"
        md += "| generator | \(p.generator), substreams by \(p.streamDerivation) |\n"
        md += "| package version | \(p.packageVersion) |\n"
        md += "| spec hash | \(p.specHash) |\n"
        md += "| data hash (digits, trained weights) | \(p.dataHash) |\n"
        md += "| models | \(p.trainedModels) trained, \(p.nullModels) null |\n"
        md += "| correction | \(correctionName(r.audit.policy.correction)) across \(r.audit.policy.testCount) tests |\n"
        md += "| threads | any: units run in parallel with single-threaded BLAS; every number is the same for any `--jobs` |\n"
        md += "| streams | trained network s: `seed → trained → s → init / training`; null model k: `seed → null → family → k`; "
        md += "a claim's method (SmoothGrad's noise): `seed → method → claim`; bootstrap: `seed → bootstrap → claim`; "
        md += "random deletion order: `seed → faithfulness → random-order → row` |\n\n"
        return md
    }

    // MARK: - Formatting

    static func fixed(_ v: Double?) -> String { ReportNumberFormat.fixed(v) }
    static func p(_ v: Double?) -> String { ReportNumberFormat.pValue(v) }
    /// `0.899 · 0.893–0.905`: the null median and the 2.5–97.5 % range of the draws.
    static func nullSummary(_ t: TestResult) -> String { "\(fixed(t.null.median)) · \(fixed(t.null.lower))–\(fixed(t.null.upper))" }
    static func percent(_ v: Double?) -> String { ReportNumberFormat.proportion(v) }
    static func percentList(_ values: [Double]) -> String {
        values.isEmpty ? ReportNumberFormat.absent : values.map { percent($0) }.joined(separator: ", ")
    }
    static func correctionName(_ method: MultipleTestingMethod) -> String { MarkdownReport.correctionName(method) }
    static func mark(_ v: Verdict) -> String {
        switch v {
        case .distinguishable: return "✓"
        case .deadSalmon: return "✗"
        case .inconclusive: return "?"
        }
    }
    static func verdictText(_ v: Verdict) -> String {
        switch v {
        case .distinguishable: return "**sensitive** (distinguishable)"
        case .deadSalmon: return "insensitive (dead salmon)"
        case .inconclusive: return "inconclusive"
        }
    }
}
