import SalmonMethods
import Foundation
import SalmonNetworks

/// Deletion and insertion curves of an attribution map (Petsiuk, Das & Saenko, "RISE", BMVC 2018;
/// Samek et al. 2017's "most relevant first" perturbation): how fast the model's confidence in the
/// target class falls as the features a map ranks highest are removed, or rises as they are
/// inserted into an empty input.
///
/// Procedure, per input row x with target class t and map a:
/// 1. order the d features by attribution value, largest first (signed: positive evidence for t
///    first), ties by lower feature index;
/// 2. for s = 0 … S (S = `steps`), with m_s = round(s · d / S) (halves away from zero):
///    - deletion: x with its first m_s features in that order replaced by 0 (the digits' blank
///      background);
///    - insertion: the all-zero input with its first m_s features set to x's values;
/// 3. evaluate the model on every curve point and take p_s = softmax(logits)[t], the target
///    class probability;
/// 4. the area under the curve by the trapezoid rule over the removed fraction s / S in [0, 1]:
///    AUC = Σ_{s<S} (p_s + p_{s+1}) / (2S).
/// A faithful map gives a low deletion AUC (removing what it ranks first destroys the prediction)
/// and a high insertion AUC.
///
/// The model is evaluated on all n · (S + 1) points in batches of at most `batchRows` rows, and of at
/// most 2²² scalars in its widest layer (``AttributableModel/widestActivation``).
public enum FeatureRemovalCurve {
    /// Which curve.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case deletion
        case insertion
    }

    /// Per-row curves and areas.
    public struct Result: Sendable, Equatable {
        /// `[n][S + 1]` target-class probabilities.
        public var curves: [[Double]]
        /// The area under each row's curve.
        public var areas: [Double]

        /// The mean curve over rows.
        public var meanCurve: [Double] {
            guard let width = curves.first?.count else { return [] }
            var mean = [Double](repeating: 0, count: width)
            for curve in curves { for s in 0..<width { mean[s] += curve[s] } }
            return mean.map { $0 / Double(curves.count) }
        }
    }

    /// The order in which a row's features are removed: by value descending, ties by index.
    static func order(_ row: ArraySlice<Double>) -> [Int] {
        let base = row.startIndex
        return row.indices.map { $0 - base }.sorted { i, j in
            let a = row[base + i], b = row[base + j]
            return a > b || (a == b && i < j)
        }
    }

    /// The curves of `kind` for `inputs` `[n, d]`, maps `[n · d]` (row-major) and one target per row.
    /// - Precondition: the shapes agree and `steps` ≥ 1.
    public static func evaluate(_ kind: Kind, model: any AttributableModel, inputs: Tensor, targets: [Int], maps: [Double], steps: Int,
                                batchRows: Int = 1 << 14) -> Result {
        let n = inputs.shape[0], d = inputs.shape[1]
        precondition(maps.count == n * d && targets.count == n && steps >= 1, "feature removal curve: shapes disagree")
        let points = steps + 1
        let counts = (0...steps).map { Int((Double($0) * Double(d) / Double(steps)).rounded()) }
        var probabilities = [Double](repeating: 0, count: n * points)
        // At most `batchRows` curve points per forward pass, and at most 2²² scalars in the widest
        // layer's buffer (a CNN's im2col columns are far wider than an MLP's rows).
        let pointsPerBatch = min(batchRows, (1 << 22) / max(model.widestActivation, 1))
        let rowsPerBatch = max(1, pointsPerBatch / points)
        for start in stride(from: 0, to: n, by: rowsPerBatch) {
            let end = min(start + rowsPerBatch, n)
            var batch = [Float](repeating: 0, count: (end - start) * points * d)
            inputs.scalars.withUnsafeBufferPointer { x in
                for r in start..<end {
                    let order = self.order(maps[(r * d)..<((r + 1) * d)])
                    for s in 0..<points {
                        let o = ((r - start) * points + s) * d
                        switch kind {
                        case .deletion:
                            for j in 0..<d { batch[o + j] = x[r * d + j] }
                            for j in order.prefix(counts[s]) { batch[o + j] = 0 }
                        case .insertion:
                            for j in order.prefix(counts[s]) { batch[o + j] = x[r * d + j] }
                        }
                    }
                }
            }
            let out = model.outputs(Tensor(shape: [(end - start) * points, d], scalars: batch))
            let k = out.shape[1]
            out.scalars.withUnsafeBufferPointer { logits in
                for local in 0..<((end - start) * points) {
                    let r = start + local / points
                    var top = -Double.infinity
                    for c in 0..<k { top = max(top, Double(logits[local * k + c])) }
                    var total = 0.0
                    for c in 0..<k { total += exp(Double(logits[local * k + c]) - top) }
                    probabilities[start * points + local] = exp(Double(logits[local * k + targets[r]]) - top) / total
                }
            }
        }
        var curves: [[Double]] = [], areas: [Double] = []
        curves.reserveCapacity(n)
        areas.reserveCapacity(n)
        for r in 0..<n {
            let curve = Array(probabilities[(r * points)..<((r + 1) * points)])
            var area = 0.0
            for s in 0..<steps { area += (curve[s] + curve[s + 1]) / 2 }
            curves.append(curve)
            areas.append(area / Double(steps))
        }
        return Result(curves: curves, areas: areas)
    }
}
