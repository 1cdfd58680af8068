import Foundation
import SalmonStatistics

/// An invertible map from a site's activations h ∈ ℝᵈ to coordinates z in which an interchange
/// intervention swaps the first `intervened` coordinates from a source run into a base run:
///
///     h′ = φ⁻¹([φ(h_s)₍:k₎ ; φ(h_b)₍k:₎]).
///
/// With φ an orthogonal rotation this is distributed alignment search (Geiger et al. 2024, "Finding
/// alignments between interpretable causal variables and distributed neural representations",
/// CLeaR; `pyvene`'s `RotatedSpaceIntervention`); with φ a RevNet it is the non-linear alignment of
/// Sutter et al. 2025 ("The non-linear representation dilemma", arXiv 2507.08802), whose point is
/// that a map expressive enough aligns any variable with random networks too.
///
/// A map computes a batch of interventions and, given dL/dh′, the gradient of its parameters
/// (the inputs h_b, h_s are constants: the model is frozen). Scalars are `Double`: a rotation stays
/// orthogonal to rounding error, and a RevNet's inverse inverts its forward map to ~1e-12.
public protocol AlignmentMap: Sendable {
    /// d, the width of the site.
    var dimension: Int { get }
    /// k, the coordinates taken from the source (1 … d).
    var intervened: Int { get }
    /// The trainable parameters, flat.
    var parameters: [Double] { get set }
    /// h′ for `count` pairs, rows of `base` and `source` (`count × d`, row-major).
    func intervene(base: [Double], source: [Double], count: Int) -> [Double]
    /// dL/dθ (same layout as ``parameters``), summed over the `count` pairs, for dL/dh′ `outputGradient`.
    func parameterGradient(base: [Double], source: [Double], count: Int, outputGradient: [Double]) -> [Double]
    /// Restores the map's constraint after a gradient step (the rotation's orthonormal rows; nothing for a RevNet).
    mutating func project()
}

/// The linear alignment of distributed alignment search: R ∈ ℝ^{k×d} with orthonormal rows (the
/// first k rows of an orthogonal rotation), intervening as h′ = h_b + Rᵀ R (h_s − h_b) — the base
/// with its component in the row space of R replaced by the source's.
///
/// Trained by a gradient step on R followed by a retraction onto the Stiefel manifold (modified
/// Gram–Schmidt on the rows, twice, in `Double`), so RRᵀ = I to ~1e-15 after every step (tested to
/// 1e-6 after training). Initialized as the first k rows of a Haar-random orthogonal matrix (QR of
/// a Gaussian matrix from the stream).
public struct RotationAlignment: AlignmentMap, Equatable {
    public let dimension: Int
    public let intervened: Int
    /// R, `k × d` row-major.
    public var parameters: [Double]

    /// - Precondition: 1 ≤ `intervened` ≤ `dimension`.
    public init(dimension d: Int, intervened k: Int, stream: RandomStream) {
        precondition(d >= 1 && (1...d).contains(k), "rotation alignment: 1 ≤ k ≤ d")
        dimension = d
        intervened = k
        var s = stream
        parameters = (0..<(k * d)).map { _ in s.gaussian() }
        project()
    }

    public func intervene(base: [Double], source: [Double], count: Int) -> [Double] {
        let (d, k) = (dimension, intervened)
        var out = base
        var u = [Double](repeating: 0, count: k)
        for r in 0..<count {
            let o = r * d
            for i in 0..<k {
                var acc = 0.0
                for j in 0..<d { acc += parameters[i * d + j] * (source[o + j] - base[o + j]) }
                u[i] = acc
            }
            for i in 0..<k where u[i] != 0 {
                for j in 0..<d { out[o + j] += parameters[i * d + j] * u[i] }
            }
        }
        return out
    }

    /// With δ = h_s − h_b, u = Rδ and g = dL/dh′: dL/dR = Σ_pairs (u gᵀ + (R g) δᵀ).
    public func parameterGradient(base: [Double], source: [Double], count: Int, outputGradient g: [Double]) -> [Double] {
        let (d, k) = (dimension, intervened)
        var gradient = [Double](repeating: 0, count: k * d)
        var delta = [Double](repeating: 0, count: d)
        for r in 0..<count {
            let o = r * d
            for j in 0..<d { delta[j] = source[o + j] - base[o + j] }
            for i in 0..<k {
                var u = 0.0, rg = 0.0
                for j in 0..<d {
                    u += parameters[i * d + j] * delta[j]
                    rg += parameters[i * d + j] * g[o + j]
                }
                for j in 0..<d { gradient[i * d + j] += u * g[o + j] + rg * delta[j] }
            }
        }
        return gradient
    }

