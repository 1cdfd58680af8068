import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon sanity-checks`: Adebayo et al.'s saliency sanity checks on the bundled digits, over
/// many seeds with intervals; writes the reproduction report.
struct SanityChecksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sanity-checks",
        abstract: "Reproduce Adebayo et al. 2018's saliency sanity checks on the digits over many seeds; write a report.",
        discussion: """
            Trains a 64-64-64-10 ReLU MLP (or, with --architecture cnn, a CNN in the shape of the paper's MNIST \
            CNN: conv3x3 16, ReLU, maxpool, conv3x3 32, ReLU, maxpool, 128-64-10) on the bundled 8x8 digits (and --trained-seeds - 1 reference \
            networks, and --permuted-label-seeds networks on permuted labels), explains held-out digits with \
            gradient, gradient x input, integrated gradients, SmoothGrad, guided backprop and occlusion, and \
            compares the trained maps with the maps of --seeds cascading and independent-layer randomizations \
            (Spearman with and without absolute values, SSIM, top-10 intersection), with BCa intervals over \
            inputs and the spread over seeds; tests "sensitive to the parameters" against the seed-to-seed \
            reference and deletion/insertion faithfulness against the randomized maps. Writes \
            OUT/adebayo-sanity-checks.md (adebayo-sanity-checks-cnn.md for the CNN), .csv and figures/. The result \
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

    @Option(help: "K: null seeds per randomization (at least 2).")
    var seeds: Int = 20

    @Option(help: "K_t: trained networks; the first is the trained model, the others the seed-to-seed reference (at least 2).")
    var trainedSeeds: Int = 3

    @Option(help: "Networks retrained on permuted labels (0 skips data randomization).")
    var permutedLabelSeeds: Int = 3

    @Option(help: "Held-out digits explained (at most 500, the test split).")
    var examples: Int = 500

    @Option(help: "Bootstrap resamples over inputs.")
    var resamples: Int = 9999

    @Option(help: "Master seed (recorded in the report).")
    var seed: UInt64 = 0

    @Option(help: "Worker threads across null seeds (the result does not depend on it).")
    var jobs: Int = ProcessorCount.active

    func run() throws {
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
        guard seeds >= 2 else { throw UsageError(option: "--seeds", expected: "at least 2, found \(seeds)") }
        guard trainedSeeds >= 2 else { throw UsageError(option: "--trained-seeds", expected: "at least 2, found \(trainedSeeds)") }
        guard permutedLabelSeeds >= 0 else { throw UsageError(option: "--permuted-label-seeds", expected: "at least 0, found \(permutedLabelSeeds)") }
        guard examples >= 2 && examples <= 500 else { throw UsageError(option: "--examples", expected: "in 2…500, found \(examples)") }
        guard resamples >= 1 else { throw UsageError(option: "--resamples", expected: "at least 1, found \(resamples)") }
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
        let study = try SanityCheck(c)
        let started = Date()
        let progress = ProgressLine()
        let result = try study.run(jobs: jobs, progress: progress.callback)
        let seconds = Date().timeIntervalSince(started)
        var command = "salmon sanity-checks" + (architecture == .cnn ? " --architecture cnn" : "") + " --out \(out) --seeds \(seeds)"
        if trainedSeeds != 3 { command += " --trained-seeds \(trainedSeeds)" }
        if permutedLabelSeeds != 3 { command += " --permuted-label-seeds \(permutedLabelSeeds)" }
        if examples != 500 { command += " --examples \(examples)" }
        if resamples != 9999 { command += " --resamples \(resamples)" }
        if seed != 0 { command += " --seed \(seed)" }
        let name = SanityCheckReport.defaultName + (architecture == .cnn ? "-cnn" : "")
        let written = try SanityCheckReport.write(result, to: out, name: name, command: command)
        var lines = ["sanity checks (\(c.architectureDescription)): \(c.methods.count) methods × \(c.measures.count) measures, K = \(seeds) null seeds, \(String(format: "%.1f", seconds)) s with \(jobs) jobs"]
        for test in result.sensitivity where test.measure == AttributionSimilarity.spearmanAbsolute.name {
            lines.append("  \(test.method): reference \(ReportNumberFormat.fixed(test.reference)), fully randomized \(ReportNumberFormat.fixed(test.randomized)), p_adj \(ReportNumberFormat.pValue(test.adjustedPValue)): \(test.verdict.rawValue)")
        }
        lines.append("wrote \(written.joined(separator: ", "))")
        emit(lines.joined(separator: "\n") + "\n")
    }
}
