import SalmonStatistics

/// The null-model generators of ``NullModels`` for convolutional networks: the same families, with
/// layers counted as ``ConvNet`` counts them (convolutions first, the logits last).
extension NullModels {
    /// A fresh network of the same architecture, layer i from `stream.derived("layers", i)`.
    public static func reinitialized(_ model: ConvNet, initializer: Initializer = .pytorchDefault, stream: RandomStream) -> ConvNet {
        var fresh = model
        for i in model.convolutions.indices {
            let conv = model.convolutions[i]
            var s = stream.derived("layers", .index(i))
            fresh.convolutions[i] = Conv2D(inChannels: conv.inChannels, outChannels: conv.outChannels, kernelSize: conv.kernelSize,
                                           padding: conv.padding, initializer: initializer, stream: &s)
        }
        for i in model.dense.indices {
            let layer = model.dense[i]
            var s = stream.derived("layers", .index(model.convolutions.count + i))
            fresh.dense[i] = Linear(inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, initializer: initializer, stream: &s)
        }
        return fresh
    }

    /// The model with layer `layer` (convolutions first) re-initialized from `stream`.
    public static func independentLayer(_ model: ConvNet, layer: Int, initializer: Initializer = .pytorchDefault,
                                        stream: RandomStream) -> ConvNet {
        precondition((0..<model.layerCount).contains(layer), "layer \(layer) outside 0..<\(model.layerCount)")
        return replacing([layer], of: model, from: reinitialized(model, initializer: initializer, stream: stream))
    }

    /// Cascading randomization: the models after re-initializing 1, 2, …, L layers, from the
    /// logits down (`topDown`) or from the input up; step s differs from step s − 1 in one layer.
    public static func cascade(_ model: ConvNet, topDown: Bool, initializer: Initializer = .pytorchDefault,
                               stream: RandomStream) -> [ConvNet] {
        let fresh = reinitialized(model, initializer: initializer, stream: stream)
        let order = topDown ? Array((0..<model.layerCount).reversed()) : Array(0..<model.layerCount)
        var current = model
        return order.map { i in
            current = replacing([i], of: current, from: fresh)
            return current
        }
    }

    /// A network of `model`'s architecture trained from a fresh initialization
    /// (`stream.derived("init")`) on the inputs with the target rows permuted by
    /// `stream.derived("labels")`, as ``retrainedOnPermutedLabels(like:inputs:targets:plan:initializer:stream:)``
    /// does for an MLP.
    public static func retrainedOnPermutedLabels(like model: ConvNet, inputs: Tensor, targets: Tensor, plan: TrainingPlan,
                                                 initializer: Initializer = .pytorchDefault,
                                                 stream: RandomStream) -> (model: ConvNet, report: TrainingReport) {
        var fresh = reinitialized(model, initializer: initializer, stream: stream.derived("init"))
        let report = fresh.train(inputs: inputs, targets: permutedTargets(targets, stream: stream.derived("labels")), plan: plan)
        return (fresh, report)
    }

    /// `model` with the layers `layers` taken from `source`.
    static func replacing(_ layers: [Int], of model: ConvNet, from source: ConvNet) -> ConvNet {
        var out = model
        for i in layers {
            if i < model.convolutions.count {
                out.convolutions[i] = source.convolutions[i]
            } else {
                out.dense[i - model.convolutions.count] = source.dense[i - model.convolutions.count]
            }
        }
        return out
    }
}