    /// Modified Gram–Schmidt on the rows, twice ("twice is enough": Giraud et al. 2005).
    public mutating func project() {
        let (d, k) = (dimension, intervened)
        for _ in 0..<2 {
            for i in 0..<k {
                for p in 0..<i {
                    var dot = 0.0
                    for j in 0..<d { dot += parameters[i * d + j] * parameters[p * d + j] }
                    for j in 0..<d { parameters[i * d + j] -= dot * parameters[p * d + j] }
                }
                var norm = 0.0
                for j in 0..<d { norm += parameters[i * d + j] * parameters[i * d + j] }
                norm = norm.squareRoot()
                // A row that collapsed (never seen in practice) restarts as a unit vector.
                if !(norm > 1e-300) { for j in 0..<d { parameters[i * d + j] = j == i ? 1 : 0 }; norm = 1 }
                for j in 0..<d { parameters[i * d + j] /= norm }
            }
        }
    }

    /// max |RRᵀ − I|, the departure from orthonormal rows.
    public var orthogonalityError: Double {
        let (d, k) = (dimension, intervened)
        var worst = 0.0
        for i in 0..<k {
            for p in 0..<k {
                var dot = 0.0
                for j in 0..<d { dot += parameters[i * d + j] * parameters[p * d + j] }
                worst = max(worst, abs(dot - (i == p ? 1 : 0)))
            }
        }
        return worst
    }
}

/// A non-linear invertible alignment: a RevNet of additive coupling layers (Gomez et al. 2017,
/// "The reversible residual network"; Dinh et al. 2015, NICE), as Sutter et al. 2025 use.
///
/// φ(h) = C_L ∘ P_L ∘ … ∘ C_1 ∘ P_1 ((h − μ) / σ): the site's activations standardized per
/// coordinate (μ, σ fixed from the base activations the map is fitted on), then per layer a fixed
/// random permutation P_ℓ of the coordinates and a coupling C_ℓ that splits x into x₁ (the first
/// ⌊d/2⌋ coordinates) and x₂ and sets y₁ = x₁ + F(x₂), y₂ = x₂ + G(y₁), with F, G one-hidden-layer
/// tanh networks of width `hidden`. Its inverse is exact: x₂ = y₂ − G(y₁), x₁ = y₁ − F(x₂).
/// Weights N(0, 1/fan-in), biases 0, from the stream; the permutations from `stream → "permutations"`.
public struct RevNetAlignment: AlignmentMap, Equatable {
    public let dimension: Int
    public let intervened: Int
    public let hidden: Int
    public let couplings: Int
    /// μ and σ of the standardization.
    public let center: [Double]
    public let scale: [Double]
    /// Per coupling layer, its permutation of the d coordinates.
    public let permutations: [[Int]]
    public var parameters: [Double]

    /// - Parameters:
    ///   - center, scale: the standardization (d values each, every scale > 0).
    /// - Precondition: d ≥ 2, 1 ≤ k ≤ d, hidden ≥ 1, couplings ≥ 1.
    public init(dimension d: Int, intervened k: Int, hidden: Int, couplings: Int, center: [Double], scale: [Double], stream: RandomStream) {
        precondition(d >= 2 && (1...d).contains(k) && hidden >= 1 && couplings >= 1, "RevNet alignment: d ≥ 2, 1 ≤ k ≤ d, hidden, couplings ≥ 1")
        precondition(center.count == d && scale.count == d && scale.allSatisfy { $0 > 0 }, "RevNet alignment: d centers and positive scales")
        dimension = d
        intervened = k
        self.hidden = hidden
        self.couplings = couplings
        self.center = center
        self.scale = scale
        var p = stream.derived("permutations")
        permutations = (0..<couplings).map { _ in var order = Array(0..<d); order.shuffle(using: &p); return order }
        var s = stream
        let m = d / 2, n = d - m
        var values: [Double] = []
        for _ in 0..<couplings {
            // F: ℝⁿ → ℝᵐ, G: ℝᵐ → ℝⁿ; each W1 [hidden, in], b1, W2 [out, hidden], b2.
            for (input, output) in [(n, m), (m, n)] {
                values += (0..<(hidden * input)).map { _ in s.gaussian() / Double(input).squareRoot() }
                values += [Double](repeating: 0, count: hidden)
                values += (0..<(output * hidden)).map { _ in s.gaussian() / Double(hidden).squareRoot() }
                values += [Double](repeating: 0, count: output)
            }
        }
        parameters = values
    }

    public mutating func project() {}

