import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon attribution`: the model-randomization sanity check on attribution maps you bring, as
/// an audit built in code (`model.maps`, the `supplied-maps` family) and run by the engine.
struct AttributionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attribution",
        abstract: "Test your trained model's attribution maps against null models' maps (.npy/.npz/safetensors) with an audit.",
        discussion: """
            Every file holds one method's maps for the same inputs in the same order and shape, one map per \
            row (e.g. [n, 64], [n, 8, 8] or Captum's [n, 1, 8, 8]); a file with several arrays is read as \
            FILE#NAME. The estimate is the mean per-input similarity of the --reference maps (the same method on \
            other trained seeds) to the --trained maps; each null draw is the same for as many --null files \
            (maps of randomized networks). The audit gives the interval (two-level over seeds and inputs when \
            several references are given), the Monte Carlo p-value, the effect sizes and the verdict by the \
            audit's one rule; exit 1 unless the maps are distinguishable from the null (p <= --alpha and \
            reference - null median >= --minimum-effect). Writes the audit's report directory to OUT: \
            report.md, results.csv, results.json, junit.xml, figures/.
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

    @Option(help: "The same method's maps on another trained seed (the seed-to-seed reference); repeat for several seeds.")
    var reference: [String] = []

    @Option(help: "Similarity measure: spearman-abs, spearman, ssim, cosine or topk.")
    var measure: Measure = .spearmanAbs

    @Option(parsing: .unconditional, help: "k of the top-k intersection (with --measure topk; default 10).")
    var topK: Int?

    @Option(help: "Output directory (the audit's report).")
    var out: String

    @Option(parsing: .unconditional, help: "Bootstrap resamples over inputs (at least 100).")
    var resamples: Int = 9999

    @Option(help: "Bootstrap interval: percentile, basic or bca.")
    var interval: BootstrapInterval = .bca

    @Option(parsing: .unconditional, help: "Confidence level of the intervals.")
    var level: Double = 0.95

    @Option(parsing: .unconditional, help: "Significance level.")
    var alpha: Double = 0.05

    @Option(parsing: .unconditional, help: "Smallest drop in similarity (reference - null median) that counts (the audits' default, 0).")
    var minimumEffect: Double = GateSpec().minimumEffect

    @Option(parsing: .unconditional, help: "Master seed of the bootstrap (recorded in the output).")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Worker threads (the result does not depend on it).")
    var jobs: Int = ProcessorCount.active

    func run() async throws {
        try await naming("salmon attribution options", options: Self.specOptions) { try await body() }
    }

    private func body() async throws {
        try ReportDirectory.requireOutputDirectory(out)
        guard resamples >= 100 else { throw UsageError(option: "--resamples", expected: "at least 100, found \(resamples)") }
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
        if let topK {
            guard measure == .topk else { throw UsageError(option: "--top-k", expected: "--measure topk (k is the top-k intersection's), found --measure \(measure.rawValue)") }
            guard topK >= 1 else { throw UsageError(option: "--top-k", expected: "at least 1, found \(topK)") }
        }
        try validateLevel(level)
        try validateLevel(alpha, option: "--alpha")
        guard minimumEffect >= 0 && minimumEffect.isFinite else {
            throw UsageError(option: "--minimum-effect", expected: "a number ≥ 0, found \(minimumEffect)")
        }
        guard !reference.isEmpty else {
            throw UsageError(option: "--reference", expected: "the same method's maps on at least one other trained seed: their similarity to the trained maps is what the null maps are tested against")
        }
        var files: [String] = []
        for pattern in null {
            let matches = ProbeCommand.glob(pattern)
            guard !matches.isEmpty else { throw UsageError(option: "--null", expected: "files matching '\(pattern)', found none") }
            files += matches
        }
        guard !files.isEmpty else { throw UsageError(option: "--null", expected: "at least one null map file") }
        // Each null draw averages as many null maps as there are trained maps (K ≥ K_t).
        guard files.count >= 1 + reference.count else {
            throw UsageError(option: "--null", expected: "at least \(1 + reference.count) null map files (each null draw is compared the way the \(1 + reference.count) trained maps are: --trained and \(reference.count) --reference), found \(files.count)")
        }
        let spec = try Self.spec(trained: [trained] + reference, nulls: files, similarity: measure == .topk ? "top-\(topK ?? 10)" : measure.rawValue,
                                 resamples: resamples, interval: interval, level: level, alpha: alpha, minimumEffect: minimumEffect, seed: seed)
        let subject = try AttributionMapSubject(spec: spec)
        let (result, _) = try await Audit.run(spec: spec, subject: subject, jobs: jobs, progress: ProgressLine().callback)
        guard let result else { throw AuditError("attribution: the audit gave no result") }
        try writeReports(result, to: out)
        try exitForClaims(result)
    }

    /// The option each field of the generated spec comes from (errors name the option).
    static let specOptions: [String: String] = [
        "alpha": "--alpha", "resampling.bootstrap": "--resamples", "resampling.level": "--level", "resampling.interval": "--interval",
        "gate.minimumEffect": "--minimum-effect", "seed": "--seed",
        "claims[0].method.similarity": "--top-k", "claims.maps.method.similarity": "--top-k",
    ]

    /// The audit of supplied maps: trained network 0's maps first, then the reference seeds';
    /// one `supplied-maps` claim; the null files as the family `supplied`.
    static func spec(trained: [String], nulls: [String], similarity: String, resamples: Int, interval: BootstrapInterval, level: Double,
                     alpha: Double, minimumEffect: Double, seed: UInt64) throws -> AuditSpec {
        var model = ModelSpec(task: nil)
        model.maps = AttributionMapFiles(trained: trained, nulls: .list(nulls))
        let claim = ClaimSpec(name: "maps", method: try MethodSpec(name: "supplied-maps", parameters: SuppliedMapsParameters(similarity: similarity)))
        var resampling = ResamplingSpec()
        resampling.bootstrap = resamples
        resampling.interval = interval
        resampling.level = level
        var gate = GateSpec()
        gate.minimumEffect = minimumEffect
        let spec = AuditSpec(name: "attribution", seed: seed, model: model, claims: [claim],
                             nulls: [NullSpec(family: NullSpec.Family.supplied.rawValue, K: nulls.count)], resampling: resampling,
                             alpha: alpha, gate: gate)
        try spec.validate()
        return spec
    }
}
