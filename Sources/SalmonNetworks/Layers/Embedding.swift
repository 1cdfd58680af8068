import SalmonStatistics

/// A lookup table of vectors, PyTorch's `nn.Embedding` (weight `[count, dimension]`).
public struct Embedding: Sendable, Equatable {
    public var weight: Tensor

    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding weight is [count, dimension]")
        self.weight = weight
    }

    /// N(0, σ²) initialization (GPT-2 uses σ = 0.02; PyTorch's nn.Embedding default is σ = 1).
    public init(count: Int, dimension: Int, standardDeviation: Float = 0.02, stream: inout RandomStream) {
        weight = Tensor(shape: [count, dimension], scalars: (0..<(count * dimension)).map { _ in Float(stream.gaussian()) * standardDeviation })
    }

    public var count: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    /// The rows for `indices` (each in 0..<count), `[indices.count, dimension]`.
    func forward(_ indices: [Int]) -> Tensor { weight.rows(indices) }

    /// Scatter-adds the rows of `dy` into the weight gradient.
    func backward(_ dy: Tensor, _ indices: [Int]) -> Tensor {
        var g = Tensor(zeros: weight.shape)
        let d = dimension
        for (r, i) in indices.enumerated() {
            for j in 0..<d { g.scalars[i * d + j] += dy.scalars[r * d + j] }
        }
        return g
    }
}
