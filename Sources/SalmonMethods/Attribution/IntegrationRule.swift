import Foundation

/// A quadrature rule for the path integral of Integrated Gradients, ∫₀¹ g(α) dα ≈ Σₖ wₖ g(αₖ).
///
/// The raw values are Captum's `method` names. Captum's default, and ours, is Gauss–Legendre.
///
/// Mathematical properties:
/// - `gaussLegendre`: the n nodes are the roots of the Legendre polynomial Pₙ mapped from
///   [−1, 1] to [0, 1] (αₖ = (1 + xₖ)/2, wₖ = ωₖ/2, as Captum rescales `numpy.polynomial.legendre.leggauss`).
///   Exact for polynomials of degree ≤ 2n − 1; endpoints are not evaluated. Nodes by Newton's
///   method on the three-term recurrence in Float64, accurate to a few ulps (checked against numpy).
/// - `riemannTrapezoid`: n equally spaced nodes including both ends, αₖ = k/(n − 1), weights
///   1/(n − 1) with the two ends halved, so the weights sum to 1 and linear integrands are exact.
///   Captum's `riemann_trapezoid` uses the same nodes but weights 1/n (ends halved), which sum to
///   1 − 1/n: its completeness gap on a *linear* model is (F(x) − F(b))/n. We use the textbook rule.
/// - `riemannLeft`, `riemannRight`, `riemannMiddle`: n equal steps of width 1/n evaluated at the
///   left end, right end or middle of each step (as Captum); first-order accurate (middle: second).
public enum IntegrationRule: String, Sendable, Hashable, Codable, CaseIterable {
    case gaussLegendre = "gausslegendre"
    case riemannTrapezoid = "riemann_trapezoid"
    case riemannLeft = "riemann_left"
    case riemannRight = "riemann_right"
    case riemannMiddle = "riemann_middle"

    /// The fewest nodes the rule accepts (the trapezoid needs both ends).
    public var minimumSteps: Int { self == .riemannTrapezoid ? 2 : 1 }

    /// The nodes αₖ in [0, 1] (ascending) and weights wₖ of the rule with `steps` nodes.
    /// - Precondition: `steps >= minimumSteps`.
    public func nodes(_ steps: Int) -> (alphas: [Double], weights: [Double]) {
        precondition(steps >= minimumSteps, "\(rawValue) needs at least \(minimumSteps) steps")
        let n = Double(steps)
        switch self {
        case .gaussLegendre:
            let (x, w) = Self.legendre(steps)
            return (x.map { 0.5 * (1 + $0) }, w.map { 0.5 * $0 })
        case .riemannTrapezoid:
            let h = 1 / (n - 1)
            var weights = [Double](repeating: h, count: steps)
            weights[0] = h / 2
            weights[steps - 1] = h / 2
            return ((0..<steps).map { Double($0) / (n - 1) }, weights)
        case .riemannLeft:
            return ((0..<steps).map { Double($0) / n }, [Double](repeating: 1 / n, count: steps))
        case .riemannRight:
            return ((0..<steps).map { Double($0 + 1) / n }, [Double](repeating: 1 / n, count: steps))
        case .riemannMiddle:
            return ((0..<steps).map { (Double($0) + 0.5) / n }, [Double](repeating: 1 / n, count: steps))
        }
    }

    /// Gauss–Legendre nodes on [−1, 1] (ascending) and weights ωₖ = 2 / ((1 − xₖ²) Pₙ′(xₖ)²).
    ///
    /// Newton's method from the asymptotic guess cos(π(k + 3/4)/(n + 1/2)) (Abramowitz & Stegun
    /// 22.16.6), with Pₙ and Pₙ′ from the recurrence j Pⱼ = (2j − 1) x Pⱼ₋₁ − (j − 1) Pⱼ₋₂;
    /// symmetric pairs are set together so the rule is exactly symmetric.
    static func legendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        var nodes = [Double](repeating: 0, count: n), weights = nodes
        // Pₙ(z) and Pₙ′(z).
        func evaluate(_ z: Double) -> (Double, Double) {
            var p1 = 1.0, p2 = 0.0
            for j in 1...n {
                let p3 = p2
                p2 = p1
                p1 = (Double(2 * j - 1) * z * p2 - Double(j - 1) * p3) / Double(j)
            }
            return (p1, Double(n) * (z * p1 - p2) / (z * z - 1))
        }
        for k in 0..<((n + 1) / 2) {
            var z = cos(Double.pi * (Double(k) + 0.75) / (Double(n) + 0.5))
            for _ in 0..<100 {
                let (p, dp) = evaluate(z)
                let step = p / dp
                z -= step
                if abs(step) <= 1e-16 { break }
            }
            if n % 2 == 1 && k == n / 2 { z = 0 }
            let (_, dp) = evaluate(z)
            let w = 2 / ((1 - z * z) * dp * dp)
            nodes[k] = -z
            nodes[n - 1 - k] = z
            weights[k] = w
            weights[n - 1 - k] = w
        }
        return (nodes, weights)
    }
}
