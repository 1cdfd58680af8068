import SalmonStatistics

/// A network whose parameterized layers are numbered from the input (0) to the output (L − 1) and
/// can each be redrawn: what the layer-wise null models of ``NullModels`` — re-initialization,
/// independent layers, cascading randomization, retraining on permuted labels — are written
/// against once. ``MLP`` and ``ConvNet`` conform.
public protocol LayeredNetwork: ParameterizedModel {
    /// L, the layers with parameters.
    var layerCount: Int { get }
    /// A fresh network of the same architecture, layer i drawn from `stream.derived("layers", i)`
    /// (so that one layer's fresh values do not depend on the others').
    func reinitialized(initializer: Initializer, stream: RandomStream) -> Self
    /// This network with the layers `layers` taken from `source` (same architecture).
    func replacingLayers(_ layers: [Int], from source: Self) -> Self
    /// Trains in place on `inputs` and `targets` by `plan` (bit-for-bit reproducible).
    mutating func train(inputs: Tensor, targets: Tensor, plan: TrainingPlan) -> TrainingReport
}

extension MLP: LayeredNetwork {
    /// The number of linear layers.
    public var layerCount: Int { layers.count }

    /// ``MLP/init(sizes:hiddenActivation:outputActivation:initializer:stream:)`` with this network's sizes and activations.
    public func reinitialized(initializer: Initializer, stream: RandomStream) -> MLP {
        MLP(sizes: sizes, hiddenActivation: hiddenActivation, outputActivation: outputActivation, initializer: initializer,
            hasBias: hasBias, stream: stream)
    }

    /// This network with linear layers `layers` taken from `source`.
    public func replacingLayers(_ layers: [Int], from source: MLP) -> MLP {
        var out = self
        for i in layers { out.layers[i] = source.layers[i] }
        return out
    }
}

extension ConvNet: LayeredNetwork {
    /// Each layer redrawn as ``ConvNet/init(channels:height:width:convolutionChannels:kernelSize:poolSize:hidden:classes:initializer:stream:)``
    /// draws it: convolutions first, layer i from `stream.derived("layers", i)`.
    public func reinitialized(initializer: Initializer, stream: RandomStream) -> ConvNet {
        var fresh = self
        for i in convolutions.indices {
            let conv = convolutions[i]
            var s = stream.derived("layers", .index(i))
            fresh.convolutions[i] = Conv2D(inChannels: conv.inChannels, outChannels: conv.outChannels, kernelSize: conv.kernelSize,
                                           padding: conv.padding, initializer: initializer, stream: &s)
        }
        for i in dense.indices {
            let layer = dense[i]
            var s = stream.derived("layers", .index(convolutions.count + i))
            fresh.dense[i] = Linear(inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, initializer: initializer, stream: &s)
        }
        return fresh
    }

    /// This network with layers `layers` (convolutions first, then dense) taken from `source`.
    public func replacingLayers(_ layers: [Int], from source: ConvNet) -> ConvNet {
        var out = self
        for i in layers {
            if i < convolutions.count {
                out.convolutions[i] = source.convolutions[i]
            } else {
                out.dense[i - convolutions.count] = source.dense[i - convolutions.count]
            }
        }
        return out
    }
}
