import Foundation

/// An element-wise activation function, with its derivative for backpropagation.
///
/// `gelu` is the exact form x · Φ(x) (PyTorch's default `nn.GELU()`); `geluTanh` is the tanh
/// approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))) that GPT-2 uses (`nn.GELU(approximate="tanh")`,
/// Hugging Face's `gelu_new`) — Hendrycks & Gimpel 2016.
/// `leakyReLU(slope:)` is PyTorch's `nn.LeakyReLU(negative_slope)` (0.01 by default there).
/// `square` is z² (`torch.pow(x, 2)`), the hidden activation of the modular-arithmetic MLPs of
/// Gromov 2023 and Doshi et al. 2023, which makes the network a quadratic form of its one-hot inputs.
public enum Activation: Sendable, Equatable, Hashable, Codable {
    case identity
    case relu
    case leakyReLU(slope: Float)
    case tanh
    case sigmoid
    case gelu
    case geluTanh
    case square

    /// f(z).
    @inlinable
    public func apply(_ z: Float) -> Float {
        switch self {
        case .identity: return z
        case .relu: return z > 0 ? z : 0
        case .leakyReLU(let slope): return z > 0 ? z : slope * z
        case .tanh: return FastMath.tanh(z)
        case .sigmoid: return 1 / (1 + FastMath.exp(-z))
        case .gelu: return Self.gelu(z)
        case .geluTanh: return Self.geluTanh(z)
        case .square: return z * z
        }
    }

    // The GELU forms as small force-inlined functions, so that the buffer loops below inline
    // them (the whole switch is too large to inline, and a call per element does not vectorize).
    @inlinable @inline(__always)
    static func gelu(_ z: Float) -> Float { 0.5 * z * (1 + FastMath.erf(z * inverseSqrt2)) }

    @inlinable @inline(__always)
    static func geluDerivative(_ z: Float) -> Float {
        // d/dz [z Φ(z)] = Φ(z) + z φ(z).
        0.5 * (1 + FastMath.erf(z * inverseSqrt2)) + z * FastMath.exp(-0.5 * z * z) * inverseSqrt2Pi
    }

    @inlinable @inline(__always)
    static func geluTanh(_ z: Float) -> Float {
        0.5 * z * (1 + FastMath.tanh(geluTanhScale * (z + 0.044715 * z * z * z)))
    }

    @inlinable @inline(__always)
    static func geluTanhDerivative(_ z: Float) -> Float {
        let t = FastMath.tanh(geluTanhScale * (z + 0.044715 * z * z * z))
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * geluTanhScale * (1 + 3 * 0.044715 * z * z)
    }

    // Literals rather than `static let`s: a global's lazy-initialization check inside a loop
    // keeps the loop from vectorizing.
    /// √(2/π).
    @usableFromInline static var geluTanhScale: Float { 0.7978845608028654 }
    /// 1/√2.
    @usableFromInline static var inverseSqrt2: Float { 0.7071067811865476 }
    /// 1/√(2π).
    @usableFromInline static var inverseSqrt2Pi: Float { 0.3989422804014327 }

    /// f′(z).
    @inlinable
    public func derivative(_ z: Float) -> Float {
        switch self {
        case .identity: return 1
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU(let slope): return z > 0 ? 1 : slope
        case .tanh:
            let t = FastMath.tanh(z)
            return 1 - t * t
        case .sigmoid:
            let s = 1 / (1 + FastMath.exp(-z))
            return s * (1 - s)
        case .gelu: return Self.geluDerivative(z)
        case .geluTanh: return Self.geluTanhDerivative(z)
        case .square: return 2 * z
        }
    }

    /// Applies f to every element of `z` into `out` (one loop per case, so each vectorizes).
    public func apply(_ z: [Float], into out: inout [Float]) {
        if self == .identity { out = z; return }
        if out.count != z.count { out = [Float](repeating: 0, count: z.count) }
        z.withUnsafeBufferPointer { zs in
            out.withUnsafeMutableBufferPointer { os in
                switch self {
                case .relu: for i in 0..<zs.count { os[i] = max(zs[i], 0) }
                case .gelu: for i in 0..<zs.count { os[i] = Activation.gelu(zs[i]) }
                case .geluTanh: for i in 0..<zs.count { os[i] = Activation.geluTanh(zs[i]) }
                case .square: for i in 0..<zs.count { os[i] = zs[i] * zs[i] }
                default: for i in 0..<zs.count { os[i] = apply(zs[i]) }
                }
            }
        }
    }

    /// Multiplies `gradient` element-wise by f′(z): backpropagation through the activation.
    public func multiplyByDerivative(_ gradient: inout [Float], at z: [Float]) {
        if self == .identity { return }
        precondition(gradient.count == z.count, "gradient and pre-activation differ in size")
        gradient.withUnsafeMutableBufferPointer { g in
            z.withUnsafeBufferPointer { zs in
                switch self {
                case .relu: Self.multiplyByReLUDerivative(g, zs)
                case .gelu: Self.multiplyByGELUDerivative(g, zs)
                case .geluTanh: for i in 0..<g.count { g[i] *= Activation.geluTanhDerivative(zs[i]) }
                case .square: for i in 0..<g.count { g[i] *= 2 * zs[i] }
                default: for i in 0..<g.count { g[i] *= derivative(zs[i]) }
                }
            }
        }
    }
}

extension Activation {
    /// g ⊙= ReLU′(z), i.e. g where z > 0 and 0 elsewhere (a NaN z gives 0), eight lanes at a
    /// time as a masked select. Written as a scalar loop the compiler left it a branch per element
    /// — mispredicted about half the time on pre-activations — which was 22 % of an MLP's training
    /// time (perf, on the demo's permuted-labels retraining).
    @usableFromInline
    static func multiplyByReLUDerivative(_ g: UnsafeMutableBufferPointer<Float>, _ z: UnsafeBufferPointer<Float>) {
        guard let gp = g.baseAddress, let zp = z.baseAddress else { return }
        let n = g.count
        var i = 0
        while i + 8 <= n {
            let z8 = UnsafeRawPointer(zp + i).loadUnaligned(as: SIMD8<Float>.self)
            var g8 = UnsafeRawPointer(gp + i).loadUnaligned(as: SIMD8<Float>.self)
            g8.replace(with: 0, where: .!(z8 .> 0))
            UnsafeMutableRawPointer(gp + i).storeBytes(of: g8, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            gp[i] = zp[i] > 0 ? gp[i] : 0
            i += 1
        }
    }

    /// g ⊙= GELU′(z) over two buffers of the same length: its own function, so that the loop
    /// vectorizes (inside `multiplyByDerivative`'s switch it was left scalar, 4× slower).
    @usableFromInline
    static func multiplyByGELUDerivative(_ g: UnsafeMutableBufferPointer<Float>, _ z: UnsafeBufferPointer<Float>) {
        guard let gp = g.baseAddress, let zp = z.baseAddress else { return }
        for i in 0..<g.count { gp[i] *= geluDerivative(zp[i]) }
    }
}

extension Double {
    @usableFromInline var float: Float { Float(self) }
}
