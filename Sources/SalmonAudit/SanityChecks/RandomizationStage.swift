import SalmonNetworks

/// One kind of model the trained model's attribution maps are compared with.
///
/// - `original`: the trained model itself (similarity 1 by construction: the first point of a
///   cascading curve).
/// - `cascading(step)`: Adebayo et al.'s cascading randomization from the top: after step s
///   (1-based) the top s layers are re-initialized — step 1 the output layer (the logits), step L
///   every layer. Null model k of every step comes from `seed → "null" → "cascading-top-down" → k`
///   (``NullModels/cascade(_:topDown:initializer:stream:)``), so the steps of one seed differ by one layer each.
/// - `independent(layer)`: layer i alone re-initialized, from `seed → "null" → "independent-layer-i" → k`.
/// - `permutedLabels`: a network of the same architecture trained from scratch on the training
///   split with its labels permuted, from `seed → "null" → "permuted-labels" → k`.
/// - `referenceSeed`: another network trained on the true labels from another initialization and
///   minibatch order (`seed → "trained" → s`, s ≥ 1): how similar two equally good models' maps are.
public enum RandomizationStage: Sendable, Hashable, Codable, CustomStringConvertible {
    case original
    case cascading(step: Int)
    case independent(layer: Int)
    case permutedLabels
    case referenceSeed

    /// A stable identifier for CSV and figures: `original`, `cascading-1`, `independent-layer-0`,
    /// `permuted-labels`, `reference-seed`.
    public var description: String {
        switch self {
        case .original: return "original"
        case .cascading(let step): return "cascading-\(step)"
        case .independent(let layer): return "independent-layer-\(layer)"
        case .permutedLabels: return "permuted-labels"
        case .referenceSeed: return "reference-seed"
        }
    }

    /// The name of layer i of an L-layer network in Adebayo et al.'s words: the last is `logits`;
    /// for an MLP the others are `hidden i+1` (`hidden1` next to the input); for a CNN with
    /// `convolutions` convolution blocks they are `conv1`, `conv2`, … then `fc1`, `fc2`, ….
    public static func layerName(_ layer: Int, layers: Int, convolutions: Int = 0) -> String {
        if layer == layers - 1 { return "logits" }
        if convolutions == 0 { return "hidden\(layer + 1)" }
        return layer < convolutions ? "conv\(layer + 1)" : "fc\(layer - convolutions + 1)"
    }

    /// The layer re-initialized last at cascading step s of an L-layer network (top-down).
    public static func cascadeLayer(step: Int, layers: Int) -> Int { layers - step }

    /// How the stage reads on a figure's axis or in a table: `original`, `+ logits` (cascading,
    /// marking that the layers above stay random), `hidden1 only`, `permuted labels`,
    /// `another trained seed`.
    public func label(layers: Int, convolutions: Int = 0) -> String {
        switch self {
        case .original: return "original"
        case .cascading(let step):
            return "+ " + Self.layerName(Self.cascadeLayer(step: step, layers: layers), layers: layers, convolutions: convolutions)
        case .independent(let layer): return Self.layerName(layer, layers: layers, convolutions: convolutions) + " only"
        case .permutedLabels: return "permuted labels"
        case .referenceSeed: return "another trained seed"
        }
    }

    /// The stages of an L-layer network in report order: original, the L cascading steps, the L
    /// independent layers (top first), permuted labels, the reference seed.
    public static func all(layers: Int) -> [RandomizationStage] {
        [.original] + (1...layers).map { .cascading(step: $0) } + (0..<layers).reversed().map { .independent(layer: $0) }
            + [.permutedLabels, .referenceSeed]
    }
}
