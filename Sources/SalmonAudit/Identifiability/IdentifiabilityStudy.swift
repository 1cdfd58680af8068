import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// How identifiable circuit explanations are, across training seeds: train K_t networks per width
/// on a Boolean gate with the recipe of Méloux et al. (ICLR 2025) — layer sizes [2, w, w, 1],
/// LeakyReLU(0.01) after every layer, MSE, AdamW (lr 10⁻³), batch 100, until the training loss is
/// below 0.01 — enumerate every circuit of each network that converged, and summarize the
/// distribution of perfect-circuit counts over seeds.
///
/// Seeds: network s of width w is initialized from `seed → "identifiability" → w → s → "init"` and
/// its minibatches drawn from `… → "training"`. A network counts as converged when its loss went
/// below 0.01 within `maxEpochs` and it computes the gate on all four inputs (the full network is
/// itself "perfect"); the others are reported and left out of the circuit statistics.
public struct IdentifiabilityStudy: Sendable {
    public var gate: BooleanGate
    public var widths: [Int]
    /// Training seeds per width (the same count for every width unless overridden).
    public var seeds: [Int: Int]
    public var masterSeed: UInt64
    public var maxEpochs: Int
    public var bootstrapResamples: Int

    public init(gate: BooleanGate = .xor, widths: [Int] = [2, 3, 4, 5], seeds: [Int: Int], masterSeed: UInt64 = 1,
                maxEpochs: Int = 20_000, bootstrapResamples: Int = 9_999) {
        self.gate = gate
        self.widths = widths
        self.seeds = seeds
        self.masterSeed = masterSeed
        self.maxEpochs = maxEpochs
        self.bootstrapResamples = bootstrapResamples
    }

    /// One trained network's outcome.
    public struct ModelOutcome: Sendable, Codable {
        public var width: Int
        public var seed: Int
        public var epochs: Int
        public var finalLoss: Double
        public var converged: Bool
        public var candidates: Double
        public var perfect: Double
        public var minimal: Int?
        public var meanJaccard: Double?
        public var containmentFraction: Double?
        public var seconds: Double
    }

    /// The summary for one width.
    public struct WidthSummary: Sendable, Codable {
        public var width: Int
        public var trained: Int
        public var converged: Int
        public var candidates: Double
        public var medianPerfect: Double?
        public var quartiles: [Double]?
        public var meanPerfect: Double?
        /// BCa interval of the mean perfect-circuit count over converged seeds (level 0.95).
        public var meanInterval: ConfidenceInterval?
        /// Fraction of converged networks with more than one perfect circuit, with its Clopper–Pearson interval.
        public var moreThanOne: Double?
        public var moreThanOneInterval: ConfidenceInterval?
        public var medianMinimal: Double?
        public var meanJaccard: Double?
        public var enumerationSeconds: Double
    }

    public struct Result: Sendable, Codable {
        public var gate: String
        public var masterSeed: UInt64
        public var generator: String
        public var streamDerivation: String
        public var maxEpochs: Int
        public var models: [ModelOutcome]
        public var widths: [WidthSummary]
    }

