import Foundation
import SalmonStatistics

/// Multi-head causal self-attention, GPT-2's (Radford et al. 2019; Vaswani et al. 2017): one
/// projection to queries, keys and values (`qkv`, `[3d, d]`, columns q | k | v, head h using the
/// h-th slice of width d/H in each), scaled dot-product attention with a causal mask, heads
/// concatenated, and an output projection (`output`, `[d, d]`).
public struct CausalSelfAttention: Sendable, Equatable {
    public var qkv: Linear
    public var output: Linear
    public var heads: Int

    public init(qkv: Linear, output: Linear, heads: Int) {
        precondition(qkv.outFeatures == 3 * qkv.inFeatures && output.inFeatures == qkv.inFeatures
                     && output.outFeatures == qkv.inFeatures, "attention: qkv [3d, d] and output [d, d]")
        precondition(heads >= 1 && qkv.inFeatures % heads == 0, "attention: d must be a multiple of the heads")
        self.qkv = qkv
        self.output = output
        self.heads = heads
    }

    public var dimension: Int { qkv.inFeatures }

    struct Cache: Sendable {
        var input: Tensor
        var qkv: Tensor
        /// Attention patterns, `[batch, heads, T, T]` flattened.
        var patterns: [Float]
        /// Concatenated head outputs after the head mask, `[batch·T, d]`.
        var concatenated: Tensor
        var headMask: [Float]?
    }

    /// x `[batch·T, d]` (batch-major) → y `[batch·T, d]`; also the per-head patterns.
    func forward(_ x: Tensor, batch: Int, length t: Int, headMask: [Float]?) -> (Tensor, Cache) {
        let d = dimension, h = heads, dh = d / h
        let scale = 1 / Float(dh).squareRoot()
        let projected = qkv.forward(x)
        var patterns = [Float](repeating: 0, count: batch * h * t * t)
        var concatenated = Tensor(zeros: [batch * t, d])
        var scores = [Float](repeating: 0, count: t)
        for b in 0..<batch {
            for head in 0..<h {
                let base = ((b * h) + head) * t * t
                for i in 0..<t {
                    let qRow = (b * t + i) * 3 * d + head * dh
                    var maximum = -Float.infinity
                    for j in 0...i {
                        let kRow = (b * t + j) * 3 * d + d + head * dh
                        var s: Float = 0
                        for k in 0..<dh { s += projected.scalars[qRow + k] * projected.scalars[kRow + k] }
                        scores[j] = s * scale
                        maximum = max(maximum, scores[j])
                    }
                    var total: Float = 0
                    for j in 0...i {
                        scores[j] = exp(scores[j] - maximum)
                        total += scores[j]
                    }
                    let factor = headMask?[head] ?? 1
                    let oRow = (b * t + i) * d + head * dh
                    for j in 0...i {
                        let a = scores[j] / total
                        patterns[base + i * t + j] = a
                        let vRow = (b * t + j) * 3 * d + 2 * d + head * dh
                        for k in 0..<dh { concatenated.scalars[oRow + k] += factor * a * projected.scalars[vRow + k] }
                    }
                }
            }
        }
        let y = output.forward(concatenated)
        return (y, Cache(input: x, qkv: projected, patterns: patterns, concatenated: concatenated, headMask: headMask))
    }

    struct Gradients: Sendable { var qkv: (Tensor, Tensor); var output: (Tensor, Tensor) }

    func backward(_ dy: Tensor, _ cache: Cache, batch: Int, length t: Int) -> (Tensor, Gradients) {
        let d = dimension, h = heads, dh = d / h
        let scale = 1 / Float(dh).squareRoot()
        let dOutputWeight = BLAS.matmul(dy, cache.concatenated, transposeA: true)
        let dOutputBias = Self.columnSums(dy)
        let dConcatenated = BLAS.matmul(dy, output.weight)
        var dProjected = Tensor(zeros: cache.qkv.shape)
        let p = cache.qkv.scalars
        var dA = [Float](repeating: 0, count: t)
        for b in 0..<batch {
            for head in 0..<h {
                let factor = cache.headMask?[head] ?? 1
                if factor == 0 { continue }
                let base = ((b * h) + head) * t * t
                for i in 0..<t {
                    let oRow = (b * t + i) * d + head * dh
                    // dA[j] = dO_i · v_j; dV_j += A[i, j] dO_i.
                    var weighted: Float = 0
                    for j in 0...i {
                        let vRow = (b * t + j) * 3 * d + 2 * d + head * dh
                        var s: Float = 0
                        for k in 0..<dh {
                            let g = factor * dConcatenated.scalars[oRow + k]
                            s += g * p[vRow + k]
                            dProjected.scalars[vRow + k] += cache.patterns[base + i * t + j] * g
                        }
                        dA[j] = s
                        weighted += s * cache.patterns[base + i * t + j]
                    }
                    // Softmax: dS_j = A_j (dA_j − Σ A dA); then q and k.
                    let qRow = (b * t + i) * 3 * d + head * dh
                    for j in 0...i {
                        let dS = cache.patterns[base + i * t + j] * (dA[j] - weighted) * scale
                        if dS == 0 { continue }
                        let kRow = (b * t + j) * 3 * d + d + head * dh
                        for k in 0..<dh {
                            dProjected.scalars[qRow + k] += dS * p[kRow + k]
                            dProjected.scalars[kRow + k] += dS * p[qRow + k]
                        }
                    }
                }
            }
        }
        let dInput = BLAS.matmul(dProjected, qkv.weight)
        let dQKVWeight = BLAS.matmul(dProjected, cache.input, transposeA: true)
        return (dInput, Gradients(qkv: (dQKVWeight, Self.columnSums(dProjected)), output: (dOutputWeight, dOutputBias)))
    }

    static func columnSums(_ x: Tensor) -> Tensor {
        let width = x.shape[1]
        var sums = [Float](repeating: 0, count: width)
        for r in 0..<x.shape[0] { for j in 0..<width { sums[j] += x.scalars[r * width + j] } }
        return Tensor(shape: [width], scalars: sums)
    }
}