    /// The offsets of coupling ℓ's F and G within ``parameters``.
    private func layout(_ l: Int) -> (f: Int, g: Int) {
        let m = dimension / 2, n = dimension - m
        let fSize = hidden * n + hidden + m * hidden + m
        let gSize = hidden * m + hidden + n * hidden + n
        let base = l * (fSize + gSize)
        return (base, base + fSize)
    }

    /// y = W2 tanh(W1 x + b1) + b2 for the small network at `offset` (input `n`, output `m`);
    /// returns y and the tanh activations.
    private func net(_ offset: Int, _ x: ArraySlice<Double>, input n: Int, output m: Int) -> (y: [Double], a: [Double]) {
        let h = hidden
        var a = [Double](repeating: 0, count: h)
        let w1 = offset, b1 = w1 + h * n, w2 = b1 + h, b2 = w2 + m * h
        for i in 0..<h {
            var acc = parameters[b1 + i]
            for (j, v) in x.enumerated() { acc += parameters[w1 + i * n + j] * v }
            a[i] = tanh(acc)
        }
        var y = [Double](repeating: 0, count: m)
        for i in 0..<m {
            var acc = parameters[b2 + i]
            for j in 0..<h { acc += parameters[w2 + i * h + j] * a[j] }
            y[i] = acc
        }
        return (y, a)
    }

    /// Backward through the small network at `offset` for upstream dL/dy `dy`: accumulates its
    /// parameter gradient into `gradient` and returns dL/dx.
    private func netBackward(_ offset: Int, _ x: ArraySlice<Double>, a: [Double], dy: [Double], input n: Int, output m: Int,
                             gradient: inout [Double]) -> [Double] {
        let h = hidden
        let w1 = offset, b1 = w1 + h * n, w2 = b1 + h, b2 = w2 + m * h
        var da = [Double](repeating: 0, count: h)
        for i in 0..<m {
            gradient[b2 + i] += dy[i]
            for j in 0..<h {
                gradient[w2 + i * h + j] += dy[i] * a[j]
                da[j] += parameters[w2 + i * h + j] * dy[i]
            }
        }
        var dx = [Double](repeating: 0, count: n)
        for i in 0..<h {
            let dpre = da[i] * (1 - a[i] * a[i])
            gradient[b1 + i] += dpre
            for (j, v) in x.enumerated() {
                gradient[w1 + i * n + j] += dpre * v
                dx[j] += parameters[w1 + i * n + j] * dpre
            }
        }
        return dx
    }

    /// φ of one row, with what its backward pass needs (per coupling: its input after the permutation).
    private func forward(_ h: ArraySlice<Double>) -> (z: [Double], inputs: [[Double]]) {
        let d = dimension, m = d / 2, n = d - m
        var x = (0..<d).map { (h[h.startIndex + $0] - center[$0]) / scale[$0] }
        var inputs: [[Double]] = []
        for l in 0..<couplings {
            x = permutations[l].map { x[$0] }
            inputs.append(x)
            let (f, g) = layout(l)
            let fy = net(f, x[m...], input: n, output: m).y
            for i in 0..<m { x[i] += fy[i] }
            let gy = net(g, x[..<m], input: m, output: n).y
            for i in 0..<n { x[m + i] += gy[i] }
        }
        return (x, inputs)
    }

    /// φ⁻¹ of one row, with the per-coupling outputs y its backward pass needs.
    private func inverse(_ z: [Double]) -> (h: [Double], outputs: [[Double]]) {
        let d = dimension, m = d / 2, n = d - m
        var y = z
        var outputs: [[Double]] = Array(repeating: [], count: couplings)
        for l in stride(from: couplings - 1, through: 0, by: -1) {
            outputs[l] = y
            let (f, g) = layout(l)
            let gy = net(g, y[..<m], input: m, output: n).y
            for i in 0..<n { y[m + i] -= gy[i] }
            let fy = net(f, y[m...], input: n, output: m).y
            for i in 0..<m { y[i] -= fy[i] }
            var unpermuted = y
            for (i, p) in permutations[l].enumerated() { unpermuted[p] = y[i] }
            y = unpermuted
        }
        return ((0..<d).map { y[$0] * scale[$0] + center[$0] }, outputs)
    }

    /// φ(h) of one row (`d` values).
    public func coordinates(_ h: [Double]) -> [Double] { forward(h[...]).z }
    /// φ⁻¹(z) of one row.
    public func activation(_ z: [Double]) -> [Double] { inverse(z).h }

