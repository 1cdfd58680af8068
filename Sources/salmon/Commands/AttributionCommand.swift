import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon attribution`: the model-randomization sanity check on attribution maps you bring.
struct AttributionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attribution",
        abstract: "Compare your trained model's attribution maps with null models' maps (.npy/.npz/safetensors).",
        discussion: """
            Every file holds one method's maps for the same inputs in the same order and shape, one map per \
            row (e.g. [n, 64], [n, 8, 8] or Captum's [n, 1, 8, 8]); a file with several arrays is read as \
            FILE#NAME. For each null file: the mean per-input similarity to the trained maps with a bootstrap \
            interval over inputs. With --reference (the same method on another trained seed): the Monte Carlo \
            p-value that the trained-vs-null similarities are lower than trained-vs-reference, the effect sizes \
            (difference with its interval, z) and a verdict; exit 1 unless the method passes (p <= --alpha and \
            difference >= --minimum-effect). Writes OUT/attribution.csv and OUT/attribution.md.
            """
    )

    enum Measure: String, ExpressibleByArgument, CaseIterable {
        case spearmanAbs = "spearman-abs"
        case spearman
        case ssim
        case cosine
        case topk
    }

    @Option(help: "The trained model's maps.")
    var trained: String

    @Option(help: "Null models' maps: a glob such as 'random/*.npy' (quote it), or repeat the option.")
    var null: [String]

    @Option(help: "The same method's maps on another trained seed (the seed-to-seed reference).")
    var reference: String?

    @Option(help: "Similarity measure: spearman-abs, spearman, ssim, cosine or topk.")
    var measure: Measure = .spearmanAbs

    @Option(help: "k of the top-k intersection.")
    var topK: Int = 10

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "Bootstrap resamples over inputs.")
    var resamples: Int = 9999

    @Option(help: "Bootstrap interval: percentile, basic or bca.")
    var interval: BootstrapInterval = .bca

    @Option(help: "Confidence level of the intervals.")
    var level: Double = 0.95

    @Option(help: "Significance level of the reference test.")
    var alpha: Double = 0.05

    @Option(help: "Smallest drop in similarity (reference - null) that counts as sensitive (the audits' default, 0).")
    var minimumEffect: Double = GateSpec().minimumEffect

    @Option(help: "Master seed of the bootstrap (recorded in the output).")
    var seed: UInt64 = 0

    @Option(help: "Worker threads (the result does not depend on it).")
    var jobs: Int = ProcessorCount.active

    func run() throws {
        guard resamples >= 1 else { throw UsageError(option: "--resamples", expected: "at least 1, found \(resamples)") }
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
        guard topK >= 1 else { throw UsageError(option: "--top-k", expected: "at least 1, found \(topK)") }
        try validateLevel(level)
        try validateLevel(alpha, option: "--alpha")
        guard minimumEffect >= 0 && minimumEffect.isFinite else {
            throw UsageError(option: "--minimum-effect", expected: "a number ≥ 0, found \(minimumEffect)")
        }
        var files: [String] = []
        for pattern in null {
            let matches = ProbeCommand.glob(pattern)
            guard !matches.isEmpty else { throw UsageError(option: "--null", expected: "files matching '\(pattern)', found none") }
            files += matches
        }
        guard !files.isEmpty else { throw UsageError(option: "--null", expected: "at least one null map file") }
        let similarity: AttributionSimilarity
        switch measure {
        case .spearmanAbs: similarity = .spearmanAbsolute
        case .spearman: similarity = .spearman
        case .ssim: similarity = .ssim(height: 1, width: 1)  // the image size comes from the trained maps
        case .cosine: similarity = .cosine
        case .topk: similarity = .topK(topK)
        }
        let result = try SuppliedMapComparison.run(trained: trained, nulls: files, reference: reference, measure: similarity,
                                                   interval: interval, level: level, resamples: resamples, seed: seed,
                                                   alpha: alpha, minimumEffect: minimumEffect, workers: jobs)
        let csv = Self.csv(result)
        let markdown = Self.markdown(result, alpha: alpha, minimumEffect: minimumEffect)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: out, expected: "a directory that can be created (\(error.localizedDescription))")
        }
        try AtomicFile.write(Data(csv.utf8), to: out + "/attribution.csv")
        try AtomicFile.write(Data(markdown.utf8), to: out + "/attribution.md")

        let nullMeans = result.nulls.map(\.mean).filter { !$0.isNaN }
        var lines = ["\(result.measure.name) of \(result.trained) against \(result.nulls.count) null file\(result.nulls.count == 1 ? "" : "s"): mean \(ReportNumberFormat.fixed(nullMeans.isEmpty ? .nan : nullMeans.reduce(0, +) / Double(nullMeans.count)))"]
        if let r = result.reference {
            lines.append("reference \(ReportNumberFormat.fixed(r.reference.mean)); difference \(ReportNumberFormat.estimate(r.difference, interval: r.differenceInterval)); z \(ReportNumberFormat.fixed(r.standardizedDistance, decimals: 1)); p \(ReportNumberFormat.pValue(r.test.pValue)): \(Self.verdictText(r.verdict))")
        }
        lines.append("wrote \(out)/attribution.csv, \(out)/attribution.md")
        emit(lines.joined(separator: "\n") + "\n")
        if let r = result.reference, r.verdict != .distinguishable { throw ExitCode(1) }
    }

    static func verdictText(_ v: Verdict) -> String {
        switch v {
        case .distinguishable: return "sensitive to the model's parameters (distinguishable)"
        case .deadSalmon: return "insensitive (a dead salmon)"
        case .inconclusive: return "inconclusive (more null files could change the verdict)"
        }
    }

    /// One row per null file, then the reference and the test: `role,file,measure,rows,estimate,lower,upper,undefined_rows,p,z`.
    static func csv(_ r: SuppliedMapComparison) -> String {
        var rows = [["role", "file", "measure", "rows", "estimate", "lower", "upper", "undefined_rows", "p", "z"]]
        let n = "\(r.shape[0])"
        for e in r.nulls {
            rows.append(["null", e.source, r.measure.name, n, cell(e.mean), cell(e.interval.lower), cell(e.interval.upper), cell(e.undefinedRows), "", ""])
        }
        if let t = r.reference {
            let e = t.reference
            rows.append(["reference", e.source, r.measure.name, n, cell(e.mean), cell(e.interval.lower), cell(e.interval.upper), cell(e.undefinedRows), "", ""])
            rows.append(["reference-minus-null", "", r.measure.name, n, cell(t.difference), cell(t.differenceInterval.lower),
                         cell(t.differenceInterval.upper), "", cell(t.test.pValue), cell(t.standardizedDistance)])
        }
        return CSVOutput(header: rows[0], rows: Array(rows.dropFirst())).text
    }

    static func markdown(_ r: SuppliedMapComparison, alpha: Double, minimumEffect: Double) -> String {
        var md = "# Attribution sanity check: \(r.trained)\n\n"
        md += "Measure: \(r.measure.label); \(r.shape[0]) inputs, maps of shape \(r.shape.dropFirst().map(String.init).joined(separator: " × ")). "
        md += "Intervals: \(r.resampling).\n\n"
        if let t = r.reference {
            md += "## Is the method sensitive to the model's parameters?\n\n"
            md += "| | |\n|---|---|\n"
            md += "| similarity to another trained seed (reference) | \(ReportNumberFormat.estimate(t.reference.mean, interval: t.reference.interval)) |\n"
            let means = r.nulls.map(\.mean).filter { !$0.isNaN }
            md += "| similarity to the null models (mean of \(means.count)) | \(ReportNumberFormat.fixed(means.isEmpty ? .nan : means.reduce(0, +) / Double(means.count))) |\n"
            md += "| Δ = reference − null, per input | \(ReportNumberFormat.estimate(t.difference, interval: t.differenceInterval)) |\n"
            md += "| z = (reference − mean(null)) / sd(null) | \(ReportNumberFormat.fixed(t.standardizedDistance, decimals: 2)) |\n"
            md += "| Monte Carlo p, (1 + #{null ≥ reference}) / (1 + K) | \(ReportNumberFormat.pValue(t.test.pValue)) |\n"
            md += "| verdict (p ≤ \(ReportNumberFormat.plain(alpha)) and Δ ≥ \(ReportNumberFormat.plain(minimumEffect))) | \(verdictText(t.verdict)): \(t.reason) |\n\n"
        }
        md += "## Each null file\n\n| file | mean similarity | interval | undefined rows |\n|---|---|---|---|\n"
        for e in r.nulls {
            md += "| \(e.source) | \(ReportNumberFormat.fixed(e.mean)) | \(ReportNumberFormat.bracketed((e.interval.lower, e.interval.upper))) | \(e.undefinedRows) |\n"
        }
        return md
    }
}
