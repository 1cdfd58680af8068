import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon fmri-demo`: the dead salmon of Bennett et al. (2009), in numbers.
///
/// The statistics core on its own, before any network: two simulated scans of `voxels` voxels, each voxel measured on `trials`
/// "stimulus" and `trials` "rest" trials: in the dead salmon every voxel is pure noise; in the
/// living brain `live` voxels respond with a standardized effect of `effect`. Each voxel gets a
/// permutation test; the uncorrected counts are then compared with Holm (FWER) and
/// Benjamini–Hochberg (FDR) corrections.
struct FMRIDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmri-demo",
        abstract: "The dead salmon in numbers: uncorrected tests find activity in noise; corrections do not."
    )

    @Option(parsing: .unconditional, help: "Voxels per scan.")
    var voxels: Int = 500

    @Option(parsing: .unconditional, help: "Voxels with a real effect in the living brain.")
    var live: Int = 25

    @Option(parsing: .unconditional, help: "Standardized effect size of the live voxels.")
    var effect: Double = 2.0

    @Option(parsing: .unconditional, help: "Trials per condition.")
    var trials: Int = 15

    @Option(parsing: .unconditional, help: "Permutations per voxel test.")
    var resamples: Int = 19_999

    @Option(parsing: .unconditional, help: "Master seed. Holm allows a false positive with probability 5 %, so about one seed in twenty shows one dead voxel surviving (seed 2009 does).")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Worker threads.")
    var jobs: Int = ProcessorCount.active

    struct ScanSummary {
        var uncorrected05 = 0, uncorrected001 = 0, holm = 0, bh = 0
        var trueFound = 0, falseFound = 0
    }

    func run() throws {
        guard voxels >= 1 else { throw UsageError(option: "--voxels", expected: "at least 1, found \(voxels)") }
        guard live >= 0 && live <= voxels else { throw UsageError(option: "--live", expected: "0 … --voxels (\(voxels)), found \(live)") }
        guard trials >= 2 else { throw UsageError(option: "--trials", expected: "at least 2, found \(trials)") }
        guard resamples >= 1 else { throw UsageError(option: "--resamples", expected: "at least 1, found \(resamples)") }
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
        guard effect.isFinite else { throw UsageError(option: "--effect", expected: "a finite number, found \(effect)") }
        // What the scan holds at once: the p-values of every voxel, one voxel's trials, one test's statistics.
        for (option, bytes, what) in [("--voxels", 8 * Double(voxels), "\(voxels) p-values of 8 bytes"),
                                      ("--trials", 16 * Double(trials), "2 × \(trials) trials of 8 bytes"),
                                      ("--resamples", 8 * Double(resamples), "\(resamples) permuted statistics of 8 bytes")] {
            if let excess = MemoryBudget.excess(bytes, what: what) { throw UsageError(option: option, expected: excess) }
        }
        let started = Date()
        let dead = try scan(name: "dead-salmon", effects: 0)
        let living = try scan(name: "living-brain", effects: live)
        let seconds = Date().timeIntervalSince(started)

        func row(_ label: String, _ a: Int, _ b: Int) -> String {
            label.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(a).leftPadded(11) + String(b).leftPadded(16)
        }
        var lines: [String] = []
        lines.append("The dead salmon, in numbers (Bennett et al. 2009): \(voxels) voxels, \(trials) stimulus vs \(trials) rest trials,")
        lines.append("one two-sided permutation test per voxel (B = \(resamples), seed \(seed), \(RandomStream.generatorName)).")
        lines.append("")
        lines.append("".padding(toLength: 44, withPad: " ", startingAt: 0) + "dead salmon".leftPadded(11)
                     + "living brain".leftPadded(16))
        lines.append(row("voxels with a real effect", 0, live))
        lines.append(row("\"active\" at p < 0.05, uncorrected", dead.uncorrected05, living.uncorrected05))
        lines.append(row("\"active\" at p < 0.001, uncorrected", dead.uncorrected001, living.uncorrected001))
        lines.append(row("active after Holm (FWER 0.05)", dead.holm, living.holm))
        lines.append(row("active after Benjamini-Hochberg (FDR 0.05)", dead.bh, living.bh))
        lines.append(row("  of which real effects (BH)", dead.trueFound, living.trueFound))
        lines.append(row("  of which false discoveries (BH)", dead.falseFound, living.falseFound))
        lines.append("")
        lines.append("Uncorrected, the dead fish \"responds\" in \(dead.uncorrected05) of \(voxels) voxels, about the 5 % that chance alone gives.")
        lines.append("After Holm's correction \(dead.holm) remain\(dead.holm == 1 ? "s" : "") (Holm keeps the chance of any false positive at 5 %), "
                     + "after Benjamini-Hochberg \(dead.falseFound) false discover\(dead.falseFound == 1 ? "y" : "ies");")
        lines.append("the living brain keeps \(living.trueFound) of its \(live) real effects after Benjamini-Hochberg.")
        FileHandle.standardError.write(Data("salmon fmri-demo: computed in \(String(format: "%.2f", seconds)) s\n".utf8))
        emit(lines.joined(separator: "\n") + "\n")
    }

    /// Simulates one scan and tests every voxel.
    private func scan(name: String, effects: Int) throws -> ScanSummary {
        let root = RandomStream(seed: seed)
        var pValues: [Double] = []
        pValues.reserveCapacity(voxels)
        for v in 0..<voxels {
            var noise = root.derived("demo", .label(name), "signal", .index(v))
            let shift = v < effects ? effect : 0
            let stimulus = (0..<trials).map { _ in noise.gaussian() + shift }
            let rest = (0..<trials).map { _ in noise.gaussian() }
            let test = try PermutationTest(resamples: resamples, seed: seed,
                                           path: ["demo", .label(name), "permutation", .index(v)], workers: jobs)
            pValues.append(try test.independent(stimulus, rest, alternative: .twoSided).pValue)
        }
        var summary = ScanSummary()
        summary.uncorrected05 = pValues.filter { $0 < 0.05 }.count
        summary.uncorrected001 = pValues.filter { $0 < 0.001 }.count
        summary.holm = try MultipleTesting.adjust(pValues, method: .holm).reject.filter { $0 }.count
        let bh = try MultipleTesting.adjust(pValues, method: .benjaminiHochberg).reject
        summary.bh = bh.filter { $0 }.count
        summary.trueFound = bh.indices.filter { bh[$0] && $0 < effects }.count
        summary.falseFound = summary.bh - summary.trueFound
        return summary
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
