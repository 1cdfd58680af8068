import SalmonNetworks

/// A supervised dataset with the ground truth that generated it.
///
/// Inputs are `[examples, features]`; targets are `[examples]` class indices (stored as Float)
/// for classification or `[examples, outputs]` for regression. `groundTruth` holds what an
/// interpretability method should recover — latent concepts, true features, the embedding —
/// by name.
public struct Dataset: Sendable {
    public var name: String
    public var inputs: Tensor
    public var targets: Tensor
    /// The number of classes, or nil for a regression target.
    public var classes: Int?
    public var groundTruth: [String: Tensor]

    public init(name: String, inputs: Tensor, targets: Tensor, classes: Int?, groundTruth: [String: Tensor] = [:]) {
        precondition(inputs.rank == 2 && targets.shape.first == inputs.shape[0], "\(name): one target row per input row")
        self.name = name
        self.inputs = inputs
        self.targets = targets
        self.classes = classes
        self.groundTruth = groundTruth
    }

    public var count: Int { inputs.shape[0] }
    public var features: Int { inputs.shape[1] }
}
