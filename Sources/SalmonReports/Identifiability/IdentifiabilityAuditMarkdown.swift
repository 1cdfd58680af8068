import Foundation
import SalmonAudit
import SalmonStatistics

/// The Markdown report of an identifiability audit (`report.md`): the claims with their bounds and
/// verdicts, the per-width summary (perfect-circuit counts with median, IQR and the bootstrap
/// interval of the mean; the fraction of networks with more than one perfect circuit with its
/// Clopper–Pearson interval; the cross-seed overlap up to relabeling), the figures, every
/// network, the verdict rule and the provenance.
public enum IdentifiabilityAuditMarkdown {
    typealias N = ReportNumberFormat

    /// Renders the report; figures are linked under `figureDirectory`.
    public static func render(_ r: IdentifiabilityAuditResult, figureDirectory: String = ReportFiles.figures) -> String {
        var lines: [String] = []
        let held = r.claims.filter(\.holds).count
        let level = N.percent(r.spec.resampling.level)
        let bounds = N.percent(1 - r.spec.alpha)
        lines.append("# Identifiability audit: \(r.name)")
        lines.append("")
        lines.append("\(held) of \(r.claims.count) claims hold. \(r.spec.gate.rawValue.uppercased()) networks with layer sizes "
                     + r.widths.map { "[\($0.sizes.map(String.init).joined(separator: ", "))]" }.joined(separator: ", ")
                     + ", \(r.spec.training.seeds) training seeds per width"
                     + (r.spec.training.seedsPerWidth ?? []).map { " (\($0.seeds) at width \($0.width))" }.joined()
                     + (r.spec.training.resamples > 0 ? " and \(r.spec.training.resamples) bootstrap resamples of the training rows per seed" : "")
                     + "; every circuit of every converged network enumerated (Méloux et al., ICLR 2025).")
        lines.append("")
        lines.append("## Claims")
        lines.append("")
        lines.append("| claim | width | statistic | claimed | estimate | one-sided \(bounds) bounds | verdict | holds |")
        lines.append("| --- | ---: | --- | --- | ---: | --- | --- | --- |")
        for c in r.claims {
            var claimed: String
            switch c.expect {
            case .identifiable?: claimed = "identifiable (≤ \(N.plain(c.threshold)))"
            case .notIdentifiable?: claimed = "not identifiable (≥ \(N.plain(c.threshold)))"
            case nil: claimed = "\(c.comparison == .atMost ? "≤" : "≥") \(N.plain(c.threshold))"
            }
            var bounds = N.bracketed(c.bounds.map { ($0.lower, $0.upper) })
            if c.basis.kind == .againstNull {
                claimed = "\(c.comparison == .atLeast ? ">" : "<") permuted labels (\(N.fixed(c.nullEstimate)))"
                bounds = c.pValue.map { "p = \(N.fixed($0, decimals: 4))" } ?? N.absent
            }
            lines.append("| \(cell(c.claim)) | \(c.width) | \(c.statistic.rawValue) | \(claimed) | \(N.fixed(c.estimate)) | \(bounds) | \(c.verdict.rawValue) | \(c.holds ? "yes" : "**no**") |")
        }
        lines.append("")
        for c in r.claims { lines.append("- \(IdentifiabilityProse.message(c, alpha: r.spec.alpha))") }
        lines.append("")
        lines.append("![Claims](\(figureDirectory)/claims.svg)")
        lines.append("")
        lines.append("## Perfect circuits per network")
        lines.append("")
        lines.append("| width | candidates per network | converged [\(level) CP] | perfect circuits: median [IQR] | mean [\(level) BCa] | > 1 perfect circuit [\(level) CP] |")
        lines.append("| ---: | ---: | --- | --- | --- | --- |")
        for w in r.widths {
            let iqr = w.quartiles.map { "[\(count($0[0])), \(count($0[1]))]" } ?? ""
            lines.append("| \(w.width) | \(count(w.candidateCircuits)) | \(w.converged)/\(w.trained) \(N.bracketed(w.convergedFraction.interval.map { ($0.lower, $0.upper) })) | \(w.medianPerfect.map(count) ?? N.absent) \(iqr) | \(estimate(w.meanPerfect)) | \(w.withMultiplePerfect)/\(w.converged) = \(estimate(w.fractionWithMultiplePerfect)) |")
        }
        lines.append("")
        lines.append("![Perfect circuits per network](\(figureDirectory)/perfect-circuits.svg)")
        lines.append("")
        if r.spec.circuits.groundings { lines += groundingSection(r, level: level) }
        if r.spec.circuits.whatThenWhere { lines += whatThenWhereSection(r, level: level) }
        lines.append("## Circuits across seeds, up to relabeling of hidden units")
        lines.append("")
        lines.append("Two networks trained from different seeds number their hidden units arbitrarily, so circuits are compared after matching units: "
                     + "for each pair of converged seeds, the best Jaccard overlap of the node-and-edge sets over every pair of their "
                     + "\(r.spec.circuits.overlap == .minimal ? "*minimal* perfect circuits (those containing no other perfect circuit — where a pruning search ends; every perfect circuit contains one)" : "perfect circuits")"
                     + " and every permutation of the hidden units within each layer (searched jointly over the layers, exactly). "
                     + "1 means the two networks share a circuit identical up to relabeling. Intervals: BCa bootstrap over seeds (pairs of distinct resampled seeds averaged).")
        lines.append("")
        lines.append("| width | seed pairs | mean best overlap [\(level)] | pairs sharing a circuit [\(level)] | resampled data: mean overlap with the seed's network [\(level)] | resampled networks: median perfect circuits |")
        lines.append("| ---: | ---: | --- | --- | --- | ---: |")
        for w in r.widths {
            let resample = w.resamplePairs.isEmpty ? N.absent : "\(estimate(w.meanResampleOverlap)) (\(w.resamplePairs.count) networks)"
            lines.append("| \(w.width) | \(w.seedPairs.count) | \(estimate(w.meanBestOverlap)) | \(estimate(w.fractionOfPairsSharingACircuit)) | \(resample) | \(w.medianResamplePerfect.map(count) ?? N.absent) |")
        }
        lines.append("")
        for w in r.widths where !w.seedPairs.isEmpty {
            lines.append("![Best overlap across seeds at width \(w.width)](\(figureDirectory)/overlap-w\(w.width).svg)")
            lines.append("")
        }
        lines.append("## What it means for a circuit claim")
        lines.append("")
        lines.append("A circuit found by a search is one draw among the perfect circuits of that network, and the network is one draw among the networks "
                     + "the training recipe produces. When most networks admit more than one perfect circuit, \"the circuit\" of the network is not identified "
                     + "by the behaviour; when networks from different seeds share no circuit up to relabeling, \"the circuit\" of the task is not either. "
                     + "A circuit claim should come with both figures.")
        lines.append("")
        lines.append("## Networks")
        lines.append("")
        let grounded = r.spec.circuits.groundings, formulas = r.spec.circuits.whatThenWhere
        lines.append("| width | seed | resample | epochs | final loss | converged | perfect circuits | minimal | compared |"
                     + (grounded ? " explanations | bits |" : "") + (formulas ? " mapped formulas | minimal mappings |" : ""))
        lines.append("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |" + (grounded ? " ---: | ---: |" : "")
                     + (formulas ? " ---: | ---: |" : ""))
        for w in r.widths {
            for n in w.networks {
                var line = "| \(n.width) | \(n.seed) | \(n.resample.map(String.init) ?? N.absent) | \(n.epochs) | \(N.fixed(n.finalLoss, decimals: 4)) | \(n.converged ? "yes" : "no") | \(n.perfectCircuits.map(count) ?? N.absent) | \(n.minimalCircuits.map(String.init) ?? N.absent) | \(n.comparedCircuits.map { "\($0)\(n.comparedCircuitsSampled ? " (sample)" : "")" } ?? N.absent) |"
                if grounded { line += groundingCells(n) }
                if formulas {
                    let w = n.whatThenWhere
                    line += " \(w.map { "\($0.mappedFormulas)/\($0.candidateFormulas)" } ?? N.absent) | \(w.map { "\($0.minimalMappings)" } ?? N.absent) |"
                }
                lines.append(line)
            }
        }
        lines.append("")
        if r.widths.contains(where: { $0.nullNetworks != nil }) {
            lines.append("## Permuted-labels networks")
            lines.append("")
            lines.append("Trained by the same recipe on the gate's four outputs permuted across its inputs (one uniform permutation per network, "
                         + "its own initialization and minibatches); their circuits are perfect for their own labels.")
            lines.append("")
            lines.append("| width | network | labels (00, 01, 10, 11) | epochs | converged | perfect circuits |" + (grounded ? " explanations | bits |" : ""))
            lines.append("| ---: | ---: | --- | ---: | --- | ---: |" + (grounded ? " ---: | ---: |" : ""))
            for w in r.widths {
                for n in w.nullNetworks ?? [] {
                    var line = "| \(n.width) | \(n.seed) | \(n.labels.map { $0.map(String.init).joined() } ?? N.absent) | \(n.epochs) | \(n.converged ? "yes" : "no") | \(n.perfectCircuits.map(count) ?? N.absent) |"
                    if grounded { line += groundingCells(n) }
                    lines.append(line)
                }
            }
            lines.append("")
        }
        lines.append("## Method")
        lines.append("")
        let t = r.spec.training
        lines.append("Training (the recipe of Méloux et al.): LeakyReLU(0.01) after every layer, the output included; MSE; AdamW (lr \(N.plain(t.learningRate))); "
                     + "batch \(t.batchSize); until the loss over the training rows is below \(N.plain(t.lossTarget)) (at most \(t.maxEpochs) epochs); "
                     + "the four inputs repeated \(t.repeats) times. A network *converged* when it reached the loss target and computes the gate on every row. "
                     + "A circuit keeps a non-empty subset of every layer's nodes (not all of them) and an edge mask covering them; biases are never masked; "
                     + "it is *perfect* when its output, rounded half to even, is right on more than \(N.plain(r.spec.circuits.threshold * 100)) % of the rows. "
                     + (t.resamples > 0 ? "Resampled networks keep their seed's initialization and minibatch order and train on \(4 * t.repeats) rows drawn with replacement; they enter only the resample overlap. " : "")
                     + "Counts and fractions use the seed networks only.")
        lines.append("")
        lines.append("Verdict rule: \(IdentifiabilityProse.verdictRule(alpha: r.spec.alpha))")
        lines.append("")
        if !r.notes.isEmpty {
            lines.append("## Notes")
            lines.append("")
            for note in r.notes { lines.append("- \(note)") }
            lines.append("")
        }
        let p = r.provenance
        lines.append("## Provenance")
        lines.append("")
        lines.append("| | |")
        lines.append("| --- | --- |")
        lines.append("| package | \(p.package) \(p.packageVersion) |")
        lines.append("| master seed | \(p.masterSeed) |")
        lines.append("| generator | \(p.generator), streams \(p.streamDerivation) |")
        lines.append("| streams | \(p.streams.map { "`\($0)`" }.joined(separator: ", ")) |")
        lines.append("| spec hash | `\(p.specHash)` |")
        lines.append("| data hash | `\(p.dataHash)` |")
        lines.append("| networks | \(p.networks) (the same for any number of worker threads; `\(ReportFiles.run)` records how this run was carried out) |")
        lines.append("| bootstrap | B = \(r.spec.resampling.bootstrap), BCa, level \(level) |")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// A network's explanations and their entropy, as two table cells (" (est.)" for a sample).
    static func groundingCells(_ n: IdentifiabilityAuditResult.Network) -> String {
        let g = n.groundings
        return " \(g.map { explanations($0.explanations) + ($0.sampled ? " (est.)" : "") } ?? N.absent) | \(N.fixed(g?.explanationEntropy, decimals: 1)) |"
    }

    /// The interpretations of the perfect circuits (Méloux et al.'s groundings), per width.
    static func groundingSection(_ r: IdentifiabilityAuditResult, level: String) -> [String] {
        var lines: [String] = []
        lines.append("## Interpretations of the perfect circuits")
        lines.append("")
        lines.append("Each perfect circuit is *grounded* as Méloux et al.'s published code does: every node that is not constant over the four inputs "
                     + "gets a separation boundary (a midpoint between consecutive distinct activations; the output rounded first) and a logic gate "
                     + "of its parents' bits consistent with every input (patterns no input realizes are free, each filling a separate grounding; "
                     + "two-input XOR and XNOR excluded). An *explanation* is a (perfect circuit, grounding) pair; a network is identifiable in this "
                     + "sense when it has exactly one. Entropies are in bits: log₂ of the number of explanations (the information needed to single one "
                     + "out), and the entropy of the circuit of a uniformly drawn explanation (the part of those bits that says *where*). "
                     + "Networks with more than \(r.spec.circuits.groundingSample) perfect circuits are grounded on a uniform sample of "
                     + "\(r.spec.circuits.groundingSample) (bottom-k by a seeded hash) and their counts are estimates, N̂ = P/n · Σ g.")
        lines.append("")
        lines.append("| width | explanations per network: median | > 1 explanation [\(level) CP] | circuits with > 1 grounding: mean fraction [\(level) BCa] | explanation entropy, bits [\(level) BCa] | circuit entropy, bits [\(level) BCa] | networks sampled |")
        lines.append("| ---: | ---: | --- | --- | --- | --- | ---: |")
        for w in r.widths {
            guard let g = w.groundings else { continue }
            let units = g.fractionWithMultipleExplanations.units
            lines.append("| \(w.width) | \(g.medianExplanations.map(explanations) ?? N.absent) | \(g.withMultipleExplanations)/\(units) = \(estimate(g.fractionWithMultipleExplanations)) | \(estimate(g.meanFractionOfCircuitsWithMultipleGroundings)) | \(estimate(g.meanExplanationEntropy)) | \(estimate(g.meanCircuitEntropy)) | \(g.sampledNetworks) |")
        }
        lines.append("")
        return lines
    }

    /// The candidate algorithms and their mappings (Méloux et al.'s what-then-where), per width.
    static func whatThenWhereSection(_ r: IdentifiabilityAuditResult, level: String) -> [String] {
        var lines: [String] = []
        lines.append("## Candidate algorithms and where they sit")
        lines.append("")
        lines.append("The what-then-where view of Méloux et al., as their published code computes it: the candidate algorithms are the formulas "
                     + "over the inputs built from AND and OR of depth up to the number of layers after the input, with NOT on the first set "
                     + "of nodes that makes them compute the gate (56 for XOR with two hidden layers); a mapping places each internal node "
                     + "(other than the root) on a set of units of one hidden layer such that a single-node interchange intervention reproduces "
                     + "the formula on every pair of inputs (accuracy 1), the nodes on disjoint units; a mapping is minimal when no other is "
                     + "contained in it node by node. A network's algorithm is identified when exactly one candidate formula has a mapping.")
        lines.append("")
        lines.append("| width | candidate formulas | > 1 mapped formula [\(level) CP] | mapped formulas per network: mean [\(level) BCa] | minimal mappings per network: mean [\(level) BCa] |")
        lines.append("| ---: | ---: | --- | --- | --- |")
        for w in r.widths {
            guard let s = w.whatThenWhere else { continue }
            lines.append("| \(w.width) | \(s.candidateFormulas) | \(s.withMultipleMappedAlgorithms)/\(s.fractionWithMultipleMappedAlgorithms.units) = \(estimate(s.fractionWithMultipleMappedAlgorithms)) | \(estimate(s.meanMappedAlgorithms)) | \(estimate(s.meanMinimalMappings)) |")
        }
        lines.append("")
        return lines
    }

    /// A number of explanations: exact below 10⁶, else three significant digits.
    static func explanations(_ x: Double) -> String {
        x < 1e6 ? count(x) : String(format: "%.3g", x)
    }

    /// `mean [lower, upper]` of an estimate, `—` parts when absent.
    static func estimate(_ e: IdentifiabilityAuditResult.Estimate) -> String {
        "\(N.fixed(e.value)) \(N.bracketed(e.interval.map { ($0.lower, $0.upper) }))"
    }

    /// A count (integral values without decimals).
    static func count(_ x: Double) -> String {
        guard x.isFinite else { return N.absent }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return N.fixed(x, decimals: 1)
    }

    /// Text safe in a table cell.
    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
