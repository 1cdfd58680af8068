import Foundation
import SalmonAudit
import SalmonStatistics

/// The Markdown write-up of a sanity-check study: the verdicts, the cascading and independent
/// curves, data randomization, faithfulness, one table per method, the side-by-side with Adebayo
/// et al.'s published numbers, and the provenance.
///
/// Deterministic: the same result gives the same bytes (numbers through ``ReportNumberFormat``;
/// nothing depends on time or thread count).
public enum SanityCheckMarkdown {
    public static func render(_ result: SanityCheckResult, figures: [String], csv: String, command: String? = nil) -> String {
        let c = result.configuration
        let L = result.layers
        let full = RandomizationStage.cascading(step: L)
        let primary = c.measures.first?.name ?? ""
        let level = ReportNumberFormat.percent(c.level)
        let intervalName = c.interval == .bca ? "BCa" : c.interval.rawValue
        let convolutions = c.convolutionChannels.count
        let kind = convolutions == 0 ? "MLP" : "CNN"
        var md = "# Sanity checks for saliency maps, reproduced on the digits over \(c.nullSeeds) seeds (\(kind))\n\n"
        md += "Adebayo et al. (\"Sanity checks for saliency maps\", NeurIPS 2018) asked whether a saliency map changes when the "
        md += "network it explains is destroyed. This reproduction asks it of the \(c.architectureDescription) trained on the bundled 8 × 8 digits, "
        md += "with every random draw seeded and addressed, **\(c.nullSeeds) random seeds per randomization** instead of one, "
        md += "\(level) \(intervalName) intervals over the explained inputs, and a *reference*: the similarity between the maps of two "
        md += "independently trained networks, which is what \"the same model, up to training noise\" looks like.\n\n"
        md += "Regenerate with `\(command ?? "salmon sanity-checks\(convolutions == 0 ? "" : " --architecture cnn") --out Reports/reproductions --seeds \(c.nullSeeds)")` "
        md += "(the numbers are the same for any `--jobs`). All numbers are also in [`\(csv)`](\(csv)).\n\n"

        // Headline.
        md += "## In one table: is each method sensitive to the model's parameters?\n\n"
        md += "Measure: \(measureLabel(c.measures.first)). *Reference*: the trained model's maps against another trained seed's "
        md += "(mean over \(c.trainedSeeds - 1) reference seed\(c.trainedSeeds == 2 ? "" : "s")). *Fully randomized*: against the "
        md += "cascading randomization's last step (every layer re-initialized), mean over K = \(c.nullSeeds) seeds, with the "
        md += "\(level) \(intervalName) interval over inputs and, after the dot, the 2.5–97.5 % range over seeds. "
        md += "The published column is Adebayo et al.'s MNIST CNN at full randomization.\n\n"
        md += "| method | published (CNN) | reference | fully randomized | Δ = reference − randomized | p | p_adj | verdict |\n"
        md += "|---|---|---|---|---|---|---|---|\n"
        for method in c.methods.map(\.name) {
            guard let t = result.sensitivity.first(where: { $0.method == method && $0.measure == primary }),
                  let r = result.similarity(full, method: method, measure: primary) else { continue }
            let published = AdebayoPublished.spearmanAbsolute.first { $0.method == method }.map { ReportNumberFormat.fixed($0.values.last!) } ?? "—"
            md += "| \(StageCurveFigure.displayName(method)) | \(published) | \(fixed(t.reference)) | \(withInterval(r)) · \(spread(r)) | "
            md += "\(ReportNumberFormat.signed(t.difference)) \(bracket(t.differenceInterval)) | \(p(t.test?.pValue)) | \(p(t.adjustedPValue)) | "
            md += "\(verdictText(t.verdict)) |\n"
        }
        md += "\n"
        md += "Across all \(c.measures.count) measures (table \"Every sensitivity test\" below): "
        md += c.methods.map(\.name).map { method -> String in
            let tests = result.sensitivity.filter { $0.method == method }
            let failing = tests.filter { $0.verdict != .passes }.map(\.measure)
            return "\(StageCurveFigure.displayName(method)) passes \(tests.count - failing.count) of \(tests.count)"
                + (failing.isEmpty || failing.count == tests.count ? "" : " (not on \(failing.joined(separator: ", ")))")
        }.joined(separator: "; ") + ".\n\n"
        md += thresholds(result)

        // Cascading figures.
        md += "## Cascading randomization (Adebayo et al.'s Figure 2)\n\n"
        md += "From left to right the layers are re-initialized from the logits down (`\(full.label(layers: L, convolutions: convolutions))` = every layer random). Each line "
        md += "is a method's mean similarity to the trained model's map, with its \(level) \(intervalName) band over inputs; the "
        md += "squares on the right are the seed-to-seed reference with their intervals. A method that is sensitive to the "
        md += "parameters falls below its reference; a dead salmon stays at it.\n\n"
        let measureNames = c.measures.map(\.name)
        for (i, measure) in c.measures.enumerated() {
            if let figure = figures.first(where: { $0.hasSuffix("-cascading-\(measureNames[i]).svg") }) {
                md += "![Cascading randomization, \(measure.label)](\(figure))\n\n"
            }
        }

        // Independent randomization.
        md += "## Independent randomization\n\n"
        md += "One layer re-initialized, every other layer kept trained (K = \(c.nullSeeds) seeds per layer).\n\n"
        for (i, measure) in c.measures.enumerated() {
            if let figure = figures.first(where: { $0.hasSuffix("-independent-\(measureNames[i]).svg") }) {
                md += "![Independent randomization, \(measure.label)](\(figure))\n\n"
            }
        }

        // Data randomization.
        if !result.permutedLabelsMemorized.isEmpty {
            md += "## Data randomization (networks retrained on permuted labels)\n\n"
            md += "\(result.permutedLabelsMemorized.count) networks trained from scratch for \(c.permutedLabelEpochs) epochs on the training "
            md += "split with its labels permuted: they fit \(percentList(result.permutedLabelsMemorized)) of the permuted training labels "
            md += "and score \(percentList(result.permutedLabelsTestAccuracy)) on the true test labels (chance ≈ 10 %). "
            md += "Similarity of their maps to the trained model's (\(level) \(intervalName) interval over inputs), beside the reference:\n\n"
            md += "| method | " + c.measures.map { "\($0.name): permuted labels | reference" }.joined(separator: " | ") + " |\n"
            md += "|---|" + String(repeating: "---|---|", count: c.measures.count) + "\n"
            for method in c.methods.map(\.name) {
                md += "| \(StageCurveFigure.displayName(method)) |"
                for measure in measureNames {
                    md += " \(result.similarity(.permutedLabels, method: method, measure: measure).map(withInterval) ?? "—") |"
                    md += " \(result.similarity(.referenceSeed, method: method, measure: measure).map { fixed($0.mean) } ?? "—") |"
                }
                md += "\n"
            }
            md += "\n"
        }

        // All sensitivity tests.
        md += "## Every sensitivity test\n\n"
        md += "One test per method × measure (\(result.sensitivity.count) tests, Holm-adjusted together). z = (reference − mean of the "
        md += "null draws) / their SD over seeds.\n\n"
        md += "| method | measure | reference | fully randomized (K = \(c.nullSeeds)) | Δ [\(level) CI] | z | p | p_adj | verdict |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for t in result.sensitivity {
            let r = result.similarity(full, method: t.method, measure: t.measure)
            md += "| \(StageCurveFigure.displayName(t.method)) | \(t.measure) | \(fixed(t.reference)) | \(r.map(withInterval) ?? "—") | "
            md += "\(ReportNumberFormat.signed(t.difference)) \(bracket(t.differenceInterval)) | \(ReportNumberFormat.fixed(t.standardizedDistance, decimals: 1)) | "
            md += "\(p(t.test?.pValue)) | \(p(t.adjustedPValue)) | \(verdictText(t.verdict)) |\n"
        }
        md += "\n"

