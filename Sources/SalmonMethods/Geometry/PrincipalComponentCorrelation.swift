import SalmonNetworks
import SalmonStatistics

/// Representation geometry: the largest |Pearson correlation| between a label and the scores of
/// the top-k principal components of a layer's activations.
///
/// The seed paper's random-BERT example: principal components of a *randomly initialized*
/// network's activations correlate with linguistic labels, because the input's own structure
/// survives a random map. Principal components are the eigenvectors of the centered
/// cross-product matrix (LAPACK `dsyevd`), ordered by decreasing eigenvalue — scikit-learn's
/// `PCA(svd_solver="full")` up to each component's sign, which |correlation| ignores.
///
/// Statistic `maxAbsCorrelation` (larger = more structure); the explanation's vector holds the k
/// per-component |correlations|. A component whose scores are constant (eigenvalue 0) carries no
/// information about the label: its |correlation| is reported as 0 and counted in the diagnostic
/// `degenerateComponents` (so constant activations — a dead layer in a null model — give 0, not an error).
public struct PrincipalComponentCorrelation: Estimator {
    public var components: Int

    public init(components: Int = 5) {
        precondition(components >= 1, "at least one principal component")
        self.components = components
    }

    public var name: String { "pca-label-correlation" }
    public var requirements: Set<EstimatorRequirement> { [.activations, .labels] }
    public var statistics: [ExplanationStatistic] {
        [ExplanationStatistic("maxAbsCorrelation", direction: .larger,
                              summary: "largest |correlation| between a top-\(components) principal component and the label")]
    }

    /// Runs on activations `[n, d]` and one numeric label per row: a real value, or a binary class
    /// (0/1). A label of more than two classes is refused — its class indices are names, not
    /// numbers, so a correlation with them would depend on how the classes happen to be numbered.
    /// - Throws: ``MethodError`` for a label of more than two classes or a constant label.
    public func explain(_ data: ProbeData, stream: RandomStream) throws -> Explanation {
        let labels: [Double]
        switch data.target {
        case .classes(let l, let count):
            guard count <= 2 else {
                throw MethodError("pca-label-correlation needs a binary or real-valued label; this one has \(count) classes, whose numbering is arbitrary (use a probe, or one binary label per class)")
            }
            labels = l.map(Double.init)
        case .continuous(let v): labels = v
        }
        let x = data.activations
        let n = x.shape[0], d = x.shape[1]
        let k = min(components, d)
        let (cross, means) = SymmetricMatrix.centeredCrossProduct(x)
        let decomposition: (values: [Double], vectors: [Double])
        do { decomposition = try SymmetricMatrix.eigen(cross, n: d) } catch {
            throw MethodError("principal components: \(error)")
        }
        let labelMean = labels.reduce(0, +) / Double(n)
        var labelSS = 0.0
        for v in labels { labelSS += (v - labelMean) * (v - labelMean) }
        guard labelSS > 0 else { throw MethodError("the label is constant; its correlation with a component is undefined") }
        let largest = decomposition.values.last ?? 0
        var correlations: [Double] = [], degenerate = 0
        x.scalars.withUnsafeBufferPointer { p in
            for c in 0..<k {
                let j = d - 1 - c  // eigenvalues ascend
                guard decomposition.values[j] > 1e-12 * max(largest, .leastNormalMagnitude) else {
                    degenerate += 1
                    correlations.append(0)
                    continue
                }
                var sxy = 0.0, sxx = 0.0, scoreSum = 0.0
                var scores = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    var s = 0.0
                    for t in 0..<d { s += (Double(p[i * d + t]) - means[t]) * decomposition.vectors[j * d + t] }
                    scores[i] = s
                    scoreSum += s
                }
                let scoreMean = scoreSum / Double(n)
                for i in 0..<n {
                    let a = scores[i] - scoreMean
                    sxx += a * a
                    sxy += a * (labels[i] - labelMean)
                }
                correlations.append(sxx > 0 ? abs(sxy) / (sxx * labelSS).squareRoot() : 0)
            }
        }
        let explained = decomposition.values.reduce(0, +)
        var diagnostics: [String: Double] = ["degenerateComponents": Double(degenerate)]
        if explained > 0 {
            diagnostics["explainedVarianceTopK"] = (0..<k).reduce(0) { $0 + decomposition.values[d - 1 - $1] } / explained
        }
        return Explanation(method: name, shape: .vector, scalars: ["maxAbsCorrelation": correlations.max() ?? 0],
                           vector: correlations, diagnostics: diagnostics)
    }
}
