import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// A layered network an audit trains, randomizes, probes and explains: an ``MLP`` or a
/// ``ConvNet``. Null models come from the generic ``NullModels`` functions (``LayeredNetwork``),
/// attribution from ``AttributableModel``; this protocol adds what the audit's subject needs.
///
/// Sites: `input` and, for layer ℓ (counted input first; for a CNN the convolutions first, the
/// logits last), `layers.ℓ.pre` and `layers.ℓ.post`.
public protocol AuditedNetwork: LayeredNetwork, AttributableModel {
    /// The activations at `sites` for a batch of inputs.
    func captured(_ inputs: Tensor, sites: Set<String>) -> [String: Tensor]
    /// The network a built-in task trains, freshly initialized from `stream`.
    /// - Throws: ``SpecError`` when the model section does not describe this kind of network for
    ///   inputs of `features` features (for a CNN: the image's shape).
    static func make(_ model: ModelSpec, features: Int, classes: Int, stream: RandomStream) throws -> Self
    /// The architecture in a report's model line (`MLP 64–32–32–10 (relu)`).
    func architectureDescription(_ model: ModelSpec) -> String
    /// The architecture of a network loaded from a state dict (`MLP 64–32–10`).
    var loadedDescription: String { get }
    /// The network a state dict holds, when it is of this kind.
    static func loaded(_ model: LoadedModel) -> Self?
}

extension MLP: AuditedNetwork {
    public func captured(_ inputs: Tensor, sites: Set<String>) -> [String: Tensor] {
        forward(inputs, hooks: Hooks(capture: sites)).captured
    }

    public static func make(_ model: ModelSpec, features: Int, classes: Int, stream: RandomStream) throws -> MLP {
        guard let activation = ModelSpec.hiddenActivations[model.activation] else {
            throw SpecError(field: "model.activation", "unknown activation '\(model.activation)' (allowed: \(ModelSpec.activations.joined(separator: ", ")))")
        }
        return MLP(sizes: [features] + model.hidden + [classes], hiddenActivation: activation, initializer: try model.initializer(),
                   hasBias: model.bias ?? true, stream: stream)
    }

    public func architectureDescription(_ model: ModelSpec) -> String {
        "MLP \(sizes.map(String.init).joined(separator: "–")) (\(model.activation)\(hasBias ? "" : ", no biases")\(model.initialization.map { ", initialized \($0)" } ?? ""))"
    }

    public var loadedDescription: String { "MLP \(sizes.map(String.init).joined(separator: "–"))" }

    public static func loaded(_ model: LoadedModel) -> MLP? {
        if case .mlp(let m) = model { return m }
        return nil
    }
}

extension ConvNet: AuditedNetwork {
    public static func make(_ model: ModelSpec, features: Int, classes: Int, stream: RandomStream) throws -> ConvNet {
        guard let channels = model.convolutions, !channels.isEmpty else {
            throw SpecError(field: "model.convolutions", "a CNN needs the output channels of its convolution blocks")
        }
        let side = Int(Double(features).squareRoot().rounded())
        guard side * side == features else {
            throw SpecError(field: "model.convolutions", "a CNN reads square one-channel images; inputs of \(features) features are not one")
        }
        return ConvNet(channels: 1, height: side, width: side, convolutionChannels: channels, hidden: model.hidden, classes: classes,
                       stream: stream)
    }

    public var loadedDescription: String { architectureDescription(ModelSpec(task: nil)) }

    public static func loaded(_ model: LoadedModel) -> ConvNet? {
        if case .cnn(let m) = model { return m }
        return nil
    }

    public func architectureDescription(_ model: ModelSpec) -> String {
        let blocks = convolutions.map { "conv \($0.outChannels)" }.joined(separator: "–")
        return "CNN \(channels)×\(height)×\(width) → \(blocks) (3 × 3, ReLU, 2 × 2 max pooling) → dense \(dense.map { String($0.outFeatures) }.joined(separator: "–"))"
    }
}