        // Faithfulness.
        md += faithfulness(result, figure: figures.first { $0.hasSuffix("-faithfulness.svg") })

        // Per-method tables.
        md += "## Per method: every stage and measure\n\n"
        md += "Each cell: mean similarity to the trained model's map [\(level) \(intervalName) interval over \(result.evaluationExamples) inputs] "
        md += "· 2.5–97.5 % range of the per-seed means (K seeds: \(c.nullSeeds) per null stage, \(c.permutedLabelSeeds) permuted-label "
        md += "networks, \(c.trainedSeeds - 1) reference seed\(c.trainedSeeds == 2 ? "" : "s")).\n\n"
        for method in c.methods.map(\.name) {
            md += "### \(StageCurveFigure.displayName(method))\n\n"
            md += "| stage | " + measureNames.joined(separator: " | ") + " |\n"
            md += "|---|" + String(repeating: "---|", count: measureNames.count) + "\n"
            for stage in RandomizationStage.all(layers: L) {
                let cells = measureNames.map { measure -> String in
                    guard let s = result.similarity(stage, method: method, measure: measure) else { return "—" }
                    let range = s.seedMeans.count > 1 ? " · \(spread(s))" : ""
                    let undefined = s.undefinedRows > 0 ? " (\(s.undefinedRows) rows undefined)" : ""
                    return withInterval(s) + range + undefined
                }
                guard cells.contains(where: { $0 != "—" }) else { continue }
                md += "| \(stage.label(layers: L, convolutions: convolutions)) | " + cells.joined(separator: " | ") + " |\n"
            }
            md += "\n"
        }

