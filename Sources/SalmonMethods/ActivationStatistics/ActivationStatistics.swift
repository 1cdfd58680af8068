import SalmonNetworks
import SalmonStatistics

/// Summary statistics of a layer's activations on the evaluation inputs: how strongly the layer
/// responds, and how many of its units never respond at all.
///
/// - `meanActivation` (larger = more structure): the mean activation over rows and units; its
///   per-example score is row i's mean over units, so the statistic is a mean of per-example
///   scores.
/// - `deadUnitFraction` (smaller = more structure): the fraction of units whose activation is at
///   most `threshold` on *every* row — "dead" units (Lu et al., "Dying ReLU and initialization",
///   2019, define a dead ReLU unit as one that outputs 0 on every input). It is not a mean of
///   per-example scores; ``ActiveUnits`` recomputes it on a resample of rows.
///
/// The explanation is a map over units: the fraction of rows on which each unit is above the
/// threshold. Mathematical properties: both statistics are invariant to the order of the rows; a
/// NaN or infinite activation is an error naming its row and unit.
public struct ActivationStatistics: Estimator {
    /// An activation at most this value counts as "off".
    public var threshold: Double

    public init(threshold: Double = 0) {
        precondition(threshold.isFinite, "a finite threshold")
        self.threshold = threshold
    }

    public var name: String { "activation-statistics" }
    public var requirements: Set<EstimatorRequirement> { [.activations] }
    public var statistics: [ExplanationStatistic] {
        [ExplanationStatistic("meanActivation", direction: .larger, summary: "mean activation over inputs and units"),
         ExplanationStatistic("deadUnitFraction", direction: .smaller, summary: "fraction of units at most \(threshold) on every input")]
    }

    /// The statistics of activations `[n, d]` (`stream` is unused: the method draws nothing).
    /// - Throws: ``MethodError`` for an empty matrix or a non-finite activation.
    public func explain(_ activations: Tensor, stream: RandomStream) throws -> Explanation {
        let units = try ActiveUnits(activations, threshold: threshold)
        let n = units.rows, d = units.units
        var rowMeans = [Double](repeating: 0, count: n)
        activations.scalars.withUnsafeBufferPointer { x in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<d { s += Double(x[i * d + j]) }
                rowMeans[i] = s / Double(d)
            }
        }
        let frequency = units.activeRowCounts.map { Double($0) / Double(n) }
        return Explanation(method: name, shape: .map,
                           scalars: ["meanActivation": Descriptive.mean(rowMeans),
                                     "deadUnitFraction": units.deadFraction],
                           perExample: ["meanActivation": rowMeans],
                           map: Explanation.Map(shape: [d], axes: ["unit"], values: frequency))
    }
}

/// Which units are active (above a threshold) on which rows, stored row by row (compressed:
/// the active units of row i are `activeUnits[rowStarts[i]..<rowStarts[i+1]]`), so the dead-unit
/// fraction of any resample of rows costs O(active entries of the resampled rows + units).
public struct ActiveUnits: Sendable {
    public let rows: Int
    public let units: Int
    let rowStarts: [Int]
    let activeUnits: [Int32]
    /// For each unit, the number of rows on which it is active.
    public let activeRowCounts: [Int]

    /// - Throws: ``MethodError`` for an empty matrix or a non-finite activation (naming its row and unit).
    public init(_ activations: Tensor, threshold: Double) throws {
        guard activations.rank == 2, activations.shape[0] >= 1, activations.shape[1] >= 1 else {
            throw MethodError("activation statistics need a [rows, units] matrix with at least one of each, found shape \(activations.shape)")
        }
        let n = activations.shape[0], d = activations.shape[1]
        var starts = [Int](repeating: 0, count: n + 1)
        var active: [Int32] = []
        var counts = [Int](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d {
                let v = activations.scalars[i * d + j]
                guard v.isFinite else { throw MethodError("activation \(v) at row \(i), unit \(j): expected finite activations") }
                // Compared in Float64: the threshold is the user's number, not its Float32 rounding.
                if Double(v) > threshold {
                    active.append(Int32(j))
                    counts[j] += 1
                }
            }
            starts[i + 1] = active.count
        }
        rows = n
        units = d
        rowStarts = starts
        activeUnits = active
        activeRowCounts = counts
    }

    /// The fraction of units active on no row.
    public var deadFraction: Double { Double(activeRowCounts.count { $0 == 0 }) / Double(units) }

    /// The fraction of units active on none of `rows` (indices into the rows, repetition allowed).
    public func deadFraction(over rows: UnsafeBufferPointer<Int>) -> Double {
        var seen = [Bool](repeating: false, count: units)
        var alive = 0
        for r in rows {
            for k in rowStarts[r]..<rowStarts[r + 1] {
                let j = Int(activeUnits[k])
                if !seen[j] { seen[j] = true; alive += 1 }
            }
        }
        return Double(units - alive) / Double(units)
    }
}
