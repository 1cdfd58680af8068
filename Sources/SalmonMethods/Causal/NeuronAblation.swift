import SalmonNetworks
import SalmonStatistics

/// Neuron ablation: a set of units of one hidden layer of an ``MLP`` set to zero after their
/// activation (through a node mask at `layers.ℓ.post`), and the network's accuracy on labelled
/// rows with and without them.
///
/// Zeroing a unit's activation removes exactly its contribution to the next layer, which is what
/// Doshi et al. 2023 do by zeroing its input weights and output weights in a bias-free network
/// with a square activation (their pruning of memorizing neurons; `d-doshi/Grokking`,
/// `Grokking_with_label_corruption.ipynb`). A unit counts as correct on a row when the argmax of
/// the outputs (the first, on ties) equals the label.
public struct NeuronAblation: Sendable {
    /// The network.
    public let model: MLP
    /// ℓ, the hidden layer whose units are ablated (its activation `layers.ℓ.post`).
    public let layer: Int

    /// Ablations of hidden layer `layer` of `model`.
    /// - Throws: ``MethodError`` when `layer` is not a hidden layer (the output layer's units are the logits).
    public init(model: MLP, layer: Int) throws {
        guard (0..<(model.layers.count - 1)).contains(layer) else {
            throw MethodError("neuron ablation removes units of a hidden layer, 0 … \(model.layers.count - 2); found layer \(layer)")
        }
        self.model = model
        self.layer = layer
    }

    /// The number of units in the layer.
    public var width: Int { model.layers[layer].outFeatures }

    /// Per row of `inputs` (`[rows, in]`), 1 when the network with `units` ablated predicts the
    /// label, else 0.
    /// - Precondition: `labels.count` equals the rows; every unit lies in `0..<width`.
    public func correctness(inputs: Tensor, labels: [Int], ablating units: [Int]) -> [Double] {
        precondition(inputs.rank == 2 && inputs.shape[0] == labels.count, "one label per input row")
        var hooks = Hooks.none
        if !units.isEmpty {
            var mask = [Float](repeating: 1, count: width)
            for u in units {
                precondition((0..<width).contains(u), "unit \(u) outside 0..<\(width)")
                mask[u] = 0
            }
            hooks = Hooks(nodeMasks: ["layers.\(layer).post": mask])
        }
        let output = model.forward(inputs, hooks: hooks).output
        let classes = output.shape[1]
        return output.scalars.withUnsafeBufferPointer { y in
            labels.indices.map { r in
                var best = 0
                for j in 1..<max(classes, 1) where y[r * classes + j] > y[r * classes + best] { best = j }
                return best == labels[r] ? 1 : 0
            }
        }
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
