import SalmonNetworks

/// Ridge regression, the probe for a continuous target: minimizes ‖y − Xw − b‖² + α‖w‖² with an
/// unpenalized intercept (scikit-learn's `Ridge(alpha=α)`; Hoerl & Kennard, Technometrics 12,
/// 1970).
///
/// Solved exactly: the data are centered, then (X̃ᵀX̃ + αI) w = X̃ᵀỹ by Cholesky (LAPACK), and
/// b = ȳ − x̄·w. The cross-product is accumulated in Float32 by BLAS, so coefficients agree with a
/// Float64 solver to about 1e-5 relative for well-conditioned problems (fixtures: scikit-learn's
/// Cholesky solver). α must be positive, which makes the system positive definite.
public struct RidgeRegression: Sendable, Hashable, Codable {
    public var alpha: Double

    public init(alpha: Double = 1) { self.alpha = alpha }

    /// A fitted model.
    public struct Model: Sendable {
        public var weights: [Double]
        public var intercept: Double

        /// Predictions for the rows of `x`.
        public func predict(_ x: Tensor) -> [Double] {
            let n = x.shape[0], d = x.shape[1]
            return x.scalars.withUnsafeBufferPointer { p in
                (0..<n).map { i in
                    var s = intercept
                    for j in 0..<d { s += Double(p[i * d + j]) * weights[j] }
                    return s
                }
            }
        }
    }

    /// Fits `targets` (one per row of `x`).
    /// - Throws: ``SymmetricMatrix/Failure`` if the system is numerically not positive definite.
    public func fit(_ x: Tensor, targets: [Double]) throws -> Model {
        precondition(x.rank == 2 && x.shape[0] > 0 && targets.count == x.shape[0] && alpha > 0, "RidgeRegression.fit: sizes")
        let n = x.shape[0], d = x.shape[1]
        var (gram, means) = SymmetricMatrix.centeredCrossProduct(x)
        for j in 0..<d { gram[j * d + j] += alpha }
        let yMean = targets.reduce(0, +) / Double(n)
        var rhs = [Double](repeating: 0, count: d)
        x.scalars.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let r = targets[i] - yMean
                for j in 0..<d { rhs[j] += (Double(p[i * d + j]) - means[j]) * r }
            }
        }
        guard d > 0 else { return Model(weights: [], intercept: yMean) }
        let w = try SymmetricMatrix.choleskySolve(gram, n: d, rightHandSides: rhs)
        var b = yMean
        for j in 0..<d { b -= means[j] * w[j] }
        return Model(weights: w, intercept: b)
    }
}
