/// Layer normalization over the last dimension (Ba, Kiros & Hinton 2016), PyTorch's `nn.LayerNorm`:
/// y = (x − μ) / √(σ² + ε) · γ + β with the biased variance σ² of each row, ε = 1e-5.
public struct LayerNorm: Sendable, Equatable {
    /// γ, `[features]`, initialized to 1.
    public var weight: Tensor
    /// β, `[features]`, initialized to 0.
    public var bias: Tensor
    public var epsilon: Float

    public init(features: Int, epsilon: Float = 1e-5) {
        weight = Tensor(repeating: 1, shape: [features])
        bias = Tensor(zeros: [features])
        self.epsilon = epsilon
    }

    public init(weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) {
        precondition(weight.rank == 1 && bias.shape == weight.shape, "LayerNorm: weight and bias [features]")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    struct Cache: Sendable { var normalized: Tensor; var inverseDeviation: [Float] }

    func forward(_ x: Tensor) -> (Tensor, Cache) {
        let d = weight.count, rows = x.count / d
        var y = x, normalized = x
        var inverse = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            var mean: Float = 0
            for j in 0..<d { mean += x.scalars[r * d + j] }
            mean /= Float(d)
            var variance: Float = 0
            for j in 0..<d {
                let c = x.scalars[r * d + j] - mean
                variance += c * c
            }
            variance /= Float(d)
            let inv = 1 / (variance + epsilon).squareRoot()
            inverse[r] = inv
            for j in 0..<d {
                let n = (x.scalars[r * d + j] - mean) * inv
                normalized.scalars[r * d + j] = n
                y.scalars[r * d + j] = n * weight.scalars[j] + bias.scalars[j]
            }
        }
        return (y, Cache(normalized: normalized, inverseDeviation: inverse))
    }

    /// dx, dγ, dβ from dy: dx = (1/σ)(ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = dy ⊙ γ.
    func backward(_ dy: Tensor, _ cache: Cache) -> (Tensor, Tensor, Tensor) {
        let d = weight.count, rows = dy.count / d
        var dx = dy
        var dWeight = [Float](repeating: 0, count: d), dBias = [Float](repeating: 0, count: d)
        for r in 0..<rows {
            var meanG: Float = 0, meanGX: Float = 0
            for j in 0..<d {
                let g = dy.scalars[r * d + j] * weight.scalars[j]
                let n = cache.normalized.scalars[r * d + j]
                meanG += g
                meanGX += g * n
                dWeight[j] += dy.scalars[r * d + j] * n
                dBias[j] += dy.scalars[r * d + j]
            }
            meanG /= Float(d)
            meanGX /= Float(d)
            for j in 0..<d {
                let g = dy.scalars[r * d + j] * weight.scalars[j]
                dx.scalars[r * d + j] = cache.inverseDeviation[r] * (g - meanG - cache.normalized.scalars[r * d + j] * meanGX)
            }
        }
        return (dx, Tensor(shape: [d], scalars: dWeight), Tensor(shape: [d], scalars: dBias))
    }
}