    /// Trains, enumerates and summarizes. `progress` receives a line per finished network.
    public func run(jobs: Int, progress: (@Sendable (String) -> Void)? = nil) throws -> Result {
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        let table: [Float] = [(false, false), (false, true), (true, false), (true, true)].map { gate($0, $1) ? 1 : 0 }
        let validation = CircuitValidation.booleanGate(table)
        var models: [ModelOutcome] = []
        var summaries: [WidthSummary] = []
        for width in widths {
            let count = seeds[width] ?? 0
            let sizes = [2, width, width, 1]
            // Train in parallel (each network is independent), then enumerate each converged one
            // with all workers (enumeration parallelizes internally).
            let recipe = GateNetworkTraining(gate: gate, sizes: sizes,
                                             training: IdentifiabilityTrainingSpec(seeds: count, maxEpochs: maxEpochs),
                                             masterSeed: masterSeed)
            let trained = ParallelMap.run(count: count, jobs: jobs) { s in recipe.train(seed: s, resample: nil) }
            var outcomes: [ModelOutcome] = []
            var seconds = 0.0
            for (s, (model, report)) in trained.enumerated() {
                let outputs = model(validation.inputs).scalars
                let converged = report.reachedTarget && validation.isPerfect(outputs)
                var outcome = ModelOutcome(width: width, seed: s, epochs: report.epochs, finalLoss: report.finalLoss, converged: converged,
                                           candidates: CircuitEnumerator.candidateCount(sizes: sizes), perfect: 0, minimal: nil,
                                           meanJaccard: nil, containmentFraction: nil, seconds: 0)
                if converged {
                    let started = Date()
                    let census = try CircuitEnumerator(model: model, validation: validation, keepLimit: 200_000).run(jobs: jobs)
                    let stats = census.statistics(maxPairs: 200_000,
                                                  stream: RandomStream(seed: masterSeed, path: ["identifiability", .index(width), .index(s), "pairs"]))
                    outcome.candidates = census.candidates
                    outcome.perfect = census.perfectCount
                    outcome.minimal = census.isComplete ? stats.minimal.count : nil
                    // Pair statistics only over all perfect circuits: the first ones in enumeration
                    // order are not a random sample.
                    outcome.meanJaccard = census.isComplete ? stats.meanJaccard : nil
                    outcome.containmentFraction = census.isComplete ? stats.containmentFraction : nil
                    outcome.seconds = Date().timeIntervalSince(started)
                    seconds += outcome.seconds
                }
                progress?("width \(width) seed \(s): \(converged ? "converged" : "did not converge") after \(report.epochs) epochs (loss \(String(format: "%.4f", report.finalLoss)))\(converged ? ", \(Int(outcome.perfect)) perfect circuits" : "")")
                outcomes.append(outcome)
            }
            models += outcomes
            summaries.append(try summarize(width: width, outcomes: outcomes, seconds: seconds))
        }
        return Result(gate: gate.rawValue, masterSeed: masterSeed, generator: RandomStream.generatorName,
                      streamDerivation: RandomStream.derivationScheme, maxEpochs: maxEpochs, models: models, widths: summaries)
    }

    func summarize(width: Int, outcomes: [ModelOutcome], seconds: Double) throws -> WidthSummary {
        let converged = outcomes.filter(\.converged)
        let counts = converged.map(\.perfect)
        var summary = WidthSummary(width: width, trained: outcomes.count, converged: converged.count,
                                   candidates: CircuitEnumerator.candidateCount(sizes: [2, width, width, 1]), enumerationSeconds: seconds)
        guard !counts.isEmpty else { return summary }
        let q = Quantile.quantiles(counts, [0.25, 0.5, 0.75])
        summary.medianPerfect = q[1]
        summary.quartiles = [q[0], q[2]]
        summary.meanPerfect = Descriptive.mean(counts)
        if counts.count >= 2, Set(counts).count > 1 {
            let boot = try Bootstrap(resamples: bootstrapResamples, seed: masterSeed,
                                     path: ["identifiability", .index(width), "bootstrap"], workers: 1).mean(counts)
            summary.meanInterval = try? boot.interval(.bca, level: 0.95)
        }
        let many = counts.filter { $0 > 1 }.count
        summary.moreThanOne = Double(many) / Double(counts.count)
        summary.moreThanOneInterval = try ClopperPearson.interval(successes: many, trials: counts.count, level: 0.95)
        let minimal = converged.compactMap(\.minimal).map(Double.init)
        if !minimal.isEmpty { summary.medianMinimal = Quantile.quantile(minimal, 0.5) }
        let jaccard = converged.compactMap(\.meanJaccard)
        if !jaccard.isEmpty { summary.meanJaccard = Descriptive.mean(jaccard) }
        return summary
    }
}
