import Foundation
import SalmonNetworks

/// L2-regularized logistic regression — binary (sigmoid) or multinomial (softmax) — fitted by
/// L-BFGS: the linear probe of Alain & Bengio, "Understanding intermediate layers using linear
/// classifier probes", 2016.
///
/// Objective (the convention of scikit-learn's `LogisticRegression(penalty="l2", C=C)`, divided
/// by n so tolerances do not scale with the data):
/// - binary: (1/n) Σᵢ log(1 + exp(−sᵢ(xᵢ·w + b))) + ‖w‖² / (2Cn), with sᵢ = ±1;
/// - K ≥ 3 classes: (1/n) Σᵢ −log softmax(W xᵢ + b)[yᵢ] + ‖W‖²_F / (2Cn), K weight vectors.
/// Intercepts are not penalized. The multinomial intercepts are identifiable only up to a common
/// constant; starting from zero, the iteration keeps them summing to zero (the gradient of their
/// sum is zero), as scikit-learn's does.
///
/// Guarantees: the objective is strictly convex in w for C < ∞, so the fit is the unique
/// minimizer up to the stopping rule; it stops when ‖∇f‖_∞ ≤ `tolerance` (scikit-learn's `tol`
/// on the same scaled objective) or on SciPy's default relative-decrease rule. Products with the
/// data run in Float32 on BLAS (`sgemv`/`sgemm`); the loss, gradient sums and parameters are
/// Float64. That sets a floor: Float32 gradient noise (~1e-8 on the scaled objective) over the
/// weakest curvature (as small as 1/(Cn)) limits how close to the exact optimum any stopping
/// rule gets. Agreement with scikit-learn (float64, tol 1e-12) on the committed fixtures, fitted
/// with tolerance 1e-5: coefficients and probabilities within 2e-4 (measured 1e-5 to 1.1e-4), objective within 1e-6 relative.
public struct LogisticRegression: Sendable, Hashable, Codable {
    /// Inverse regularization strength (scikit-learn's C).
    public var inverseRegularization: Double
    /// Stop when the largest gradient component of the scaled objective is at most this.
    public var tolerance: Double
    public var maxIterations: Int
    /// Also stop when the relative decrease of the objective falls to this (SciPy's L-BFGS-B
    /// default `ftol`, which scikit-learn keeps); 0 stops only on a step that leaves the objective
    /// unchanged (the floor of the arithmetic).
    public var functionTolerance: Double

    public init(inverseRegularization: Double = 1, tolerance: Double = 1e-4, maxIterations: Int = 1000,
                functionTolerance: Double = 2.220446049250313e-09) {
        self.inverseRegularization = inverseRegularization
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.functionTolerance = functionTolerance
    }

    /// A fitted model.
    public struct Model: Sendable {
        /// 1 × d for binary (the log-odds of class 1), K × d otherwise, row-major.
        public var weights: [Double]
        public var intercepts: [Double]
        public var classes: Int
        public var features: Int
        public var iterations: Int
        public var converged: Bool
        public var stop: LBFGS.Stop
        public var objective: Double
        /// Number of linear outputs: 1 for binary, K otherwise.
        public var outputs: Int { classes == 2 ? 1 : classes }

