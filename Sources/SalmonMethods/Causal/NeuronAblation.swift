import SalmonNetworks
import SalmonStatistics

/// Neuron ablation: a set of units of one hidden layer of a network set to zero after their
/// activation (through a node mask: an MLP's `layers.ℓ.post`, a transformer block's
/// `blocks.ℓ.mlp.hidden`; ``AblatableNetwork``), and the network's accuracy on labelled rows with
/// and without them.
///
/// Zeroing a unit's activation removes exactly its contribution to the next layer, which is what
/// Doshi et al. 2023 do by zeroing its input weights and output weights in a bias-free network
/// with a square activation (their pruning of memorizing neurons; `d-doshi/Grokking`,
/// `Grokking_with_label_corruption.ipynb`). A row counts as correct when the argmax of the
/// network's outputs (the first, on ties; a transformer's logits at the last position) equals its label.
public struct NeuronAblation: Sendable {
    /// The network.
    public let network: any AblatableNetwork
    /// ℓ, the layer whose units are ablated (an MLP's hidden layer, a transformer's block).
    public let layer: Int
    /// The node-mask site of the layer's units.
    public let site: String
    /// The number of units in the layer.
    public let width: Int

    /// Ablations of layer `layer` of `model`.
    /// - Throws: ``MethodError`` when the network has no such layer of units (an MLP's output
    ///   layer's units are the logits).
    public init(model: any AblatableNetwork, layer: Int) throws {
        guard (0..<model.ablatableLayers).contains(layer) else {
            throw MethodError("neuron ablation removes units of a hidden layer, 0 … \(model.ablatableLayers - 1); found layer \(layer)")
        }
        network = model
        self.layer = layer
        (site, width) = model.ablationSite(layer: layer)
    }

    /// Per row of `inputs` (an MLP's `[rows, in]`, a transformer's token ids `[rows, length]`), 1
    /// when the network with `units` ablated predicts the label, else 0.
    /// - Throws: ``MethodError`` for a label count other than the rows, a unit outside the layer,
    ///   or inputs the network cannot read.
    public func correctness(inputs: Tensor, labels: [Int], ablating units: [Int]) throws -> [Double] {
        guard inputs.rank == 2, inputs.shape[0] == labels.count else {
            throw MethodError("neuron ablation: \(labels.count) labels for inputs of shape \(inputs.shape)")
        }
        var hooks = Hooks.none
        if !units.isEmpty {
            var mask = [Float](repeating: 1, count: width)
            for u in units {
                guard (0..<width).contains(u) else { throw MethodError("neuron ablation: unit \(u) outside the layer's 0 … \(width - 1)") }
                mask[u] = 0
            }
            hooks = Hooks(nodeMasks: [site: mask])
        }
        let predicted = try network.predictedClasses(inputs, hooks: hooks)
        return zip(predicted, labels).map { $0 == $1 ? 1 : 0 }
    }

    /// Which end of a score's order is removed.
    public enum Selection: String, Sendable, CaseIterable {
        case lowest, highest
    }

    /// The `count` units with the lowest (or highest) scores, ties broken by the lower index
    /// (a stable order, so the set is a function of the scores alone).
    /// - Precondition: 0 ≤ count ≤ scores.count; scores are not NaN.
    public static func units(scores: [Double], count: Int, selection: Selection) -> [Int] {
        precondition((0...scores.count).contains(count), "ablate 0 … \(scores.count) units, found \(count)")
        precondition(!scores.contains { $0.isNaN }, "unit scores must not be NaN")
        let order = scores.indices.sorted { a, b in
            let (x, y) = (scores[a], scores[b])
            if x != y { return selection == .lowest ? x < y : x > y }
            return a < b
        }
        return Array(order.prefix(count)).sorted()
    }

    /// `count` units drawn uniformly without replacement from `0..<width`
    /// (``RandomStream/subset(of:count:)`` on `stream`): the method-level null of a scored selection.
    public static func randomUnits(width: Int, count: Int, stream: RandomStream) -> [Int] {
        precondition((0...width).contains(count), "ablate 0 … \(width) units, found \(count)")
        var s = stream
        return s.subset(of: width, count: count)
    }
}
