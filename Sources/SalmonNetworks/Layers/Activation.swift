import Foundation

/// An element-wise activation function, with its derivative for backpropagation.
///
/// `gelu` is the exact form x · Φ(x) (PyTorch's default `nn.GELU()`), not the tanh approximation.
/// `leakyReLU(slope:)` is PyTorch's `nn.LeakyReLU(negative_slope)` (0.01 by default there).
public enum Activation: Sendable, Equatable, Hashable, Codable {
    case identity
    case relu
    case leakyReLU(slope: Float)
    case tanh
    case sigmoid
    case gelu

    /// f(z).
    @inlinable
    public func apply(_ z: Float) -> Float {
        switch self {
        case .identity: return z
        case .relu: return z > 0 ? z : 0
        case .leakyReLU(let slope): return z > 0 ? z : slope * z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        case .gelu: return 0.5 * z * (1 + Foundation.erf(z / 2.0.squareRoot().float))
        }
    }

    /// f′(z).
    @inlinable
    public func derivative(_ z: Float) -> Float {
        switch self {
        case .identity: return 1
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU(let slope): return z > 0 ? 1 : slope
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .sigmoid:
            let s = 1 / (1 + Foundation.exp(-z))
            return s * (1 - s)
        case .gelu:
            // d/dz [z Φ(z)] = Φ(z) + z φ(z).
            let cdf = 0.5 * (1 + Foundation.erf(z / 2.0.squareRoot().float))
            let pdf = Foundation.exp(-0.5 * z * z) / (2 * Double.pi).squareRoot().float
            return cdf + z * pdf
        }
    }

    /// Applies f to every element of `z` into `out`.
    public func apply(_ z: [Float], into out: inout [Float]) {
        if self == .identity { out = z; return }
        if out.count != z.count { out = [Float](repeating: 0, count: z.count) }
        z.withUnsafeBufferPointer { zs in
            out.withUnsafeMutableBufferPointer { os in
                for i in 0..<zs.count { os[i] = apply(zs[i]) }
            }
        }
    }
}

extension Double {
    @usableFromInline var float: Float { Float(self) }
}