        /// The linear scores, `[n, outputs]` row-major, in Float64.
        public func scores(_ x: Tensor) -> [Double] {
            let n = x.shape[0], d = features, k = outputs
            var z = [Double](repeating: 0, count: n * k)
            x.scalars.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    for c in 0..<k {
                        var s = intercepts[c]
                        for j in 0..<d { s += Double(p[i * d + j]) * weights[c * d + j] }
                        z[i * k + c] = s
                    }
                }
            }
            return z
        }

        /// The predicted class of each row (ties go to the lower class, as numpy's argmax).
        public func predict(_ x: Tensor) -> [Int] {
            let z = scores(x), n = x.shape[0]
            if outputs == 1 { return (0..<n).map { z[$0] > 0 ? 1 : 0 } }
            return (0..<n).map { i in
                var best = 0
                for k in 1..<outputs where z[i * outputs + k] > z[i * outputs + best] { best = k }
                return best
            }
        }

        /// Class probabilities, `[n][classes]`.
        public func probabilities(_ x: Tensor) -> [[Double]] {
            let z = scores(x), n = x.shape[0]
            return (0..<n).map { i in
                if outputs == 1 {
                    let p = 1 / (1 + Foundation.exp(-z[i]))
                    return [1 - p, p]
                }
                let row = Array(z[(i * outputs)..<((i + 1) * outputs)])
                let top = row.max() ?? 0
                let e = row.map { Foundation.exp($0 - top) }
                let total = e.reduce(0, +)
                return e.map { $0 / total }
            }
        }
    }

    /// Fits the model to `x` (`[n, d]`) and class labels in `0..<classes`.
    /// - Precondition: `labels.count == n`, labels in range, `classes ≥ 2`, C > 0 (validated by callers).
    public func fit(_ x: Tensor, labels: [Int], classes: Int) -> Model {
        precondition(x.rank == 2 && x.shape[0] > 0 && x.shape[1] > 0 && labels.count == x.shape[0] && classes >= 2,
                     "LogisticRegression.fit: a non-empty [n, d] matrix and n labels")
        let n = x.shape[0], d = x.shape[1]
        let outputs = classes == 2 ? 1 : classes
        let lambda = 1 / (inverseRegularization * Double(n))
        let weightCount = outputs * d
        var wFloat = [Float](repeating: 0, count: weightCount)
        var z = [Float](repeating: 0, count: n * outputs)
        var residual = [Float](repeating: 0, count: n * outputs)
        var gradientFloat = [Float](repeating: 0, count: weightCount)
        let inverseN = 1 / Double(n)
        let objective: ([Double], inout [Double]) -> Double = { theta, gradient in
            for i in 0..<weightCount { wFloat[i] = Float(theta[i]) }
            x.scalars.withUnsafeBufferPointer { px in
                wFloat.withUnsafeBufferPointer { pw in
                    z.withUnsafeMutableBufferPointer { pz in
                        if outputs == 1 {
                            BLAS.gemv(rows: n, columns: d, a: px.baseAddress!, x: pw.baseAddress!, y: pz.baseAddress!)
                        } else {
                            BLAS.gemm(transposeB: true, m: n, n: outputs, k: d, a: px.baseAddress!, b: pw.baseAddress!, c: pz.baseAddress!)
                        }
                    }
                }
            }
            var loss = 0.0
            var interceptGradient = [Double](repeating: 0, count: outputs)
            if outputs == 1 {
                let b = theta[weightCount]
                for i in 0..<n {
                    let t = Double(z[i]) + b
                    // log(1 + e^{−s t}) computed stably; residual σ(t) − y.
                    let st = labels[i] == 1 ? t : -t
                    loss += st > 0 ? Foundation.log1p(Foundation.exp(-st)) : -st + Foundation.log1p(Foundation.exp(st))
                    let p = t >= 0 ? 1 / (1 + Foundation.exp(-t)) : Foundation.exp(t) / (1 + Foundation.exp(t))
                    let r = (p - Double(labels[i])) * inverseN
                    residual[i] = Float(r)
                    interceptGradient[0] += r
                }
            } else {
                var row = [Double](repeating: 0, count: outputs)
                for i in 0..<n {
                    var top = -Double.infinity
                    for k in 0..<outputs {
                        row[k] = Double(z[i * outputs + k]) + theta[weightCount + k]
                        top = max(top, row[k])
                    }
                    var total = 0.0
                    for k in 0..<outputs { row[k] = Foundation.exp(row[k] - top); total += row[k] }
                    let label = labels[i]
                    loss += -(Foundation.log(row[label] / total))
                    for k in 0..<outputs {
                        let r = (row[k] / total - (k == label ? 1 : 0)) * inverseN
                        residual[i * outputs + k] = Float(r)
                        interceptGradient[k] += r
                    }
                }
            }
            x.scalars.withUnsafeBufferPointer { px in
                residual.withUnsafeBufferPointer { pr in
                    gradientFloat.withUnsafeMutableBufferPointer { pg in
                        if outputs == 1 {
                            BLAS.gemv(transpose: true, rows: n, columns: d, a: px.baseAddress!, x: pr.baseAddress!, y: pg.baseAddress!)
                        } else {
                            BLAS.gemm(transposeA: true, m: outputs, n: d, k: n, a: pr.baseAddress!, b: px.baseAddress!, c: pg.baseAddress!)
                        }
                    }
                }
            }
            var penalty = 0.0
            for i in 0..<weightCount {
                penalty += theta[i] * theta[i]
                gradient[i] = Double(gradientFloat[i]) + lambda * theta[i]
            }
            for k in 0..<outputs { gradient[weightCount + k] = interceptGradient[k] }
            return loss * inverseN + 0.5 * lambda * penalty
        }
        let solver = LBFGS(gradientTolerance: tolerance, functionTolerance: functionTolerance, maxIterations: maxIterations)
        let result = solver.minimize(from: [Double](repeating: 0, count: weightCount + outputs), objective: objective)
        return Model(weights: Array(result.x[0..<weightCount]), intercepts: Array(result.x[weightCount...]),
                     classes: classes, features: d, iterations: result.iterations, converged: result.stop.converged,
                     stop: result.stop, objective: result.value)
    }
}
