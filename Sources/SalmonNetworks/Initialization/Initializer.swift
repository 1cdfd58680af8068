import SalmonStatistics

/// How a linear layer's parameters are drawn.
///
/// - `pytorchDefault`: PyTorch's `nn.Linear` reset: weight Kaiming-uniform with a = √5, which is
///   U(−1/√fan_in, 1/√fan_in), and bias U(−1/√fan_in, 1/√fan_in) (torch.nn.Linear.reset_parameters).
/// - `xavierUniform`: U(±√(6 / (fan_in + fan_out))) (Glorot & Bengio 2010), bias 0.
/// - `normal(standardDeviation:)`: N(0, σ²), bias 0; σ = 0.02 is GPT-2's initialization.
public enum Initializer: Sendable, Equatable, Hashable {
    case pytorchDefault
    case xavierUniform
    case normal(standardDeviation: Float)

    /// Fills a weight matrix `[fanOut, fanIn]` and bias `[fanOut]` from `stream`. For a
    /// convolution, `fanIn` = in · k · k and `receptiveField` = k · k, so that Xavier's fan-out is
    /// out · k · k as in PyTorch's `_calculate_fan_in_and_fan_out`.
    func draw(fanIn: Int, fanOut: Int, receptiveField: Int = 1, stream: inout RandomStream) -> (weight: [Float], bias: [Float]) {
        let count = fanIn * fanOut
        switch self {
        case .pytorchDefault:
            let bound = 1 / Float(max(fanIn, 1)).squareRoot()
            let w = (0..<count).map { _ in Float(2 * stream.uniform() - 1) * bound }
            let b = (0..<fanOut).map { _ in Float(2 * stream.uniform() - 1) * bound }
            return (w, b)
        case .xavierUniform:
            let bound = (6 / Float(max(fanIn + fanOut * receptiveField, 1))).squareRoot()
            return ((0..<count).map { _ in Float(2 * stream.uniform() - 1) * bound }, [Float](repeating: 0, count: fanOut))
        case .normal(let sd):
            return ((0..<count).map { _ in Float(stream.gaussian()) * sd }, [Float](repeating: 0, count: fanOut))
        }
    }
}
