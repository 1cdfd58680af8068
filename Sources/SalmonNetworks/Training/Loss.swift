import Foundation

/// A training loss with its gradient, averaged over the batch as PyTorch's `reduction="mean"`.
public enum Loss: Sendable, Equatable, Hashable {
    /// Mean over every element of (y − t)² (`nn.MSELoss`). Targets have the output's shape.
    case meanSquaredError
    /// Mean over the batch of −log softmax(y)[t] (`nn.CrossEntropyLoss`). Targets are class
    /// indices, `[batch]` or `[batch, 1]`, stored as Float.
    case crossEntropy
    /// Mean over every element of (y − onehot(t))²: `nn.MSELoss` against `F.one_hot(t)`, the loss
    /// of Gromov 2023 and Doshi et al. 2023. Targets are class indices as for cross-entropy.
    case meanSquaredErrorToOneHot

    /// Whether the targets are class indices (`[batch]`) rather than rows of the output's width.
    public var takesClassIndices: Bool { self != .meanSquaredError }

    /// The loss and dL/d(output).
    public func evaluate(output y: Tensor, targets t: Tensor) -> (value: Double, gradient: Tensor) {
        switch self {
        case .meanSquaredError:
            precondition(t.count == y.count, "MSE targets must match the output's \(y.count) elements")
            let n = Float(y.count)
            var total = 0.0
            var g = y
            for i in 0..<y.count {
                let d = y.scalars[i] - t.scalars[i]
                total += Double(d) * Double(d)
                g.scalars[i] = 2 * d / n
            }
            return (total / Double(y.count), g)
        case .meanSquaredErrorToOneHot:
            precondition(y.rank == 2 && t.count == y.shape[0], "MSE to one-hot: output [batch, classes], targets [batch]")
            let batch = y.shape[0], classes = y.shape[1]
            let n = Float(y.count)
            var total = 0.0
            var g = y
            for r in 0..<batch {
                let target = Int(t.scalars[r])
                precondition(target >= 0 && target < classes, "MSE to one-hot: class \(target) outside 0..<\(classes)")
                for j in 0..<classes {
                    let d = y.scalars[r * classes + j] - (j == target ? 1 : 0)
                    total += Double(d) * Double(d)
                    g.scalars[r * classes + j] = 2 * d / n
                }
            }
            return (total / Double(y.count), g)
        case .crossEntropy:
            precondition(y.rank == 2 && t.count == y.shape[0], "cross-entropy: output [batch, classes], targets [batch]")
            let batch = y.shape[0], classes = y.shape[1]
            var total = 0.0
            var g = y
            for r in 0..<batch {
                let row = r * classes
                var m = -Float.infinity
                for j in 0..<classes { m = max(m, y.scalars[row + j]) }
                let target = Int(t.scalars[r])
                precondition(target >= 0 && target < classes, "cross-entropy: class \(target) outside 0..<\(classes)")
                let sum: Float = g.scalars.withUnsafeMutableBufferPointer { gs in
                    y.scalars.withUnsafeBufferPointer { ys in
                        var sum: Float = 0
                        for j in 0..<classes {
                            let e = FastMath.exp(ys[row + j] - m)
                            gs[row + j] = e
                            sum += e
                        }
                        let scale = 1 / (sum * Float(batch))
                        for j in 0..<classes { gs[row + j] *= scale }
                        gs[row + target] -= 1 / Float(batch)
                        return sum
                    }
                }
                total += Double(log(sum) + m - y.scalars[row + target])
            }
            return (total / Double(batch), g)
        }
    }
}
