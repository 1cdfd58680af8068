import ArgumentParser
import DeadSalmon
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `salmon identifiability`: perfect-circuit counts over training seeds and widths, as a report —
/// the identifiability audit of a spec built from the options (one implementation of the study).
struct IdentifiabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identifiability",
        abstract: "Train many [2, w, w, 1] gate networks, enumerate every circuit of each, and write the identifiability report.",
        discussion: """
            Runs the identifiability audit (what a 'kind: identifiability' spec describes) on the gate, widths and \
            seeds given, with the paper's recipe and one claim: the networks are not identifiable (more than one \
            perfect circuit) at every width. Writes OUT/identifiability-GATE.md, .json (the audit's result, the \
            spec included) and figures/. The result is the same for any --jobs.
            """
    )

    @Option(help: "The Boolean gate: xor, and, or, nand, nor, xnor.")
    var gate: String = "xor"

    @Option(parsing: .unconditional, help: "Hidden widths, comma-separated.")
    var widths: String = "2,3,4,5"

    @Option(parsing: .unconditional, help: "Training seeds per width.")
    var seeds: Int = 50

    @Option(help: "Per-width overrides of the seed count, e.g. 5:5 (width 5 has 1.25e9 candidates per network).")
    var seedsFor: [String] = []

    @Option(parsing: .unconditional, help: "Master seed.")
    var seed: UInt64 = 1

    @Option(help: "Output directory.")
    var out: String = "Reports/reproductions"

    @Option(parsing: .unconditional, help: "Worker threads (the results do not depend on it).")
    var jobs: Int = ProcessorCount.active

    func run() throws {
        try ReportDirectory.requireOutputDirectory(out)
        guard let g = BooleanGate(rawValue: gate) else { throw UsageError(option: "--gate", expected: "xor, and, or, nand, nor or xnor, found '\(gate)'") }
        // Every comma-separated item is a width: `2,,3` and `2,` are refused, not read as 2, 3.
        let items = widths.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let ws = items.compactMap { Int($0) }
        guard ws.count == items.count, !ws.isEmpty, ws.allSatisfy({ (1...IdentifiabilitySpec.maximumWidth).contains($0) }) else {
            throw UsageError(option: "--widths", expected: "widths in 1…\(IdentifiabilitySpec.maximumWidth), comma-separated, found '\(widths)'")
        }
        guard Set(ws).count == ws.count else { throw UsageError(option: "--widths", expected: "each width once, found '\(widths)'") }
        guard (1...10_000).contains(seeds) else { throw UsageError(option: "--seeds", expected: "1 … 10,000 seeds per width, found \(seeds)") }
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
        var overrides: [IdentifiabilityTrainingSpec.WidthSeeds] = []
        for o in seedsFor {
            let parts = o.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let w = Int(parts[0]), let n = Int(parts[1]), (1...10_000).contains(n), ws.contains(w) else {
                throw UsageError(option: "--seeds-for", expected: "WIDTH:SEEDS with WIDTH among --widths and SEEDS in 1 … 10,000, found '\(o)'")
            }
            guard !overrides.contains(where: { $0.width == w }) else {
                throw UsageError(option: "--seeds-for", expected: "one override per width, found width \(w) twice")
            }
            overrides.append(IdentifiabilityTrainingSpec.WidthSeeds(width: w, seeds: n))
        }
        let started = Date()
        var training = IdentifiabilityTrainingSpec(seeds: seeds)
        if !overrides.isEmpty { training.seedsPerWidth = overrides.sorted { $0.width < $1.width } }
        let claim = IdentifiabilityClaimSpec(name: "not-identifiable", statistic: .fractionWithMultiplePerfect, comparison: .atLeast,
                                             threshold: IdentifiabilityClaimSpec.defaultTolerance, expect: .notIdentifiable)
        let spec = IdentifiabilitySpec(name: "identifiability-\(g.rawValue)", seed: seed, gate: g, widths: ws, training: training,
                                       resampling: IdentifiabilityResamplingSpec(bootstrap: 9_999), claims: [claim])
        try spec.validate()
        var progress: (@Sendable (String) -> Void)? = nil
        if isatty(STDERR_FILENO) == 1 {
            progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        let result = try IdentifiabilityAudit(spec: spec).run(jobs: jobs, progress: progress)
        var command = "salmon identifiability --gate \(gate) --widths \(widths) --seeds \(seeds)"
        for o in seedsFor { command += " --seeds-for \(o)" }
        command += " --seed \(seed)"
        let paths = try IdentifiabilityReport.write(result, to: out, command: command)
        emit(result.widths.map { w in
            "width \(w.width): \(w.converged)/\(w.trained) converged, perfect circuits median \(w.medianPerfect.map { "\($0)" } ?? "—"), mean \(w.meanPerfect.value.map { "\($0)" } ?? "—")"
        }.joined(separator: "\n") + "\nreport: \(paths.last ?? out) (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)\n")
    }
}
