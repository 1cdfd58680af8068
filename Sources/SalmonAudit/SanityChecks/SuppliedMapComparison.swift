import SalmonIO
import SalmonStatistics

/// The sanity check on attribution maps a user brings: the trained model's maps against the maps
/// of null models (randomized networks) and, optionally, of another trained seed — computed
/// anywhere (Captum, Quantus, JAX), as long as every file explains the same inputs in the same
/// order with the same shape.
///
/// For each null file i: the per-input similarity to the trained maps under one measure
/// (``AttributionSimilarity``), its mean over inputs and a bootstrap interval over inputs
/// (`seed → "bootstrap" → "null" → i`). With a reference file (the same method on another trained
/// seed):
/// - the Monte Carlo p-value `(1 + #{null mean ≥ reference mean}) / (1 + K)` that the trained-vs-null
///   similarities are lower than trained-vs-reference (Phipson & Smyth 2010; K = null files);
/// - effect sizes: Δ = mean over inputs of (reference − mean over nulls) per-input similarity, with
///   its bootstrap interval (`seed → "bootstrap" → "difference"`), and z = (reference − mean of the
///   null means) / their SD;
/// - a verdict by the audit's one rule (``AuditAssembler/verdict(_:pValues:adjusted:rejected:pValueInterval:extremeCount:draws:difference:directedDifference:smaller:alpha:correction:minimumEffect:)``,
///   one test): distinguishable when p ≤ α and Δ ≥ the minimum effect; inconclusive when K
///   cannot reach α or the p-value's interval reaches it; a dead salmon otherwise.
/// Undefined rows (a constant map under Spearman, a zero map under cosine) are NaN, left out of
/// the means and counted.
public struct SuppliedMapComparison: Sendable {
    /// One compared file.
    public struct Entry: Sendable, Equatable {
        public var source: String
        public var mean: Double
        public var interval: ConfidenceInterval
        public var undefinedRows: Int
    }

    /// The comparison with the reference, when one was given.
    public struct ReferenceTest: Sendable, Equatable {
        public var reference: Entry
        public var test: MonteCarloPValue
        public var difference: Double
        public var differenceInterval: ConfidenceInterval
        public var standardizedDistance: Double
        public var verdict: Verdict
        /// Why the verdict is what it is (one line).
        public var reason: String
    }

    public var trained: String
    public var shape: [Int]
    public var measure: AttributionSimilarity
    public var nulls: [Entry]
    public var reference: ReferenceTest?
    public var resampling: String

