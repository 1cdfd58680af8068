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
/// on the same scaled objective) or on SciPy's default relative-decrease rule. L-BFGS starts
/// from Böhning's bound on the Hessian (see `boehningPreconditioner`), which takes it to the
/// optimum in about ten iterations on typical activations instead of about a hundred.
///
/// Precision: by default the products with the data run in Float32 on BLAS (`sgemv`/`sgemm`,
/// rows blocked to stay in cache) while the loss, gradient sums and parameters are Float64. That
/// sets a floor: objective differences below ~1e-7 relative are not resolvable, so coefficients
/// agree with a Float64 solver only to ~1e-3 in flat directions (objective to 1e-6 relative).
/// `precision: .float64` computes the products in Float64 and agrees with scikit-learn (float64,
/// tol 1e-12) to 1e-6 in every coefficient and probability on the committed fixtures.
public struct LogisticRegression: Sendable, Hashable, Codable {
    /// Inverse regularization strength (scikit-learn's C).
    public var inverseRegularization: Double
    /// Stop when the largest gradient component of the scaled objective is at most this.
    public var tolerance: Double
    public var maxIterations: Int
    /// Arithmetic of the products with the data: `.float32` (BLAS, the default: fast, with the
    /// floor described above) or `.float64` (plain loops: several times slower, agreeing with a
    /// Float64 solver such as scikit-learn's to its own tolerance).
    public var precision: Precision
    /// Also stop when the relative decrease of the objective falls to this (SciPy's L-BFGS-B
    /// default `ftol`, which scikit-learn keeps); 0 stops only on a step that leaves the objective
    /// unchanged (the floor of the arithmetic).
    public var functionTolerance: Double

    public init(inverseRegularization: Double = 1, tolerance: Double = 1e-4, maxIterations: Int = 1000,
                functionTolerance: Double = 2.220446049250313e-09, precision: Precision = .float32) {
        self.precision = precision
        self.inverseRegularization = inverseRegularization
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.functionTolerance = functionTolerance
    }

    /// The arithmetic of the products with the data.
    public enum Precision: String, Sendable, Hashable, Codable {
        case float32, float64
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

    /// The largest width for which the fit builds the Böhning preconditioner (a d × d Cholesky).
    public static let preconditionedWidthLimit = 1024

