import SalmonStatistics

/// An alternative computational hypothesis: a way to make networks that share the trained
/// network's architecture but not what training put into it.
///
/// - `reinitialization`: the same architecture drawn afresh (a random-init network).
/// - `cascadingTopDown` / `cascadingBottomUp`: re-initialize layers one at a time from the output
///   down (or the input up), keeping the rest trained — Adebayo et al., "Sanity checks for
///   saliency maps", NeurIPS 2018, §3. ``NullModels/cascade(_:topDown:initializer:stream:)`` yields
///   the model after every step.
/// - `independentLayer(i)`: re-initialize layer i alone (Adebayo et al.'s independent randomization).
/// - `withinLayerPermutation`: shuffle the entries of each weight matrix and each bias vector, which
///   keeps every layer's weight distribution and destroys its structure.
/// - `momentRedraw`: redraw every parameter tensor from N(mean, sd) of that tensor — Heap et al.,
///   "Sparse autoencoders can interpret randomly initialized transformers", 2025.
/// - `permutedLabels`: retrain from a fresh initialization on randomly permuted labels (Adebayo et
///   al.'s data randomization; see ``NullModels/retrainedOnPermutedLabels(like:inputs:targets:plan:initializer:stream:)``).
public enum NullFamily: Sendable, Hashable, Codable, CustomStringConvertible {
    case reinitialization
    case cascadingTopDown
    case cascadingBottomUp
    case independentLayer(Int)
    case withinLayerPermutation
    case momentRedraw
    case permutedLabels

    /// The family's name in specs, reports and stream paths.
    public var description: String {
        switch self {
        case .reinitialization: return "random-init"
        case .cascadingTopDown: return "cascading-top-down"
        case .cascadingBottomUp: return "cascading-bottom-up"
        case .independentLayer(let i): return "independent-layer-\(i)"
        case .withinLayerPermutation: return "within-layer-permutation"
        case .momentRedraw: return "moment-redraw"
        case .permutedLabels: return "permuted-labels"
        }
    }
}

/// Null-model generators for layered networks (``MLP``, ``ConvNet``: any ``LayeredNetwork``) and transformers. Every function is a pure function of its stream: null model k
/// of a family is drawn from `RandomStream(seed:path:)` at a path such as `null/random-init/k`, so
/// it is the same whichever worker makes it and in whatever order.
public enum NullModels {
    /// The stream of null model `index` of `family` below `seed`.
    public static func stream(seed: UInt64, family: NullFamily, index: Int) -> RandomStream {
        RandomStream(seed: seed, path: ["null", .label(family.description), .index(index)])
    }

    /// A fresh network of the same architecture, layer i drawn from `stream.derived("layers", i)`.
    public static func reinitialized<Model: LayeredNetwork>(_ model: Model, initializer: Initializer = .pytorchDefault,
                                                            stream: RandomStream) -> Model {
        model.reinitialized(initializer: initializer, stream: stream)
    }

    /// The model with layer `layer` re-initialized from `stream` (every other layer kept).
    public static func independentLayer<Model: LayeredNetwork>(_ model: Model, layer: Int, initializer: Initializer = .pytorchDefault,
                                                               stream: RandomStream) -> Model {
        precondition((0..<model.layerCount).contains(layer), "layer \(layer) outside 0..<\(model.layerCount)")
        return model.replacingLayers([layer], from: reinitialized(model, initializer: initializer, stream: stream))
    }

    /// Cascading randomization: the models after re-initializing 1, 2, …, L layers, from the
    /// output down (`topDown`) or from the input up. Layer i's fresh values come from the same
    /// substream at every step, so step s differs from step s − 1 in exactly one layer.
    public static func cascade<Model: LayeredNetwork>(_ model: Model, topDown: Bool, initializer: Initializer = .pytorchDefault,
                                                      stream: RandomStream) -> [Model] {
        let fresh = reinitialized(model, initializer: initializer, stream: stream)
        let order = topDown ? Array((0..<model.layerCount).reversed()) : Array(0..<model.layerCount)
        var current = model
        return order.map { i in
            current = current.replacingLayers([i], from: fresh)
            return current
        }
    }

    /// Every parameter tensor's entries (each weight matrix, each bias vector, …) shuffled within
    /// that tensor: the values of each layer kept, their arrangement destroyed.
    public static func permutedWithinLayers<Model: ParameterizedModel>(_ model: Model, stream: RandomStream) -> Model {
        var out = model
        out.parameterArrays = permutedWithin(model.parameterArrays, stream: stream)
        return out
    }

