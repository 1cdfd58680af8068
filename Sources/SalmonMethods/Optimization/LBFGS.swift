/// Limited-memory BFGS for smooth unconstrained minimization (Nocedal, "Updating quasi-Newton
/// matrices with limited storage", Math. Comp. 35, 1980; Nocedal & Wright, *Numerical
/// Optimization*, 2nd ed., Alg. 7.4 and 7.5).
///
/// The two-loop recursion with `memory` correction pairs, initial Hessian scaling
/// γ = sᵀy / yᵀy, and a backtracking line search satisfying the Armijo condition (c₁ = 10⁻⁴);
/// a pair with sᵀy ≤ 10⁻¹⁰ · yᵀy is skipped, which keeps the approximation positive definite.
///
/// Stopping rules, in the order checked: ‖∇f‖_∞ ≤ `gradientTolerance` (converged); relative
/// decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ `functionTolerance` (converged, as
/// SciPy's L-BFGS-B `ftol`; with 0 it fires only on a step that leaves f unchanged, the floor of
/// the arithmetic); `maxIterations` reached or the line search failing (not converged).
/// Guarantees: for a convex objective with Lipschitz gradient the iterates decrease f
/// monotonically; the result reports which rule stopped it.
public struct LBFGS: Sendable {
    public var memory: Int
    public var gradientTolerance: Double
    public var functionTolerance: Double
    public var maxIterations: Int

    public init(memory: Int = 10, gradientTolerance: Double = 1e-4, functionTolerance: Double = 2.220446049250313e-09,
                maxIterations: Int = 1000) {
        precondition(memory >= 1 && gradientTolerance >= 0 && functionTolerance >= 0 && maxIterations >= 0,
                     "LBFGS: memory ≥ 1, tolerances ≥ 0, maxIterations ≥ 0")
        self.memory = memory
        self.gradientTolerance = gradientTolerance
        self.functionTolerance = functionTolerance
        self.maxIterations = maxIterations
    }

    /// Why the iteration stopped.
    public enum Stop: String, Sendable, Codable {
        case gradientTolerance, functionTolerance, maxIterations, lineSearchFailed, nonFinite
        public var converged: Bool { self == .gradientTolerance || self == .functionTolerance }
    }

    /// The minimizer found and how.
    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var gradientMaxNorm: Double
        public var iterations: Int
        public var evaluations: Int
        public var stop: Stop
    }

    /// Minimizes `objective`, which returns f(x) and writes ∇f(x) into its second argument.
    /// - Parameter gradientScale: when the problem is solved in scaled variables x = θ / s (a
    ///   diagonal preconditioner), the scales s, so that the gradient test applies to the original
    ///   gradient ∇_θ f = ∇_x f / s; nil for none.
    /// - Parameter initialInverseHessian: H₀ applied in place to a vector (a preconditioner, e.g.
    ///   the inverse of a bound on the Hessian); nil for the usual scaling γ = sᵀy / yᵀy. With H₀
    ///   given, the first step tried is 1 (a Newton-like step), otherwise 1/‖g‖.
    public func minimize(from start: [Double], gradientScale: [Double]? = nil,
                         initialInverseHessian: ((inout [Double]) -> Void)? = nil,
                         objective: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = start, g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        var evaluations = 1
        var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rhoHistory: [Double] = []
        var direction = [Double](repeating: 0, count: n), alphas = [Double](repeating: 0, count: memory)
        var xNew = x, gNew = g
        func maxAbs(_ v: [Double]) -> Double {
            guard let scale = gradientScale else { return v.reduce(0) { max($0, abs($1)) } }
            var m = 0.0
            for i in v.indices { m = max(m, abs(v[i] / scale[i])) }
            return m
        }
        guard f.isFinite else { return Result(x: x, value: f, gradientMaxNorm: .nan, iterations: 0, evaluations: 1, stop: .nonFinite) }
        var iteration = 0
        while true {
            let gNorm = maxAbs(g)
            if gNorm <= gradientTolerance {
                return Result(x: x, value: f, gradientMaxNorm: gNorm, iterations: iteration, evaluations: evaluations, stop: .gradientTolerance)
            }
            if iteration >= maxIterations {
                return Result(x: x, value: f, gradientMaxNorm: gNorm, iterations: iteration, evaluations: evaluations, stop: .maxIterations)
            }
            // Two-loop recursion: direction = −H g.
            for i in 0..<n { direction[i] = -g[i] }
            var k = sHistory.count
            for j in stride(from: k - 1, through: 0, by: -1) {
                var a = 0.0
                for i in 0..<n { a += sHistory[j][i] * direction[i] }
                a *= rhoHistory[j]
                alphas[j] = a
                for i in 0..<n { direction[i] -= a * yHistory[j][i] }
            }
            if let initialInverseHessian {
                initialInverseHessian(&direction)
            } else if k > 0 {
                var sy = 0.0, yy = 0.0
                for i in 0..<n { sy += sHistory[k - 1][i] * yHistory[k - 1][i]; yy += yHistory[k - 1][i] * yHistory[k - 1][i] }
                let gamma = sy / yy
                for i in 0..<n { direction[i] *= gamma }
            }
            for j in 0..<k {
                var b = 0.0
                for i in 0..<n { b += yHistory[j][i] * direction[i] }
                b *= rhoHistory[j]
                for i in 0..<n { direction[i] += sHistory[j][i] * (alphas[j] - b) }
            }
            var slope = 0.0
            for i in 0..<n { slope += g[i] * direction[i] }
            if !(slope < 0) {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                sHistory.removeAll(); yHistory.removeAll(); rhoHistory.removeAll()
                k = 0
                for i in 0..<n { direction[i] = -g[i] }
                slope = -g.reduce(0) { $0 + $1 * $1 }
            }
            var step = 1.0
            if k == 0 && initialInverseHessian == nil {
                let norm = (-slope).squareRoot()
                step = min(1, 1 / max(norm, 1e-300))
            }
            var accepted = false, fNew = f
            for _ in 0..<40 {
                for i in 0..<n { xNew[i] = x[i] + step * direction[i] }
                fNew = objective(xNew, &gNew)
                evaluations += 1
                if fNew.isFinite && fNew <= f + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            iteration += 1
            guard accepted else {
                return Result(x: x, value: f, gradientMaxNorm: gNorm, iterations: iteration, evaluations: evaluations, stop: .lineSearchFailed)
            }
            var s = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
            var sy = 0.0, yy = 0.0
            for i in 0..<n {
                s[i] = xNew[i] - x[i]
                y[i] = gNew[i] - g[i]
                sy += s[i] * y[i]
                yy += y[i] * y[i]
            }
            let decrease = (f - fNew) / max(abs(f), abs(fNew), 1)
            swap(&x, &xNew)
            swap(&g, &gNew)
            f = fNew
            if sy > 1e-10 * yy {
                if sHistory.count == memory {
                    sHistory.removeFirst(); yHistory.removeFirst(); rhoHistory.removeFirst()
                }
                sHistory.append(s); yHistory.append(y); rhoHistory.append(1 / sy)
            }
            let newNorm = maxAbs(g)
            if newNorm <= gradientTolerance {
                return Result(x: x, value: f, gradientMaxNorm: newNorm, iterations: iteration, evaluations: evaluations, stop: .gradientTolerance)
            }
            if decrease <= functionTolerance {
                return Result(x: x, value: f, gradientMaxNorm: maxAbs(g), iterations: iteration, evaluations: evaluations, stop: .functionTolerance)
            }
        }
    }
}
