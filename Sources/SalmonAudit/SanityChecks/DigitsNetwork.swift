import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// The network of a sanity-check study: the digits MLP, or the digits CNN in the shape of
/// Adebayo et al.'s MNIST CNN (convolution blocks, then dense layers).
///
/// Both are ReLU networks explained through ``AttributableModel``; their layers are counted
/// input first (for the CNN the convolutions, then the dense layers, the logits last), which is
/// the order cascading randomization walks backwards.
public enum DigitsNetwork: Sendable {
    case mlp(MLP)
    case convolutional(ConvNet)

    /// A freshly initialized network of the configuration's architecture, drawn from `stream`.
    public init(_ c: SanityCheckConfiguration, stream: RandomStream) {
        if c.convolutionChannels.isEmpty {
            self = .mlp(MLP(sizes: c.sizes, hiddenActivation: .relu, stream: stream))
        } else {
            self = .convolutional(ConvNet(channels: 1, height: 8, width: 8, convolutionChannels: c.convolutionChannels,
                                          hidden: c.hidden, classes: 10, stream: stream))
        }
    }

    /// The network as an attribution method sees it.
    public var model: any AttributableModel {
        switch self {
        case .mlp(let m): return m
        case .convolutional(let m): return m
        }
    }

    /// L, the layers with parameters.
    public var layerCount: Int {
        switch self {
        case .mlp(let m): return m.layerCount
        case .convolutional(let m): return m.layerCount
        }
    }

    /// Trains in place (``MLP/train(inputs:targets:plan:)``, ``ConvNet/train(inputs:targets:plan:)``).
    @discardableResult
    public mutating func train(inputs: Tensor, targets: Tensor, plan: TrainingPlan) -> TrainingReport {
        switch self {
        case .mlp(var m):
            let report = m.train(inputs: inputs, targets: targets, plan: plan)
            self = .mlp(m)
            return report
        case .convolutional(var m):
            let report = m.train(inputs: inputs, targets: targets, plan: plan)
            self = .convolutional(m)
            return report
        }
    }

    /// ``NullModels`` cascading randomization from the logits down: the L models after 1 … L steps.
    public func cascade(stream: RandomStream) -> [DigitsNetwork] {
        switch self {
        case .mlp(let m): return NullModels.cascade(m, topDown: true, stream: stream).map(DigitsNetwork.mlp)
        case .convolutional(let m): return NullModels.cascade(m, topDown: true, stream: stream).map(DigitsNetwork.convolutional)
        }
    }

    /// ``NullModels`` independent randomization of one layer.
    public func independentLayer(_ layer: Int, stream: RandomStream) -> DigitsNetwork {
        switch self {
        case .mlp(let m): return .mlp(NullModels.independentLayer(m, layer: layer, stream: stream))
        case .convolutional(let m): return .convolutional(NullModels.independentLayer(m, layer: layer, stream: stream))
        }
    }

    /// ``NullModels`` data randomization: the architecture retrained on permuted labels.
    public func retrainedOnPermutedLabels(inputs: Tensor, targets: Tensor, plan: TrainingPlan, stream: RandomStream) -> DigitsNetwork {
        switch self {
        case .mlp(let m):
            return .mlp(NullModels.retrainedOnPermutedLabels(like: m, inputs: inputs, targets: targets, plan: plan, stream: stream).model)
        case .convolutional(let m):
            return .convolutional(NullModels.retrainedOnPermutedLabels(like: m, inputs: inputs, targets: targets, plan: plan,
                                                                      stream: stream).model)
        }
    }
}