    /// Reads the files and compares them.
    /// - Parameters:
    ///   - measure: the measure; for SSIM pass any height and width — they are taken from the
    ///     trained maps' shape (`[n, h, w]` after dropping axes of size 1, or `[n, d]` with d a
    ///     perfect square).
    ///   - interval, level, resamples, seed: the bootstrap over inputs.
    /// - Throws: ``InputError`` naming the file for unreadable input, a non-finite value or a
    ///   shape that differs from the trained maps'; ``MethodError`` when the maps do not suit the
    ///   measure (k above the feature count, maps that are not images for SSIM).
    public static func run(trained: String, nulls: [String], reference: String? = nil, measure: AttributionSimilarity,
                           interval: BootstrapInterval = .bca, level: Double = 0.95, resamples: Int = 9999, seed: UInt64 = 0,
                           alpha: Double = 0.05, minimumEffect: Double = GateSpec().minimumEffect,
                           workers: Int = ProcessorCount.active) throws -> SuppliedMapComparison {
        guard !nulls.isEmpty else { throw InputError(file: "--null", expected: "at least one null map file") }
        let base = try ArrayInput.attributionMaps(trained)
        let rows = base.shape[0]
        var measure = measure
        if case .ssim = measure {
            let image = base.shape.dropFirst().filter { $0 != 1 }
            let d = base.values.count / rows
            let side = Int(Double(d).squareRoot().rounded())
            if image.count == 2 {
                measure = .ssim(height: image[0], width: image[1])
            } else if image.count == 1 && side * side == d {
                measure = .ssim(height: side, width: side)
            } else {
                throw InputError(file: base.source, expected: "image maps [rows, height, width] (or [rows, d] with d a square) for SSIM, found shape \(base.shape)")
            }
        }
        let prepared = try measure.prepare(base.values, rows: rows)

        func load(_ path: String) throws -> (values: [Double], source: String) {
            let file = try ArrayInput.attributionMaps(path)
            guard file.shape == base.shape else {
                throw InputError(file: file.source, expected: "maps of the trained maps' shape \(base.shape) (same inputs, same order), found \(file.shape)")
            }
            return (file.values, file.source)
        }
        func bootstrap(_ path: StreamPath) throws -> Bootstrap {
            try Bootstrap(resamples: resamples, seed: seed, path: path, workers: workers)
        }
        func entry(_ source: String, _ perRow: [Double], _ path: StreamPath) throws -> Entry {
            let defined = perRow.filter { !$0.isNaN }
            let (mean, ci) = try SimilaritySummary.meanAndInterval(defined, bootstrap: bootstrap(path), kind: interval, level: level)
            return Entry(source: source, mean: mean, interval: ci, undefinedRows: perRow.count - defined.count)
        }

        // Read and compare every file before any bootstrap, so bad input fails fast.
        var nullRows: [[Double]] = [], sources: [String] = []
        for path in nulls {
            let file = try load(path)
            nullRows.append(try measure.compare(prepared, with: file.values))
            sources.append(file.source)
        }
        let referenceFile = try reference.map(load)
        let referenceRows = try referenceFile.map { try measure.compare(prepared, with: $0.values) }

        let entries = try nullRows.indices.map { try entry(sources[$0], nullRows[$0], ["bootstrap", "null", .index($0)]) }
        var test: ReferenceTest?
        if let referenceFile, let referenceRows {
            let ref = try entry(referenceFile.source, referenceRows, ["bootstrap", "reference"])
            let null = entries.map(\.mean).filter { !$0.isNaN }
            guard ref.mean.isFinite, !null.isEmpty else {
                throw InputError(file: referenceFile.source, expected: "maps on which \(measure.name) is defined for at least one row (every row is constant or zero)")
            }
            let p = try MonteCarloTest.pValue(observed: ref.mean, null: null, alternative: .greater, level: 0.95)
            var differences: [Double] = []
            for r in 0..<rows where !referenceRows[r].isNaN {
                let values = nullRows.map { $0[r] }.filter { !$0.isNaN }
                if !values.isEmpty { differences.append(referenceRows[r] - values.reduce(0, +) / Double(values.count)) }
            }
            let (difference, ci) = try SimilaritySummary.meanAndInterval(differences, bootstrap: bootstrap(["bootstrap", "difference"]),
                                                                         kind: interval, level: level)
            let z = (try? EffectSize.standardizedDistance(ref.mean, from: null)) ?? .nan
            let (verdict, reason) = try AuditAssembler.verdict(
                0, pValues: [p.pValue], adjusted: p.pValue, rejected: p.pValue <= alpha, pValueInterval: p.interval,
                extremeCount: p.extremeCount, draws: null.count, difference: difference, directedDifference: difference, smaller: false,
                alpha: alpha, correction: .holm, minimumEffect: minimumEffect)
            test = ReferenceTest(reference: ref, test: p, difference: difference, differenceInterval: ci, standardizedDistance: z,
                                 verdict: verdict, reason: reason)
        }
        return SuppliedMapComparison(trained: base.source, shape: base.shape, measure: measure, nulls: entries, reference: test,
                                     resampling: "\(interval == .bca ? "BCa" : interval.rawValue) bootstrap over \(rows) inputs, B = \(resamples), level \(level), seed \(seed)")
    }
}
