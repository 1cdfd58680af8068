import Foundation

/// An element-wise activation function, with its derivative for backpropagation.
///
/// `gelu` is the exact form x · Φ(x) (PyTorch's default `nn.GELU()`); `geluTanh` is the tanh
/// approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))) that GPT-2 uses (`nn.GELU(approximate="tanh")`,
/// Hugging Face's `gelu_new`) — Hendrycks & Gimpel 2016.
/// `leakyReLU(slope:)` is PyTorch's `nn.LeakyReLU(negative_slope)` (0.01 by default there).
public enum Activation: Sendable, Equatable, Hashable, Codable {
    case identity
    case relu
    case leakyReLU(slope: Float)
    case tanh
    case sigmoid
    case gelu
    case geluTanh

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
        case .geluTanh: return 0.5 * z * (1 + Foundation.tanh(Self.geluTanhScale * (z + 0.044715 * z * z * z)))
        }
    }

    @usableFromInline static let geluTanhScale = Float((2 / Double.pi).squareRoot())

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
        case .geluTanh:
            let inner = Self.geluTanhScale * (z + 0.044715 * z * z * z)
            let t = Foundation.tanh(inner)
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * Self.geluTanhScale * (1 + 3 * 0.044715 * z * z)
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
