import SalmonNetworks

/// k-sparse probing of an SAE's code: a logistic regression on the k latents whose mean
/// activation differs most between the two classes — how well a binary concept is carried by a
/// handful of latents (Gurnee et al. 2023, "Finding neurons in a haystack"; Gao et al. 2024,
/// §4.4; SAEBench, Karvonen et al. 2025, whose `sparse_probing` eval this follows).
///
/// Selection (SAEBench's `get_top_k_mean_diff_mask`): on the training rows, the latents ranked by
/// |mean over class 1 − mean over class 0| of their activation, largest first, ties to the lower
/// latent index; the first k are kept. The probe is ``LogisticRegression`` with C = 1, the raw
/// (unstandardized) activations of the kept latents as features, and an intercept
/// (scikit-learn's `LogisticRegression()` defaults, as SAEBench fits it); Float64 products and a
/// stopping rule at the optimum (‖∇‖∞ ≤ 1e-10), so that the fit is scikit-learn's. SAEBench balances the classes by
/// subsampling before it selects and fits; this probe uses the rows as given.
public struct SparseProbe: Sendable {
    /// The kept latents, in ranking order.
    public let latents: [Int]
    /// The probe on those latents' activations (features in the order of ``latents``).
    public let model: LogisticRegression.Model

    /// Selects the latents and fits the probe on `rows` rows of a code (`rows × width`,
    /// row-major) with binary `labels` (0 or 1).
    /// - Throws: ``MethodError`` when a class is missing from the labels or k is not in 1…width.
    public init(code: [Float], rows: Int, width: Int, labels: [Int], k: Int) throws {
        precondition(code.count == rows * width && labels.count == rows, "SparseProbe: one label per row of the code")
        guard (1...max(width, 1)).contains(k) else { throw MethodError("sparse probing keeps 1 … \(width) latents, found k = \(k)") }
        let positives = labels.count { $0 == 1 }, negatives = labels.count { $0 == 0 }
        guard positives > 0, negatives > 0, positives + negatives == rows else {
            throw MethodError("sparse probing needs binary labels (0 and 1) with both classes among the \(rows) training rows; found \(positives) of class 1 and \(negatives) of class 0")
        }
        var sums = [[Double]](repeating: [Double](repeating: 0, count: width), count: 2)
        for r in 0..<rows {
            let c = labels[r]
            for j in 0..<width { sums[c][j] += Double(code[r * width + j]) }
        }
        let difference = (0..<width).map { abs(sums[1][$0] / Double(positives) - sums[0][$0] / Double(negatives)) }
        let ranked = (0..<width).sorted { (difference[$0], -$0) > (difference[$1], -$1) }
        latents = Array(ranked.prefix(k))
        let features = Self.columns(code, rows: rows, width: width, keep: latents)
        // k is small: a tight stopping rule costs little and leaves the fit at the optimum.
        model = LogisticRegression(inverseRegularization: 1, tolerance: 1e-10, functionTolerance: 0, precision: .float64)
            .fit(features, labels: labels, classes: 2)
    }

    /// The predicted class (0 or 1) of each of `rows` rows of a code (`rows × width`).
    public func predict(code: [Float], rows: Int, width: Int) -> [Int] {
        model.predict(Self.columns(code, rows: rows, width: width, keep: latents))
    }

    /// The columns `keep` of a row-major `rows × width` matrix, as a `[rows, keep.count]` tensor.
    static func columns(_ code: [Float], rows: Int, width: Int, keep: [Int]) -> Tensor {
        var out = [Float](repeating: 0, count: rows * keep.count)
        for r in 0..<rows {
            for (n, j) in keep.enumerated() { out[r * keep.count + n] = code[r * width + j] }
        }
        return Tensor(shape: [rows, keep.count], scalars: out)
    }
}
