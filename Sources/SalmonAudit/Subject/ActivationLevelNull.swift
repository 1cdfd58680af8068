import SalmonNetworks
import SalmonStatistics

/// The null families that keep the trained network (``NullSpec/Family/keepsTrainedNetwork``):
/// their null k reads the activations of trained network k mod K_t, and either redraws them or
/// leaves them to a method variant.
///
/// - `gaussian-activations`: at each site, n rows drawn independently from N(x̄, S), the mean and
///   the sample covariance S = Σᵢ(xᵢ − x̄)(xᵢ − x̄)ᵀ/(n − 1) of the trained network's n rows there
///   (a parametric bootstrap of "the activations are Gaussian": no sparse or non-Gaussian
///   structure, the same first and second moments). Rows are x̄ + V·diag(√λ⁺)·z with S = VΛVᵀ by
///   LAPACK's `dsyevd`, λ⁺ = max(λ, 0) (S is positive semidefinite; a dead unit has λ = 0), and z
///   standard normal from `seed → "null" → "gaussian-activations" → k → site`. The issue asked
///   for "Gaussian-noise inputs of matching mean and covariance" (issue 14; Heap et al. 2025 and
///   Korznikov et al. 2026 compare SAEs on real activations against such data).
/// - `frozen-decoder`, `frozen-encoder`: the trained activations unchanged; the claim family's
///   evaluator applies the variant (``ClaimContext/standIn``).
///
/// Subjects route such units here from their `activations(_:sites:)`, so a subject that stands
/// other units in (``OneMoreNullDraw``) reaches it through its base like any null model.
public enum ActivationLevelNull {
    /// The activations of `unit` at `sites` when its family keeps the trained network; nil for any
    /// other unit.
    /// - Parameters:
    ///   - trainedSeeds: K_t.
    ///   - seed: the spec's seed.
    ///   - trained: the activations at `sites` of a trained unit.
    public static func activations(_ unit: AuditUnit, sites: Set<String>, trainedSeeds: Int, seed: UInt64,
                                   trained: (AuditUnit, Set<String>) throws -> [String: Tensor]) throws -> [String: Tensor]? {
        guard case .null(let name, let k) = unit, let family = NullSpec.Family(rawValue: name), family.keepsTrainedNetwork else { return nil }
        guard trainedSeeds >= 1 else { throw AuditError("\(unit): no trained model to read") }
        let source = try trained(.trained(seed: k % trainedSeeds), sites)
        guard family == .gaussianActivations else { return source }
        var out: [String: Tensor] = [:]
        for (site, a) in source {
            do {
                out[site] = try gaussianDraw(like: a, stream: RandomStream(seed: seed, path: ["null", .label(name), .index(k), .label(site)]))
            } catch {
                throw AuditError("\(unit) at \(site): the activations' covariance could not be decomposed (\(error))")
            }
        }
        return out
    }

    /// `rows` (default: as many as `x` has) independent draws from N(x̄, S), the column means and
    /// sample covariance of `x` (`[n, d]`, n ≥ 2), computed in Float64.
    /// - Throws: when LAPACK cannot decompose S.
    public static func gaussianDraw(like x: Tensor, rows: Int? = nil, stream: RandomStream) throws -> Tensor {
        precondition(x.rank == 2, "gaussianDraw needs a matrix")
        let n = x.shape[0], d = x.shape[1]
        let count = rows ?? n
        guard n >= 2 else { throw AuditError("a covariance needs at least 2 rows, found \(n)") }
        let (crossProduct, means) = SymmetricMatrix.centeredCrossProduct(x)
        let (values, vectors) = try SymmetricMatrix.eigen(crossProduct.map { $0 / Double(n - 1) }, n: d)
        // Factor F = V·diag(√λ⁺) (d × d, row-major: F[i][j] = V[i][j]·√λⱼ⁺); vectors' row j is
        // the eigenvector of λⱼ, so V[i][j] = vectors[j*d + i].
        var factor = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            let root = max(values[j], 0).squareRoot()
            guard root > 0 else { continue }
            for i in 0..<d { factor[i * d + j] = vectors[j * d + i] * root }
        }
        var draw = stream
        var out = [Float](repeating: 0, count: count * d)
        var z = [Double](repeating: 0, count: d)
        for r in 0..<count {
            for j in 0..<d { z[j] = draw.gaussian() }
            for i in 0..<d {
                var v = means[i]
                let row = i * d
                for j in 0..<d { v += factor[row + j] * z[j] }
                out[r * d + i] = Float(v)
            }
        }
        return Tensor(shape: [count, d], scalars: out)
    }
}
