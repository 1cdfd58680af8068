/// How a backward pass crosses a ReLU.
///
/// - `gradient`: multiply by ReLU′(z) = 1[z > 0], the chain rule.
/// - `guided`: keep a signal only where it is positive *and* z > 0 (guided backpropagation,
///   Springenberg et al. 2015, "Striving for simplicity", §3.4). Parameter gradients under this
///   rule are not gradients of anything; it exists for the attribution method.
public enum ReLUBackwardRule: Sendable, Hashable {
    /// The chain rule.
    case gradient
    /// Guided backpropagation's rule.
    case guided

    /// Applies the rule in place to `signal`, at the pre-activation `z`.
    public func apply(_ signal: inout [Float], at z: [Float]) {
        precondition(signal.count == z.count, "signal and pre-activation differ in size")
        signal.withUnsafeMutableBufferPointer { g in
            z.withUnsafeBufferPointer { zs in
                switch self {
                case .gradient: for i in 0..<g.count { g[i] = zs[i] > 0 ? g[i] : 0 }
                case .guided: for i in 0..<g.count { g[i] = zs[i] > 0 && g[i] > 0 ? g[i] : 0 }
                }
            }
        }
    }
}
