import SalmonStatistics

/// A fully connected layer y = x Wᵀ + b, with PyTorch's layout: weight `[out, in]`, bias `[out]`.
public struct Linear: Sendable, Equatable {
    /// `[outFeatures, inFeatures]`.
    public var weight: Tensor
    /// `[outFeatures]`.
    public var bias: Tensor

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// A layer with given parameters.
    /// - Precondition: `weight` is `[out, in]` and `bias` is `[out]`.
    public init(weight: Tensor, bias: Tensor) {
        precondition(weight.rank == 2 && bias.shape == [weight.shape[0]], "Linear: weight [out, in] and bias [out]")
        self.weight = weight
        self.bias = bias
    }

    /// A freshly initialized layer.
    public init(inFeatures: Int, outFeatures: Int, initializer: Initializer = .pytorchDefault, stream: inout RandomStream) {
        let (w, b) = initializer.draw(fanIn: inFeatures, fanOut: outFeatures, stream: &stream)
        self.init(weight: Tensor(shape: [outFeatures, inFeatures], scalars: w), bias: Tensor(shape: [outFeatures], scalars: b))
    }

    /// x `[batch, in]` → x Wᵀ + b `[batch, out]`, with `weight` optionally replaced (edge masks).
    func forward(_ x: Tensor, weight w: Tensor? = nil) -> Tensor {
        var y = BLAS.matmul(x, w ?? weight, transposeB: true)
        let n = outFeatures
        y.scalars.withUnsafeMutableBufferPointer { ys in
            bias.scalars.withUnsafeBufferPointer { bs in
                for r in 0..<(ys.count / max(n, 1)) {
                    for j in 0..<n { ys[r * n + j] += bs[j] }
                }
            }
        }
        return y
    }
}
