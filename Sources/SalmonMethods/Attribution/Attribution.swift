import SalmonNetworks
import SalmonStatistics

/// An attribution method as an estimator: one score per input feature for each input row,
/// explaining F(x), the chosen output of an MLP or a ConvNet (see ``AttributionInput`` and ``AttributionMethod``).
///
/// The explanation is a `.map` of shape `[n, d]` with axes `["input", "feature"]`. It also carries
/// - `perExample["output"]`: F(x) for each row;
/// - the scalar `meanAbsoluteAttribution` (mean over rows of the row's mean |attribution|), with
///   its per-row values — the claims an audit makes about attributions are mostly about the
///   similarity of two maps (``MapSimilarity``), which needs a second explanation;
/// - for Integrated Gradients, the completeness self-check: per row the gap
///   Σⱼ attributionⱼ − (F(x) − F(b)) in `perExample["completenessGap"]` (and F(b) in
///   `perExample["baselineOutput"]`), summarized in `diagnostics` as
///   `completenessGap.meanAbsolute` (mean |gap|), `completenessGap.maxAbsolute` and
///   `completenessGap.relative` (mean |gap| / mean |F(x) − F(b)|, the figure reports print).
///
/// Work is batched: one forward and one backward pass over many rows at once — all input rows,
/// and for Integrated Gradients and SmoothGrad all (row, node) or (row, sample) copies stacked —
/// cut into chunks so that no activation matrix holds more than ``batchElementLimit`` scalars.
/// Each row's result depends only on that row, so chunking changes no value beyond BLAS's
/// own rounding.
///
/// Randomness: SmoothGrad's noise for row r comes from `stream → "smoothgrad" → r`
/// (`stream.derived("smoothgrad", .index(r))`), `samples × d` standard normals drawn in
/// sample-major order; the other methods draw nothing. Results therefore do not depend on how
/// rows are batched or chunked.
public struct Attribution: Estimator {
    public var method: AttributionMethod
    /// The most scalars one stacked activation matrix may hold (rows × widest layer); bounds the
    /// memory of Integrated Gradients, SmoothGrad and occlusion. Default 2²² (16 MB in Float32).
    public var batchElementLimit: Int

    public init(_ method: AttributionMethod, batchElementLimit: Int = 1 << 22) {
        precondition(batchElementLimit >= 1, "batchElementLimit must be positive")
        self.method = method
        self.batchElementLimit = batchElementLimit
    }

    public var name: String { method.name }

    public var requirements: Set<EstimatorRequirement> {
        if case .occlusion = method { return [] }
        return [.inputGradients]
    }

    public var statistics: [ExplanationStatistic] {
        [ExplanationStatistic("meanAbsoluteAttribution", direction: .larger,
                              summary: "mean over inputs of the mean |attribution| per feature")]
    }

    /// What one method computed, before it becomes an ``Explanation``.
    struct Computed {
        /// `[n · d]`, row-major.
        var values: [Double]
        /// F(x) per row.
        var outputs: [Double]
        var perExample: [String: [Double]] = [:]
        var diagnostics: [String: Double] = [:]
    }

    public func explain(_ input: AttributionInput, stream: RandomStream) throws -> Explanation {
        let computed: Computed
        switch method {
        case .gradient(let absolute):
            computed = gradientMap(input, rule: .gradient, times: false, absolute: absolute)
        case .gradientTimesInput:
            computed = gradientMap(input, rule: .gradient, times: true, absolute: false)
        case .guidedBackprop:
            try input.model.checkGuidedBackprop()
            computed = gradientMap(input, rule: .guided, times: false, absolute: false)
        case .integratedGradients(let baseline, let steps, let rule, let tolerance):
            guard steps >= rule.minimumSteps else {
                throw MethodError("integrated gradients: \(rule.rawValue) needs at least \(rule.minimumSteps) steps, found \(steps)")
            }
            try CompletenessRefinement.validate(tolerance)
            let resolved = try baseline.resolved(features: input.featureCount)
            var (result, _) = CompletenessRefinement.refine(steps: steps, tolerance: tolerance,
                                                            relativeGap: { $0.diagnostics["completenessGap.relative"] ?? .nan }) {
                integratedGradients(input, baseline: resolved, steps: $0, rule: rule)
            }
            if let tolerance { result.diagnostics["completenessGap.tolerance"] = tolerance }
            computed = result
        case .smoothGrad(let noiseLevel, let samples):
            guard noiseLevel >= 0 && noiseLevel.isFinite else {
                throw MethodError("smoothgrad: the noise level must be a finite number ≥ 0, found \(noiseLevel)")
            }
            guard samples >= 1 else { throw MethodError("smoothgrad: at least 1 sample needed, found \(samples)") }
            computed = smoothGrad(input, noiseLevel: noiseLevel, samples: samples, stream: stream.derived("smoothgrad"))
        case .occlusion(let baseline):
            computed = occlusion(input, baseline: try baseline.resolved(features: input.featureCount))
        }
        return explanation(computed, rows: input.rowCount, features: input.featureCount)
    }

    private func explanation(_ c: Computed, rows n: Int, features d: Int) -> Explanation {
        var meanAbsolute = [Double](repeating: 0, count: n)
        c.values.withUnsafeBufferPointer { v in
            for r in 0..<n {
                var s = 0.0
                for j in 0..<d { s += abs(v[r * d + j]) }
                meanAbsolute[r] = s / Double(d)
            }
        }
        var perExample = c.perExample
        perExample["output"] = c.outputs
        perExample["meanAbsoluteAttribution"] = meanAbsolute
        return Explanation(method: name, shape: .map,
                           scalars: ["meanAbsoluteAttribution": meanAbsolute.reduce(0, +) / Double(n)],
                           perExample: perExample,
                           map: Explanation.Map(shape: [n, d], axes: ["input", "feature"], values: c.values),
                           diagnostics: c.diagnostics)
    }

    /// Consecutive row ranges covering `0..<rows`, each small enough that `copies` stacked
    /// copies of its rows fit ``batchElementLimit`` at the model's widest layer.
    func chunks(rows: Int, copies: Int, model: any AttributableModel) -> [Range<Int>] {
        let widest = max(model.widestActivation, 1)
        let perChunk = max(1, batchElementLimit / max(1, copies * widest))
        return stride(from: 0, to: rows, by: perChunk).map { $0..<min($0 + perChunk, rows) }
    }

    /// The rows `range` of the inputs (the inputs themselves when the range covers them all).
    func rows(_ input: AttributionInput, _ range: Range<Int>) -> Tensor {
        range.count == input.rowCount ? input.inputs : input.inputs.rows(range)
    }

    /// F(x) for every input row, forward passes only.
    func outputs(_ input: AttributionInput) -> [Double] {
        let engine = _TargetGradient(model: input.model, rule: .gradient)
        var result = [Double]()
        result.reserveCapacity(input.rowCount)
        for range in chunks(rows: input.rowCount, copies: 1, model: input.model) {
            let f = engine.outputs(rows(input, range)) { input.target.index(range.lowerBound + $0) }
            result.append(contentsOf: f.lazy.map(Double.init))
        }
        return result
    }
}