    public func intervene(base: [Double], source: [Double], count: Int) -> [Double] {
        let d = dimension
        var out = [Double](repeating: 0, count: count * d)
        for r in 0..<count {
            var z = forward(base[(r * d)..<((r + 1) * d)]).z
            let zs = forward(source[(r * d)..<((r + 1) * d)]).z
            for i in 0..<intervened { z[i] = zs[i] }
            let h = inverse(z).h
            for j in 0..<d { out[r * d + j] = h[j] }
        }
        return out
    }

    public func parameterGradient(base: [Double], source: [Double], count: Int, outputGradient: [Double]) -> [Double] {
        let d = dimension, m = d / 2, n = d - m
        var gradient = [Double](repeating: 0, count: parameters.count)
        for r in 0..<count {
            let rows = (r * d)..<((r + 1) * d)
            let (zb, inputsB) = forward(base[rows])
            let (zs, inputsS) = forward(source[rows])
            var z = zb
            for i in 0..<intervened { z[i] = zs[i] }
            let (_, outputs) = inverse(z)
            // Backward through φ⁻¹: from dL/dh′ to dL/dz′.
            var dy = (0..<d).map { outputGradient[r * d + $0] * scale[$0] }
            for l in 0..<couplings {
                // Undo the permutation: x[p] = y_perm[i] for p = perm[i], so d(y_perm)[i] = dx[p].
                dy = permutations[l].map { dy[$0] }
                // Recompute x₂ = y₂ − G(y₁) and the nets' activations.
                let y = outputs[l]
                let (f, g) = layout(l)
                let gOut = net(g, y[..<m], input: m, output: n)
                var x2 = Array(y[m...])
                for i in 0..<n { x2[i] -= gOut.y[i] }
                let fOut = net(f, x2[...], input: n, output: m)
                // x₁ = y₁ − F(x₂): dy₁ = dx₁; dx₂ −= J_Fᵀ dx₁.
                let dx1 = Array(dy[..<m])
                let fBack = netBackward(f, x2[...], a: fOut.a, dy: dx1.map { -$0 }, input: n, output: m, gradient: &gradient)
                var dx2 = Array(dy[m...])
                for i in 0..<n { dx2[i] += fBack[i] }
                // x₂ = y₂ − G(y₁): dy₂ = dx₂; dy₁ −= J_Gᵀ dx₂.
                let gBack = netBackward(g, y[..<m], a: gOut.a, dy: dx2.map { -$0 }, input: m, output: n, gradient: &gradient)
                var dy1 = dx1
                for i in 0..<m { dy1[i] += gBack[i] }
                dy = dy1 + dx2
            }
            // dL/dz′ splits into the source's first k coordinates and the base's rest.
            var dzs = [Double](repeating: 0, count: d), dzb = dy
            for i in 0..<intervened { dzs[i] = dy[i]; dzb[i] = 0 }
            backwardForward(inputsB, dz: dzb, gradient: &gradient)
            backwardForward(inputsS, dz: dzs, gradient: &gradient)
        }
        return gradient
    }

    /// Backward through φ (inputs are constants): accumulates the parameters' gradient for dL/dz `dz`.
    private func backwardForward(_ inputs: [[Double]], dz: [Double], gradient: inout [Double]) {
        guard dz.contains(where: { $0 != 0 }) else { return }
        let m = dimension / 2, n = dimension - m
        var dy = dz
        for l in stride(from: couplings - 1, through: 0, by: -1) {
            let x = inputs[l]
            let (f, g) = layout(l)
            let fOut = net(f, x[m...], input: n, output: m)
            var y1 = Array(x[..<m])
            for i in 0..<m { y1[i] += fOut.y[i] }
            let gOut = net(g, y1[...], input: m, output: n)
            // y₂ = x₂ + G(y₁): dx₂ = dy₂; dy₁ += J_Gᵀ dy₂.
            let dy2 = Array(dy[m...])
            let gBack = netBackward(g, y1[...], a: gOut.a, dy: dy2, input: m, output: n, gradient: &gradient)
            var dy1 = Array(dy[..<m])
            for i in 0..<m { dy1[i] += gBack[i] }
            // y₁ = x₁ + F(x₂): dx₁ = dy₁; dx₂ += J_Fᵀ dy₁.
            let fBack = netBackward(f, x[m...], a: fOut.a, dy: dy1, input: n, output: m, gradient: &gradient)
            var dx2 = dy2
            for i in 0..<n { dx2[i] += fBack[i] }
            // Through the permutation x_perm[i] = x[perm[i]]: dx[perm[i]] = dx_perm[i].
            let dxPermuted = dy1 + dx2
            var dx = dxPermuted
            for (i, p) in permutations[l].enumerated() { dx[p] = dxPermuted[i] }
            dy = dx
        }
    }
}
