import Foundation

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
    ///
    /// Per sequence and head, S = Q Kᵀ/√d_h and O = A V are strided sgemms on the fused q|k|v
    /// projection (row stride 3d), with no copies; the causal mask and the softmax run over rows.
    /// With a head mask m and a fill F (`[batch·T, d]`, the concatenated outputs of another run),
    /// head h's slice is m_h·O_h + (1 − m_h)·F_h: with m_h = 0, activation patching of the head
    /// (its output replaced by F's before the output projection). F is a constant of the pass.
    func forward(_ x: Tensor, batch: Int, length t: Int, headMask: [Float]?, headFill: Tensor? = nil) -> (Tensor, Cache) {
        let d = dimension, h = heads, dh = d / h
        let scale = 1 / Float(dh).squareRoot()
        let projected = qkv.forward(x)
        var patterns = [Float](repeating: 0, count: batch * h * t * t)
        var concatenated = Tensor(zeros: [batch * t, d])
        projected.scalars.withUnsafeBufferPointer { p in
            patterns.withUnsafeMutableBufferPointer { a in
                concatenated.scalars.withUnsafeMutableBufferPointer { o in
                    guard let p = p.baseAddress, let a = a.baseAddress, let o = o.baseAddress else { return }
                    for b in 0..<batch {
                        for head in 0..<h {
                            let q = p + b * t * 3 * d + head * dh, k = q + d, v = q + 2 * d
                            let pattern = a + ((b * h) + head) * t * t
                            BLAS.gemm(transposeB: true, m: t, n: t, k: dh, alpha: scale, a: q, lda: 3 * d, b: k, ldb: 3 * d,
                                      c: pattern, ldc: t)
                            for i in 0..<t {
                                let row = pattern + i * t
                                var maximum = -Float.infinity
                                for j in 0...i { maximum = max(maximum, row[j]) }
                                var total: Float = 0
                                for j in 0...i {
                                    row[j] = FastMath.exp(row[j] - maximum)
                                    total += row[j]
                                }
                                let inverse = 1 / total
                                for j in 0...i { row[j] *= inverse }
                                for j in (i + 1)..<t { row[j] = 0 }
                            }
                            BLAS.gemm(m: t, n: dh, k: t, alpha: headMask?[head] ?? 1, a: pattern, lda: t, b: v, ldb: 3 * d,
                                      c: o + b * t * d + head * dh, ldc: d)
                        }
                    }
                }
            }
        }
        if let fill = headFill, let mask = headMask {
            precondition(fill.shape == [batch * t, d] && mask.count == h, "head fill [batch·T, d] and one mask factor per head")
            concatenated.scalars.withUnsafeMutableBufferPointer { o in
                fill.scalars.withUnsafeBufferPointer { f in
                    for head in 0..<h where mask[head] != 1 {
                        let keep = 1 - mask[head]
                        for r in 0..<(batch * t) {
                            let base = r * d + head * dh
                            for c in base..<(base + dh) { o[c] += keep * f[c] }
                        }
                    }
                }
            }
        }
        let y = output.forward(concatenated)
        return (y, Cache(input: x, qkv: projected, patterns: patterns, concatenated: concatenated, headMask: headMask))
    }

    struct Gradients: Sendable { var qkv: (Tensor, Tensor); var output: (Tensor, Tensor) }

    /// Backward through the projection, the attention (dA = dO Vᵀ, dV = Aᵀ dO, the softmax,
    /// dQ = dS K/√d_h, dK = dSᵀ Q/√d_h, all strided sgemms) and the q|k|v projection.
    func backward(_ dy: Tensor, _ cache: Cache, batch: Int, length t: Int) -> (Tensor, Gradients) {
        let d = dimension, h = heads, dh = d / h
        let scale = 1 / Float(dh).squareRoot()
        let dOutputWeight = BLAS.matmul(dy, cache.concatenated, transposeA: true)
        let dOutputBias = Self.columnSums(dy)
        let dConcatenated = BLAS.matmul(dy, output.weight)
        var dProjected = Tensor(zeros: cache.qkv.shape)
        var dPattern = [Float](repeating: 0, count: t * t)
        cache.qkv.scalars.withUnsafeBufferPointer { p in
            cache.patterns.withUnsafeBufferPointer { a in
                dConcatenated.scalars.withUnsafeBufferPointer { dO in
                    dProjected.scalars.withUnsafeMutableBufferPointer { dP in
                        dPattern.withUnsafeMutableBufferPointer { dA in
                            guard let p = p.baseAddress, let a = a.baseAddress, let dO = dO.baseAddress,
                                  let dP = dP.baseAddress, let dA = dA.baseAddress else { return }
                            for b in 0..<batch {
                                for head in 0..<h {
                                    let factor = cache.headMask?[head] ?? 1
                                    if factor == 0 { continue }
                                    let q = p + b * t * 3 * d + head * dh, k = q + d, v = q + 2 * d
                                    let dq = dP + b * t * 3 * d + head * dh, dk = dq + d, dv = dq + 2 * d
                                    let pattern = a + ((b * h) + head) * t * t
                                    let dOut = dO + b * t * d + head * dh
                                    // dA = factor · dO Vᵀ; dV = factor · Aᵀ dO.
                                    BLAS.gemm(transposeB: true, m: t, n: t, k: dh, alpha: factor, a: dOut, lda: d, b: v,
                                              ldb: 3 * d, c: dA, ldc: t)
                                    BLAS.gemm(transposeA: true, m: t, n: dh, k: t, alpha: factor, a: pattern, lda: t,
                                              b: dOut, ldb: d, c: dv, ldc: 3 * d)
                                    // Softmax: dS = A ⊙ (dA − rowsum(A ⊙ dA)), scaled by 1/√d_h.
                                    for i in 0..<t {
                                        var weighted: Float = 0
                                        for j in 0...i { weighted += pattern[i * t + j] * dA[i * t + j] }
                                        for j in 0...i { dA[i * t + j] = pattern[i * t + j] * (dA[i * t + j] - weighted) * scale }
                                        for j in (i + 1)..<t { dA[i * t + j] = 0 }
                                    }
                                    // dQ = dS K; dK = dSᵀ Q.
                                    BLAS.gemm(m: t, n: dh, k: t, a: dA, lda: t, b: k, ldb: 3 * d, c: dq, ldc: 3 * d)
                                    BLAS.gemm(transposeA: true, m: t, n: dh, k: t, a: dA, lda: t, b: q, ldb: 3 * d,
                                              c: dk, ldc: 3 * d)
                                }
                            }
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
