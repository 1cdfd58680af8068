import SalmonNetworks

/// The two-input Boolean gates of Méloux et al., "Everything, everywhere, all at once: is
/// mechanistic interpretability identifiable?", ICLR 2025.
public enum BooleanGate: String, Sendable, CaseIterable, Codable {
    case and, or, xor, nand, nor, xnor

    /// The gate's value on two bits.
    public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool {
        switch self {
        case .and: return a && b
        case .or: return a || b
        case .xor: return a != b
        case .nand: return !(a && b)
        case .nor: return !(a || b)
        case .xnor: return a == b
        }
    }

    /// The four inputs (00, 01, 10, 11) each repeated `repeats` times, with the gate's output as a
    /// `[4·repeats, 1]` regression target (the paper trains with MSE; its validation set is the
    /// four inputs repeated 50 times).
    public func dataset(repeats: Int = 50) -> Dataset {
        precondition(repeats >= 1, "repeats ≥ 1")
        var inputs: [Float] = [], targets: [Float] = []
        for _ in 0..<repeats {
            for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
                inputs += [a ? 1 : 0, b ? 1 : 0]
                targets.append(self(a, b) ? 1 : 0)
            }
        }
        return Dataset(name: rawValue, inputs: Tensor(shape: [4 * repeats, 2], scalars: inputs),
                       targets: Tensor(shape: [4 * repeats, 1], scalars: targets), classes: nil)
    }
}
