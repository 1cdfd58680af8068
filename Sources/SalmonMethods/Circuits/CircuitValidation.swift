import SalmonNetworks

/// The data a circuit is judged on and the criterion for "perfect" (Méloux et al. 2025; the
/// semantics in REFERENCES.md): the circuit's output, rounded to the nearest integer with halves to
/// even, must equal the target on strictly more than `threshold` of the validation rows.
///
/// Rows are kept as distinct (input, target) pairs with a weight — the number of times each occurs
/// — which is exact for the criterion and lets the enumeration evaluate 4 rows instead of 200 for
/// the paper's XOR data (each input repeated 50 times).
public struct CircuitValidation: Sendable, Equatable {
    /// `[m, d]`, one distinct row each.
    public var inputs: Tensor
    public var targets: [Float]
    /// How many validation rows each distinct row stands for.
    public var weights: [Double]
    /// A circuit is perfect when the weight of correct rows is strictly more than this fraction.
    public var threshold: Double

    /// Validation data from rows (repeated rows are merged with their counts).
    public init(inputs: Tensor, targets: [Float], threshold: Double = 0.99) {
        precondition(inputs.rank == 2 && targets.count == inputs.shape[0], "one target per input row")
        let d = inputs.shape[1]
        var order: [[Float]] = [], index: [[Float]: Int] = [:], weights: [Double] = []
        for r in 0..<targets.count {
            let key = Array(inputs.scalars[(r * d)..<((r + 1) * d)]) + [targets[r]]
            if let i = index[key] { weights[i] += 1 } else {
                index[key] = order.count
                order.append(key)
                weights.append(1)
            }
        }
        self.inputs = Tensor(shape: [order.count, d], scalars: order.flatMap { $0.dropLast() })
        self.targets = order.map { $0[d] }
        self.weights = weights
        self.threshold = threshold
    }

    /// The paper's validation set for a two-input Boolean gate: the four inputs, each `repeats`
    /// times, with the gate's truth table (`table[2a + b]` for inputs (a, b)).
    public static func booleanGate(_ table: [Float], repeats: Int = 50, threshold: Double = 0.99) -> CircuitValidation {
        precondition(table.count == 4 && repeats >= 1, "a two-input truth table and repeats ≥ 1")
        let rows: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
        var x: [Float] = [], y: [Float] = []
        for _ in 0..<repeats { for (i, r) in rows.enumerated() { x += r; y.append(table[i]) } }
        return CircuitValidation(inputs: Tensor(shape: [4 * repeats, 2], scalars: x), targets: y, threshold: threshold)
    }

    /// XOR with 50 repeats and threshold 0.99: the paper's default.
    public static let xor = booleanGate([0, 1, 1, 0])

    /// Whether outputs (one per distinct row) make a perfect circuit.
    public func isPerfect(_ outputs: [Float]) -> Bool {
        var correct = 0.0
        for (r, y) in outputs.enumerated() where y.rounded(.toNearestOrEven) == targets[r] { correct += weights[r] }
        return correct > threshold * weights.reduce(0, +)
    }
}
