import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon sanity-checks`: Adebayo et al.'s saliency sanity checks on the bundled digits as a
/// generated audit (``SanityCheck``); writes the reproduction report.
struct SanityChecksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sanity-checks",
        abstract: "Reproduce Adebayo et al. 2018's saliency sanity checks on the digits as an audit over many seeds; write a report.",
        discussion: """
            Generates an audit spec and runs it through the audit engine: a 64-64-64-10 ReLU MLP (or, with \
            --architecture cnn, a CNN in the shape of the paper's MNIST CNN: conv3x3 16, ReLU, maxpool, conv3x3 32, \
            ReLU, maxpool, 128-64-10) trained on the bundled 8x8 digits with --trained-seeds seeds; gradient, \
            gradient x input, integrated gradients, SmoothGrad, guided backprop and occlusion maps of held-out \
            digits; for every method and measure (Spearman with and without absolute values, SSIM, top-10 \
            intersection) the similarity to the trained model's maps at every cascading and independent \
            randomization stage and for networks retrained on permuted labels, each a test of the seed-to-seed \
            reference against --seeds null draws; deletion and insertion faithfulness. One correction across \
            every test (Benjamini-Hochberg unless --correction says otherwise) and the audit's verdict rule with \
            --minimum-effect. Writes OUT/adebayo-sanity-checks.md (adebayo-sanity-checks-cnn.md for the CNN), \
            .csv, .junit.xml and figures/; with --audit-out, the audit's own report directory too. The result \
            is the same for any --jobs.
            """
    )

    /// The network the study trains and randomizes.
    enum Architecture: String, ExpressibleByArgument, CaseIterable {
        case mlp, cnn
    }

    @Option(help: "The network: mlp (64-64-64-10) or cnn (conv 16, conv 32, dense 64; the paper's CNN shape).")
    var architecture: Architecture = .mlp

    @Option(help: "Output directory.")
    var out: String = "Reports/reproductions"

    @Option(parsing: .unconditional, help: "Null draws per randomization stage (each averages trained-seeds - 1 null models).")
    var seeds: Int = 20

    @Option(parsing: .unconditional, help: "K_t: trained networks; the first is the trained model, the others the seed-to-seed reference (at least 2).")
    var trainedSeeds: Int = 3

    @Option(parsing: .unconditional, help: "Null draws of networks retrained on permuted labels (0 leaves data randomization out).")
    var permutedLabelSeeds: Int = 3

    @Option(parsing: .unconditional, help: "Held-out digits explained (at most 500).")
    var examples: Int = 500

    @Option(parsing: .unconditional, help: "Bootstrap resamples (at least 100).")
    var resamples: Int = 9999

    @Option(help: "The correction across every test: bh (Benjamini-Hochberg, the default), holm, bonferroni, …")
    var correction: MultipleTestingMethod = .benjaminiHochberg

    @Option(parsing: .unconditional, help: "The smallest change that counts (similarity drop, AUC difference).")
    var minimumEffect: Double = SanityCheckConfiguration().minimumEffect

    @Option(help: "Also write the audit's report directory (report.md, results.json with every null draw, junit.xml, a figure per test) here.")
    var auditOut: String?

    @Option(help: "Save every finished network's results under DIR (the audit's record store), so that an interrupted run can --resume.")
    var records: String?

    @Flag(help: "Reuse the results saved in --records by an interrupted run of the same study.")
    var resume = false

    @Option(parsing: .unconditional, help: "Master seed (recorded in the report).")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Worker threads (the result does not depend on it).")
    var jobs: Int = ProcessorCount.active

    func run() async throws {
        try await naming("salmon sanity-checks options") { try await body() }
    }

    private func body() async throws {
        try ReportDirectory.requireOutputDirectory(out)
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
        guard seeds >= 1 else { throw UsageError(option: "--seeds", expected: "at least 1, found \(seeds)") }
        guard trainedSeeds >= 2 else { throw UsageError(option: "--trained-seeds", expected: "at least 2, found \(trainedSeeds)") }
        guard permutedLabelSeeds >= 0 else { throw UsageError(option: "--permuted-label-seeds", expected: "at least 0, found \(permutedLabelSeeds)") }
        guard examples >= 2 && examples <= 500 else { throw UsageError(option: "--examples", expected: "in 2…500, found \(examples)") }
        guard resamples >= 100 else { throw UsageError(option: "--resamples", expected: "at least 100, found \(resamples)") }
        // The generated spec's limits, said in the options' own terms: each randomization family
        // holds seeds × (trained seeds − 1) null networks, at most 1,000,000.
        guard trainedSeeds <= 10_000 else { throw UsageError(option: "--trained-seeds", expected: "at most 10,000, found \(trainedSeeds)") }
        let perSeed = trainedSeeds - 1
        guard seeds <= 1_000_000 / perSeed else {
            throw UsageError(option: "--seeds", expected: "at most \(1_000_000 / perSeed) with --trained-seeds \(trainedSeeds) (a family holds seeds × \(perSeed) null networks, at most 1,000,000), found \(seeds)")
        }
        guard permutedLabelSeeds <= 1_000_000 / perSeed else {
            throw UsageError(option: "--permuted-label-seeds", expected: "at most \(1_000_000 / perSeed) with --trained-seeds \(trainedSeeds), found \(permutedLabelSeeds)")
        }
        guard resamples <= 10_000_000 else { throw UsageError(option: "--resamples", expected: "at most 10,000,000, found \(resamples)") }
        guard minimumEffect >= 0 && minimumEffect.isFinite else {
            throw UsageError(option: "--minimum-effect", expected: "a number ≥ 0, found \(minimumEffect)")
        }
        var c = SanityCheckConfiguration()
        if architecture == .cnn {
            c.convolutionChannels = [16, 32]
            c.hidden = [64]
        }
        c.seed = seed
        c.nullSeeds = seeds
        c.trainedSeeds = trainedSeeds
        c.permutedLabelSeeds = permutedLabelSeeds
        c.evaluationExamples = examples
        c.bootstrapResamples = resamples
        c.correction = correction
        c.minimumEffect = minimumEffect
        let study = try SanityCheck(c)
        let started = Date()
        let progress = ProgressLine()
        if resume && records == nil { throw UsageError(option: "--resume", expected: "--records DIR (where the interrupted run saved its results)") }
        if let records { try ReportDirectory.requireOutputDirectory(records, option: "--records") }
        if let auditOut { try ReportDirectory.requireOutputDirectory(auditOut, option: "--audit-out") }
        let store = records.map { RecordStore(directory: $0) }
        let result = try await study.run(jobs: jobs, store: store, resume: resume, progress: progress.callback)
        let seconds = Date().timeIntervalSince(started)
        var command = "salmon sanity-checks" + (architecture == .cnn ? " --architecture cnn" : "") + " --out \(out) --seeds \(seeds)"
        if trainedSeeds != 3 { command += " --trained-seeds \(trainedSeeds)" }
        if permutedLabelSeeds != 3 { command += " --permuted-label-seeds \(permutedLabelSeeds)" }
        if examples != 500 { command += " --examples \(examples)" }
        if resamples != 9999 { command += " --resamples \(resamples)" }
        if correction != .benjaminiHochberg { command += " --correction \(correction.rawValue)" }
        if minimumEffect != SanityCheckConfiguration().minimumEffect { command += " --minimum-effect \(ReportNumberFormat.plain(minimumEffect))" }
        if seed != 0 { command += " --seed \(seed)" }
        let name = SanityCheckReport.defaultName + (architecture == .cnn ? "-cnn" : "")
        var written = try SanityCheckReport.write(result, to: out, name: name, command: command)
        if let auditOut { written += try ReportWriter.write(result.audit, to: auditOut) }
        var lines = ["sanity checks (\(c.architectureDescription)): \(c.methods.count) methods × \(c.measures.count) measures, \(seeds) null draws per stage, \(result.audit.tests.count) tests, \(String(format: "%.1f", seconds)) s with \(jobs) jobs"]
        for test in result.sensitivityTests where result.measure(of: test) == AttributionSimilarity.spearmanAbsolute.name {
            lines.append("  \(test.method): reference \(ReportNumberFormat.fixed(test.estimate)), fully randomized \(ReportNumberFormat.fixed(test.null.median)), p_adj \(ReportNumberFormat.pValue(test.adjustedPValue)): \(ReportNumberFormat.verdictText(test.verdict))")
        }
        lines.append("wrote \(written.count) files in \(out)\(auditOut.map { " and \($0)" } ?? "")")
        emit(lines.joined(separator: "\n") + "\n")
    }
}