    /// H₀ for L-BFGS from Böhning's bound on the logistic Hessian (Böhning & Lindsay, "Monotonicity
    /// of quadratic-approximation algorithms", Ann. Inst. Stat. Math. 40, 1988): σ'(t) ≤ ¼, so for
    /// two classes B = [X 1]ᵀ[X 1] / (4n) + diag(λ, …, λ, 0) bounds the scaled objective's Hessian.
    /// For K ≥ 3 classes each class's block uses the same B — the diagonal blocks' own bound
    /// (p_k(1 − p_k) ≤ ¼), not Böhning's multinomial bound ½(I − 11ᵀ/K) ⊗ XᵀX; it only
    /// preconditions, and the line search keeps every step a descent. Applying B⁻¹ (one Cholesky factorization, then two triangular solves
    /// per use) makes the first steps Newton-like: on 2,000 × 256 activations it cuts L-BFGS's
    /// iterations several-fold. Nil (plain γ-scaling) above ``preconditionedWidthLimit`` or if the
    /// factorization fails.
    static func boehningPreconditioner(_ x: Tensor, lambda: Double, outputs: Int) -> ((inout [Double]) -> Void)? {
        let n = x.shape[0], d = x.shape[1]
        guard d <= preconditionedWidthLimit else { return nil }
        let gram = BLAS.matmul(x, x, transposeA: true)
        let m = d + 1
        var b = [Double](repeating: 0, count: m * m)
        let quarter = 0.25 / Double(n)
        for i in 0..<d {
            for j in 0..<d { b[i * m + j] = Double(gram.scalars[i * d + j]) * quarter }
            b[i * m + i] += lambda
        }
        var sums = [Double](repeating: 0, count: d)
        x.scalars.withUnsafeBufferPointer { p in
            for i in 0..<n { for j in 0..<d { sums[j] += Double(p[i * d + j]) } }
        }
        for j in 0..<d { b[j * m + d] = sums[j] * quarter; b[d * m + j] = sums[j] * quarter }
        b[d * m + d] = 0.25
        guard let factor = try? SymmetricMatrix.Cholesky(b, n: m) else { return nil }
        return { v in
            // v = [W (outputs × d, row-major) | b (outputs)]: solve each class's (w_k, b_k) block.
            var block = [Double](repeating: 0, count: m)
            for k in 0..<outputs {
                for j in 0..<d { block[j] = v[k * d + j] }
                block[d] = v[outputs * d + k]
                factor.solve(&block)
                for j in 0..<d { v[k * d + j] = block[j] }
                v[outputs * d + k] = block[d]
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
        let inverseN = 1 / Double(n)
        var wFloat = [Float](repeating: 0, count: weightCount)
        // Rows are processed in blocks small enough to stay in cache between the two products
        // (scores X_b·w, then the gradient X_bᵀ·r_b), so the data stream from memory once per evaluation.
        let block = max(1, min(n, 16_384 / max(d, 1)))
        var z = [Float](repeating: 0, count: block * outputs)
        var residual = [Float](repeating: 0, count: block * outputs)
        var scores = [Double](repeating: 0, count: block * outputs)
        var residualDouble = [Double](repeating: 0, count: block * outputs)
        var gradientFloat = [Float](repeating: 0, count: weightCount)
        var gradientDouble = [Double](repeating: 0, count: weightCount)
        var row = [Double](repeating: 0, count: outputs)
        let precise = precision == .float64
        let objective: ([Double], inout [Double]) -> Double = { theta, gradient in
            for i in 0..<weightCount { wFloat[i] = Float(theta[i]) }
            for i in 0..<weightCount { gradientDouble[i] = 0 }
            var loss = 0.0
            var interceptGradient = [Double](repeating: 0, count: outputs)
            x.scalars.withUnsafeBufferPointer { px in
                wFloat.withUnsafeBufferPointer { pw in
                    z.withUnsafeMutableBufferPointer { pz in
                        residual.withUnsafeMutableBufferPointer { pr in
                            gradientFloat.withUnsafeMutableBufferPointer { pg in
                                guard let xBase = px.baseAddress, let wBase = pw.baseAddress, let zBase = pz.baseAddress,
                                      let rBase = pr.baseAddress, let gBase = pg.baseAddress else { return }
                                var start = 0
                                while start < n {
                                    let rows = min(block, n - start)
                                    let xBlock = xBase + start * d
                                    // Scores of the block, with intercepts, in Float64.
                                    if precise {
                                        for r in 0..<rows {
                                            for k in 0..<outputs {
                                                var t = theta[weightCount + k]
                                                for j in 0..<d { t += Double(xBlock[r * d + j]) * theta[k * d + j] }
                                                scores[r * outputs + k] = t
                                            }
                                        }
                                    } else {
                                        if outputs == 1 {
                                            BLAS.gemv(rows: rows, columns: d, a: xBlock, x: wBase, y: zBase)
                                        } else {
                                            BLAS.gemm(transposeB: true, m: rows, n: outputs, k: d, a: xBlock, b: wBase, c: zBase)
                                        }
                                        for r in 0..<rows {
                                            for k in 0..<outputs { scores[r * outputs + k] = Double(pz[r * outputs + k]) + theta[weightCount + k] }
                                        }
                                    }
                                    // Loss and residuals (already divided by n).
                                    if outputs == 1 {
                                        for r in 0..<rows {
                                            let t = scores[r]
                                            // log(1 + e^{−s t}) computed stably; residual σ(t) − y.
                                            let label = labels[start + r]
                                            let st = label == 1 ? t : -t
                                            loss += st > 0 ? Foundation.log1p(Foundation.exp(-st)) : -st + Foundation.log1p(Foundation.exp(st))
                                            let p = t >= 0 ? 1 / (1 + Foundation.exp(-t)) : Foundation.exp(t) / (1 + Foundation.exp(t))
                                            residualDouble[r] = (p - Double(label)) * inverseN
                                        }
                                    } else {
                                        for r in 0..<rows {
                                            var top = -Double.infinity
                                            for k in 0..<outputs { row[k] = scores[r * outputs + k]; top = max(top, row[k]) }
                                            var total = 0.0
                                            for k in 0..<outputs { row[k] = Foundation.exp(row[k] - top); total += row[k] }
                                            let label = labels[start + r]
                                            loss += -(Foundation.log(row[label] / total))
                                            for k in 0..<outputs {
                                                residualDouble[r * outputs + k] = (row[k] / total - (k == label ? 1 : 0)) * inverseN
                                            }
                                        }
                                    }
                                    for r in 0..<rows { for k in 0..<outputs { interceptGradient[k] += residualDouble[r * outputs + k] } }
                                    // Gradient: X_bᵀ r_b.
                                    if precise {
                                        for r in 0..<rows {
                                            for k in 0..<outputs {
                                                let res = residualDouble[r * outputs + k]
                                                for j in 0..<d { gradientDouble[k * d + j] += res * Double(xBlock[r * d + j]) }
                                            }
                                        }
                                    } else {
                                        for i in 0..<(rows * outputs) { pr[i] = Float(residualDouble[i]) }
                                        if outputs == 1 {
                                            BLAS.gemv(transpose: true, rows: rows, columns: d, a: xBlock, x: rBase,
                                                      beta: start == 0 ? 0 : 1, y: gBase)
                                        } else {
                                            BLAS.gemm(transposeA: true, m: outputs, n: d, k: rows, a: rBase, b: xBlock,
                                                      beta: start == 0 ? 0 : 1, c: gBase)
                                        }
                                    }
                                    start += rows
                                }
                            }
                        }
                    }
                }
            }
            var penalty = 0.0
            for i in 0..<weightCount {
                penalty += theta[i] * theta[i]
                gradient[i] = (precise ? gradientDouble[i] : Double(gradientFloat[i])) + lambda * theta[i]
            }
            for k in 0..<outputs { gradient[weightCount + k] = interceptGradient[k] }
            return loss * inverseN + 0.5 * lambda * penalty
        }
        let solver = LBFGS(gradientTolerance: tolerance, functionTolerance: functionTolerance, maxIterations: maxIterations)
        let preconditioner = Self.boehningPreconditioner(x, lambda: lambda, outputs: outputs)
        let result = solver.minimize(from: [Double](repeating: 0, count: weightCount + outputs),
                                     initialInverseHessian: preconditioner, objective: objective)
        return Model(weights: Array(result.x[0..<weightCount]), intercepts: Array(result.x[weightCount...]),
                     classes: classes, features: d, iterations: result.iterations, converged: result.stop.converged,
                     stop: result.stop, objective: result.value)
    }
}