        md += sideBySide(result)
        md += setting(result)
        md += provenance(result)
        return md
    }

    // MARK: - Sections

    static func thresholds(_ r: SanityCheckResult) -> String {
        let c = r.configuration
        let m = r.sensitivity.count
        let smallest = 1 / Double(c.nullSeeds + 1)
        var md = "**The test and its threshold.** For each method and measure the observed statistic is the reference "
        md += "similarity; the null draws are the K = \(c.nullSeeds) fully randomized similarities; the Monte Carlo p-value is "
        md += "(1 + #{randomized ≥ reference}) / (1 + K) (Phipson & Smyth 2010), Holm-adjusted across all \(m) method × measure "
        md += "tests. A method **passes** (is sensitive to the parameters) when p_adj ≤ α = \(ReportNumberFormat.plain(c.alpha)) *and* "
        md += "Δ = reference − randomized ≥ \(ReportNumberFormat.plain(c.minimumEffect)) (a drop of at least a tenth of the similarity "
        md += "scale: smaller drops are called insensitive however small p is). With K = \(c.nullSeeds) the smallest possible p "
        md += "is \(p(smallest)) and the smallest possible p_adj is \(p(min(1, Double(m) * smallest))), "
        if Double(m) * smallest > c.alpha {
            md += "which is above α, so a large drop is reported **inconclusive** rather than passing — "
            md += "K ≥ \(Int((Double(m) / c.alpha).rounded(.up)) - 1) seeds are needed for any test to pass after correction.\n\n"
        } else {
            md += "which is below α, so every verdict is decidable.\n\n"
        }
        return md
    }

    static func faithfulness(_ r: SanityCheckResult, figure: String?) -> String {
        let c = r.configuration
        let level = ReportNumberFormat.percent(c.level)
        var md = "## Faithfulness: deletion and insertion\n\n"
        md += "Procedure (on the trained model, the same \(r.evaluationExamples) digits): order the 64 pixels by attribution value, "
        md += "largest first (signed; ties by pixel index); in \(c.faithfulnessSteps) equal steps set the first round(s · 64 / "
        md += "\(c.faithfulnessSteps)) pixels in that order to 0 (deletion) or start from the all-zero image and set them to their "
        md += "values (insertion); record the softmax probability of the digit's true class; AUC by the trapezoid rule over the "
        md += "fraction 0…1. Lower deletion AUC and higher insertion AUC = the map ranks first what the model relies on. "
        md += "Null: the same curves in the order of each fully randomized model's map (K = \(c.nullSeeds)); one-sided Monte Carlo "
        md += "p-values (deletion: trained lower; insertion: trained higher), Holm across the \(r.faithfulness.count) tests; a "
        md += "uniformly random order per digit for reference.\n\n"
        if let figure { md += "![Deletion and insertion curves](\(figure))\n\n" }
        md += "| method | curve | trained map [\(level) CI] | randomized maps (mean · 2.5–97.5 % over seeds) | random order | z | p | p_adj | verdict |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for t in r.faithfulness {
            md += "| \(StageCurveFigure.displayName(t.method)) | \(t.kind.rawValue) | \(fixed(t.trained)) \(bracket(t.trainedInterval)) | "
            md += "\(fixed(t.randomized)) · \(fixed(t.randomizedQuantiles.first))–\(fixed(t.randomizedQuantiles.last)) | "
            md += "\(fixed(t.randomOrder)) | \(ReportNumberFormat.fixed(t.standardizedDistance, decimals: 1)) | \(p(t.test?.pValue)) | "
            md += "\(p(t.adjustedPValue)) | \(t.verdict == .passes ? "more faithful than randomized maps" : verdictText(t.verdict)) |\n"
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
        md += "; mean over K = \(c.nullSeeds) seeds with the \(ReportNumberFormat.percent(c.level)) interval over inputs.\n\n"
        md += "| method | published: " + AdebayoPublished.stages.joined(separator: " → ") + " | ours: "
        md += (1...L).map { RandomizationStage.cascading(step: $0).label(layers: L, convolutions: convolutions) }.joined(separator: " → ")
        md += " | ours: reference seed | published pattern | ours |\n|---|---|---|---|---|---|\n"
        for method in c.methods.map(\.name) {
            let published = AdebayoPublished.spearmanAbsolute.first { $0.method == method }
            let ours = (1...L).compactMap { r.similarity(.cascading(step: $0), method: method, measure: primary) }
            guard ours.count == L else { continue }
            md += "| \(StageCurveFigure.displayName(method)) | "
            md += published.map { $0.values.map { ReportNumberFormat.fixed($0) }.joined(separator: " → ") } ?? "not in the paper"
            md += " | " + ours.map { "\(fixed($0.mean)) \(bracket($0.interval))" }.joined(separator: " → ")
            md += " | \(r.similarity(.referenceSeed, method: method, measure: primary).map { fixed($0.mean) } ?? "—")"
            md += " | \(AdebayoPublished.pattern[method] ?? "—") | \(shape(ours.last!.mean, r.sensitivity.first { $0.method == method && $0.measure == primary })) |\n"
        }
        md += "\n"
        md += agreement(r)
        return md
    }

    /// How a fully randomized similarity reads in the published vocabulary.
    static func shape(_ value: Double, _ test: SensitivityTest?) -> String {
        let level = value < 0.3 ? "falls towards 0" : value < 0.7 ? "falls part way" : "stays high"
        return "\(level) (\(fixed(value))); \(test.map { verdictText($0.verdict) } ?? "—")"
    }

    /// Sentences comparing our shapes with the published ones, computed from the numbers.
    static func agreement(_ r: SanityCheckResult) -> String {
        let L = r.layers
        let primary = AttributionSimilarity.spearmanAbsolute.name
        func end(_ method: String) -> Double? { r.similarity(.cascading(step: L), method: method, measure: primary)?.mean }
        func first(_ method: String) -> Double? { r.similarity(.cascading(step: 1), method: method, measure: primary)?.mean }
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
            fixed(r.similarity(stage, method: method, measure: measure)?.mean)
        }
        let methods = Set(r.configuration.methods.map(\.name))
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
            let ends = inputMasked.compactMap { r.similarity(.cascading(step: L), method: $0, measure: abs)?.mean }
            let low = ends.min() ?? .nan, high = ends.max() ?? .nan
            md += "- **Gradient ⊙ Input, Integrated Gradients (and occlusion) \(low >= 0.7 ? "stay high" : "do not all stay high"), at "
            md += "\(fixed(low))–\(fixed(high)) rather than 0.99.** These maps are exactly 0 "
            md += "wherever the pixel is 0 (zero baseline, occlusion by 0), whatever the weights: the shared zeros tie at the bottom of "
            md += "both rankings. A row with a fraction z of zero pixels and otherwise independent rankings has Spearman "
            md += "3z / (3z + (1 − z)²); the explained digits have z̄ = \(fixed(r.inputZeroFraction)), which gives "
            md += "\(fixed(r.absoluteRankTieFloor)) from the input alone (MNIST's z ≈ 0.8 gives 0.984, the paper's ≈ 0.99). "
            md += "The 8 × 8 digits have proportionally fewer blank pixels than 28 × 28 MNIST, so the floor — and these curves — sit lower. "
            let drops = inputMasked.compactMap { m in r.sensitivity.first { $0.method == m && $0.measure == abs }?.difference }
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
            let end = r.similarity(.cascading(step: L), method: "guided-backprop", measure: abs)?.mean ?? .nan
            md += "- **Guided BackProp on a CNN** — published 0.89 → 0.77 → 0.63 → 0.44; ours: "
            md += (1...L).map { value(.cascading(step: $0), "guided-backprop", abs) }.joined(separator: " → ")
            md += end >= 0.3
                ? ". With local filters, ReLU and max pooling the guided backward pass partly reconstructs the input whatever the "
                    + "weights (Nie, Zhang & Patel, ICML 2018), so the map of a fully random CNN still resembles the trained one, as in the paper. "
                : ". Even on a CNN the guided map of a fully random network is far from the trained one here; one possible reason, "
                    + "not tested here, is that the reconstruction effect of Nie, Zhang & Patel (ICML 2018) needs more spatial extent "
                    + "than the 8 × 8 digits give. "
            // The first cascading stages whose similarity is still at or above the seed-to-seed reference.
            if let reference = r.similarity(.referenceSeed, method: "guided-backprop", measure: abs)?.mean {
                let stages = Array((1...L).prefix { (r.similarity(.cascading(step: $0), method: "guided-backprop", measure: abs)?.mean ?? -.infinity) >= reference })
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
            if let guided = r.sensitivity.first(where: { $0.method == "guided-backprop" && $0.measure == abs }),
               let gradient = r.sensitivity.first(where: { $0.method == "gradient" && $0.measure == abs }) {
                md += "- **The verdict on Guided BackProp.** Its drop from the seed-to-seed reference is Δ = "
                md += "\(ReportNumberFormat.fixed(guided.difference)) \(bracket(guided.differenceInterval)) against Gradient's "
                md += "\(ReportNumberFormat.fixed(gradient.difference)); the test's verdict is \(verdictText(guided.verdict)) with a minimum effect of "
                md += "\(ReportNumberFormat.plain(r.configuration.minimumEffect)). Adebayo et al.'s \"fails\" was a visual judgement of one seed "
                md += "(the random network's map still looks like the digit); a test against K random seeds with intervals "
                switch guided.verdict {
                case .passes where guided.difference > 0 && gradient.difference >= 2 * guided.difference:
                    md += "finds the change real, but "
                    md += ReportNumberFormat.fixed(gradient.difference / guided.difference, decimals: 1)
                    md += " times smaller than Gradient's: both readings agree that much of the map survives randomization.\n"
                case .passes:
                    md += "finds the change real, and not much smaller than Gradient's.\n"
                case .fails where guided.difference < r.configuration.minimumEffect:
                    md += "finds no change as large as the minimum effect: the map is dominated by the input, as the paper says.\n"
                case .fails:
                    md += "finds a change as large as the minimum effect but not a significant one after Holm's correction.\n"
                case .inconclusive:
                    md += "cannot decide with K = \(r.configuration.nullSeeds) seeds (Holm across \(r.sensitivity.count) tests needs "
                    md += "p ≤ α / \(r.sensitivity.count)).\n"
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
        if methods.contains("smoothgrad"), let smooth = r.similarity(.cascading(step: L), method: "smoothgrad", measure: abs)?.mean,
           let plain = r.similarity(.cascading(step: L), method: "gradient", measure: abs)?.mean {
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
        // Could another random draw change a conclusion? Count the tests where some seed reaches the reference.
        let crossing = r.sensitivity.filter { t in
            (r.similarity(.cascading(step: L), method: t.method, measure: t.measure)?.seedMeans.contains { $0 >= t.reference }) ?? false
        }
        md += "- **Intervals.** The paper reports one seed and no interval. Our intervals over inputs are narrow at "
        md += "\(r.evaluationExamples) digits; the spread over null seeds (the whiskers) is wider, and is the one to read when asking "
        md += "whether another random draw could change a conclusion. "
        if crossing.isEmpty {
            md += "Here it could not: for every method and measure, each of the \(r.configuration.nullSeeds) fully randomized similarities "
            md += "lies below the seed-to-seed reference.\n\n"
        } else {
            md += "In \(crossing.count) of \(r.sensitivity.count) method × measure pairs at least one fully randomized seed reaches the reference ("
            md += crossing.map { "\(StageCurveFigure.displayName($0.method)), \($0.measure)" }.joined(separator: "; ") + ").\n\n"
        }
        return md
    }

    static func setting(_ r: SanityCheckResult) -> String {
        let c = r.configuration
        var md = "## Setting\n\n"
        md += "- **Data**: the bundled UCI 8 × 8 digits (1,797 images, pixels / 16 in [0, 1]); a seeded split into \(r.trainExamples) "
        md += "training and \(r.testExamples) test digits; the first \(r.evaluationExamples) test digits are explained, each for its true class.\n"
        md += "- **Model**: \(c.architectureDescription), ReLU, PyTorch's default initialization; "
        md += "cross-entropy, AdamW (lr \(ReportNumberFormat.plain(c.learningRate)), weight decay \(ReportNumberFormat.plain(c.weightDecay))), "
        md += "batch \(c.batchSize), \(c.epochs) epochs. Test accuracy: the trained model \(percent(r.trainedTestAccuracy.first)); "
        md += "the reference seeds \(percentList(Array(r.trainedTestAccuracy.dropFirst()))).\n"
        md += "- **Methods** (all explain the logit of the digit's true class): Gradient (∂F/∂x, signed; the absolute measures take |·|), "
        md += "Gradient ⊙ Input, Integrated Gradients (zero baseline, 50 Gauss–Legendre steps; completeness gap on the trained model "
        md += "\(ReportNumberFormat.fixed(r.integratedGradientsRelativeGap * 100, decimals: 2)) % of |F(x) − F(0)|), SmoothGrad (σ = 15 % of "
        md += "each digit's range, 50 samples, the same noise for every model), Guided BackProp, single-pixel occlusion (replaced by 0; "
        md += "not in the paper).\n"
        md += "- **Measures**: " + c.measures.map { $0.label }.joined(separator: "; ")
        md += ". Top-k chance level: k/64 = \(c.measures.compactMap { if case .topK(let k) = $0 { return fixed(Double(k) / 64) } else { return nil } }.first ?? "—").\n"
        md += "- **Nulls**: for each of K = \(c.nullSeeds) seeds, the cascading randomization from the top (\(r.layers) steps) and each layer "
        md += "re-initialized alone (PyTorch's default initialization); \(c.permutedLabelSeeds) networks retrained on permuted labels; "
        md += "\(c.trainedSeeds - 1) reference network\(c.trainedSeeds == 2 ? "" : "s") trained like the trained model from other seeds.\n"
        md += "- **Intervals**: \(c.interval == .bca ? "BCa" : c.interval.rawValue) bootstrap over the explained inputs of the mean of "
        md += "per-input similarities averaged over the seeds (B = \(c.bootstrapResamples), \(ReportNumberFormat.percent(c.level))); the spread "
        md += "over seeds is the 2.5–97.5 % range of the per-seed means (type-7 quantiles).\n\n"
        return md
    }

    static func provenance(_ r: SanityCheckResult) -> String {
        let p = r.provenance
        var md = "## Provenance\n\n"
        md += "| | |\n|---|---|\n"
        md += "| master seed | \(p.seed) |\n"
        md += "| generator | \(p.generator), substreams by \(p.derivation) |\n"
        md += "| package version | \(p.packageVersion) |\n"
        md += "| digits hash (FNV-1a 64) | \(p.dataHash) |\n"
        md += "| resampling | \(p.resampling) |\n"
        md += "| correction | \(p.correction) |\n"
        md += "| threads | any: null seeds run in parallel with single-threaded BLAS and are reduced in seed order, so every number is the same for any `--jobs` |\n"
        for key in p.streams.keys.sorted() { md += "| stream: \(key) | `\(p.streams[key]!)` |\n" }
        md += "\n"
        return md
    }

    // MARK: - Formatting

    static func fixed(_ v: Double?) -> String { ReportNumberFormat.fixed(v) }
    static func p(_ v: Double?) -> String { ReportNumberFormat.pValue(v) }
    static func bracket(_ i: ConfidenceInterval) -> String { ReportNumberFormat.bracketed((i.lower, i.upper)) }
    static func withInterval(_ s: SimilaritySummary) -> String { "\(fixed(s.mean)) \(bracket(s.interval))" }
    static func spread(_ s: SimilaritySummary) -> String {
        "\(fixed(s.seedQuantiles.first))–\(fixed(s.seedQuantiles.last))"
    }
    static func percent(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        return ReportNumberFormat.fixed(v * 100, decimals: 1) + " %"
    }
    static func percentList(_ values: [Double]) -> String {
        values.isEmpty ? "—" : values.map { percent($0) }.joined(separator: ", ")
    }
    static func measureLabel(_ m: AttributionSimilarity?) -> String { m?.label ?? "—" }
    static func mean(_ x: [Double]) -> Double {
        let finite = x.filter { !$0.isNaN }
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }
    static func verdictText(_ v: SanityCheckVerdict) -> String {
        switch v {
        case .passes: return "**sensitive** (passes)"
        case .fails: return "insensitive (fails: dead salmon)"
        case .inconclusive: return "inconclusive (too few seeds)"
        }
    }
}
