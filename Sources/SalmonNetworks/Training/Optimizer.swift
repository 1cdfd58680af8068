import Foundation

/// A gradient-descent update rule, with PyTorch's semantics.
///
/// - `sgd`: with momentum μ, buf ← μ·buf + g (buf = g at the first step), p ← p − lr·buf
///   (`torch.optim.SGD`, dampening 0, no Nesterov).
/// - `adamW`: decoupled weight decay p ← p − lr·λ·p, then Adam with bias correction:
///   m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
///   (Loshchilov & Hutter 2019; `torch.optim.AdamW`, whose default λ is 0.01).
public enum OptimizerKind: Sendable, Equatable, Hashable {
    case sgd(learningRate: Float, momentum: Float = 0)
    case adamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
               weightDecay: Float = 0.01)
}

/// The state of an optimizer over a fixed list of parameter arrays.
public struct Optimizer: Sendable {
    public let kind: OptimizerKind
    private var first: [[Float]] = []
    private var second: [[Float]] = []
    /// Updates taken so far.
    public private(set) var step = 0

    public init(_ kind: OptimizerKind) { self.kind = kind }

    /// Updates `parameters[k]` in place from `gradients[k]`, for every k.
    public mutating func update(_ parameters: inout [[Float]], gradients: [[Float]]) {
        precondition(parameters.count == gradients.count, "one gradient per parameter")
        beginStep(counts: parameters.map(\.count))
        for k in parameters.indices { update(slot: k, &parameters[k], gradient: gradients[k]) }
    }

    /// Starts an update of parameter arrays of these sizes (the moments are allocated at the
    /// first step); then ``update(slot:_:gradient:)`` updates each array, so that parameters
    /// held in a model's own stored properties are updated in place without gathering them.
    public mutating func beginStep(counts: [Int]) {
        if first.isEmpty {
            first = counts.map { [Float](repeating: 0, count: $0) }
            second = first
        }
        precondition(first.count == counts.count && zip(first, counts).allSatisfy { $0.count == $1 }, "the same parameters at every step")
        step += 1
    }

    /// Updates parameter array number `k` of the step begun by ``beginStep(counts:)``.
    public mutating func update(slot k: Int, _ parameters: inout [Float], gradient: [Float]) {
        precondition(step >= 1 && parameters.count == first[k].count && gradient.count == parameters.count, "beginStep first, one gradient per parameter")
        switch kind {
        case .sgd(let lr, let momentum):
            for i in parameters.indices {
                var d = gradient[i]
                if momentum != 0 {
                    first[k][i] = step == 1 ? d : momentum * first[k][i] + d
                    d = first[k][i]
                }
                parameters[i] -= lr * d
            }
        case .adamW(let lr, let beta1, let beta2, let epsilon, let weightDecay):
            let correction1 = 1 - pow(beta1, Float(step))
            let correction2 = (1 - pow(beta2, Float(step))).squareRoot()
            let stepSize = lr / correction1
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    first[k].withUnsafeMutableBufferPointer { m in
                        second[k].withUnsafeMutableBufferPointer { v in
                            for i in 0..<p.count {
                                p[i] *= 1 - lr * weightDecay
                                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                                p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + epsilon)
                            }
                        }
                    }
                }
            }
        }
    }
}