    /// Every parameter tensor redrawn from a normal distribution with that tensor's mean and
    /// standard deviation (ddof 0; a one-element or constant tensor keeps its values) — Heap et
    /// al. 2025's randomization.
    public static func redrawnFromMoments<Model: ParameterizedModel>(_ model: Model, stream: RandomStream) -> Model {
        var out = model
        out.parameterArrays = redrawnFromMoments(model.parameterArrays, stream: stream)
        return out
    }

    /// Each array's entries shuffled within that array (the shared core of the permutation null).
    static func permutedWithin(_ arrays: [[Float]], stream: RandomStream) -> [[Float]] {
        var s = stream
        return arrays.map { array in
            var shuffled = array
            shuffled.shuffle(using: &s)
            return shuffled
        }
    }

    /// Each array redrawn from N(mean, sd) of its own entries (the shared core of the moment null).
    static func redrawnFromMoments(_ arrays: [[Float]], stream: RandomStream) -> [[Float]] {
        var s = stream
        return arrays.map { array in
            guard array.count > 1 else { return array }
            let values = array.map(Double.init)
            let mean = Descriptive.mean(values), sd = Descriptive.standardDeviation(values, ddof: 0)
            return array.map { _ in Float(mean + sd * s.gaussian()) }
        }
    }

    // MARK: Transformers

    /// A fresh transformer of the same configuration (GPT-2 initialization).
    public static func reinitialized(_ model: Transformer, stream: RandomStream) -> Transformer {
        Transformer(model.configuration, stream: stream)
    }

    /// Cascading randomization of a transformer, one stage at a time: from the top, the
    /// unembedding and final norm, then block L−1, …, block 0, then the embeddings (bottom-up
    /// reverses the order). Returns the model after each stage.
    public static func cascade(_ model: Transformer, topDown: Bool, stream: RandomStream) -> [Transformer] {
        let fresh = reinitialized(model, stream: stream)
        var stages: [(inout Transformer) -> Void] = [{ $0.unembedding = fresh.unembedding; $0.finalNorm = fresh.finalNorm }]
        for i in model.blocks.indices.reversed() { stages.append { $0.blocks[i] = fresh.blocks[i] } }
        stages.append { $0.tokenEmbedding = fresh.tokenEmbedding; $0.positionEmbedding = fresh.positionEmbedding }
        if !topDown { stages.reverse() }
        var current = model
        return stages.map { stage in
            stage(&current)
            return current
        }
    }

    /// Block `block` re-initialized, everything else kept.
    /// Heap et al. 2025's moment redraw excluding the embeddings ("re-randomized excl.
    /// embeddings"): every parameter tensor redrawn as ``redrawnFromMoments(_:stream:)`` does (the
    /// same draws, from the same stream), then the trained token and position embeddings put back.
    /// The unembedding is redrawn.
    public static func redrawnFromMomentsExceptEmbeddings(_ model: Transformer, stream: RandomStream) -> Transformer {
        var out = redrawnFromMoments(model, stream: stream)
        out.tokenEmbedding = model.tokenEmbedding
        out.positionEmbedding = model.positionEmbedding
        return out
    }

    public static func independentBlock(_ model: Transformer, block: Int, stream: RandomStream) -> Transformer {
        precondition(model.blocks.indices.contains(block), "block \(block) outside 0..<\(model.blocks.count)")
        var out = model
        out.blocks[block] = reinitialized(model, stream: stream).blocks[block]
        return out
    }

    /// A network of `model`'s architecture trained from a fresh initialization on the same inputs
    /// with the target rows randomly permuted (the labels' distribution kept, their link to the
    /// inputs broken). Initialization from `stream.derived("init")`, the permutation from
    /// `stream.derived("labels")`, minibatch order from `plan`.
    public static func retrainedOnPermutedLabels<Model: LayeredNetwork>(like model: Model, inputs: Tensor, targets: Tensor,
                                                                        plan: TrainingPlan, initializer: Initializer = .pytorchDefault,
                                                                        stream: RandomStream) -> (model: Model, report: TrainingReport) {
        var fresh = reinitialized(model, initializer: initializer, stream: stream.derived("init"))
        let report = fresh.train(inputs: inputs, targets: permutedTargets(targets, stream: stream.derived("labels")), plan: plan)
        return (fresh, report)
    }

    /// The target rows in an order shuffled by `stream` (the labels' distribution kept, their
    /// link to the inputs broken): what ``retrainedOnPermutedLabels(like:inputs:targets:plan:initializer:stream:)``
    /// trains on, given its stream's `"labels"` child.
    public static func permutedTargets(_ targets: Tensor, stream: RandomStream) -> Tensor {
        let n = targets.shape[0]
        var order = Array(0..<n)
        var s = stream
        order.shuffle(using: &s)
        let width = targets.count / max(n, 1)
        return targets.reshaped([n, width]).rows(order).reshaped(targets.shape)
    }
}
