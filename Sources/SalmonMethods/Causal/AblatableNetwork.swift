import SalmonNetworks

/// A network whose hidden units a ``NeuronAblation`` removes through a node mask: an ``MLP``'s
/// hidden layers (`layers.ℓ.post`, after the activation) or a ``Transformer``'s MLP blocks
/// (`blocks.ℓ.mlp.hidden`, after the GELU, at every position). Zeroing a unit there removes
/// exactly its contribution to what reads it (the next layer, or the block's output projection).
public protocol AblatableNetwork: Sendable {
    /// The number of layers whose units can be ablated (an MLP's hidden layers, a transformer's blocks).
    var ablatableLayers: Int { get }
    /// The node-mask site of layer `layer`'s units and their number.
    /// - Precondition: `layer` in `0..<ablatableLayers`.
    func ablationSite(layer: Int) -> (site: String, width: Int)
    /// Per row of `inputs`, the class the network predicts under `hooks`: the argmax of its
    /// outputs (the first on ties) — an MLP's output row, a transformer's logits at the last
    /// position of the sequence the row holds.
    /// - Throws: ``MethodError`` for inputs the network cannot read (a transformer's row holding a
    ///   token outside its vocabulary, or longer than its context) or an output that is not finite.
    func predictedClasses(_ inputs: Tensor, hooks: Hooks) throws -> [Int]
    /// Per unit of layer `layer`, the Euclidean norm of its incoming and outgoing weights taken
    /// together (the magnitude-pruning criterion).
    func unitWeightNorms(layer: Int) -> [Double]
}

extension AblatableNetwork {
    /// The index of the largest of `values[offset ..< offset + count]`, the first on ties; nil
    /// when one of them is not finite (a diverged network has no prediction).
    static func argmax(_ values: UnsafeBufferPointer<Float>, offset: Int, count: Int) -> Int? {
        var best = 0
        for j in 0..<max(count, 1) {
            guard values[offset + j].isFinite else { return nil }
            if values[offset + j] > values[offset + best] { best = j }
        }
        return best
    }

    /// `argmax` of every row, or a ``MethodError`` naming the first row with a non-finite output.
    static func rowArgmax(_ values: [Float], rows: Int, offset: (Int) -> Int, count: Int) throws -> [Int] {
        try values.withUnsafeBufferPointer { y in
            try (0..<rows).map { r in
                guard let best = argmax(y, offset: offset(r), count: count) else {
                    throw MethodError("neuron ablation: the network's output for row \(r) is not finite")
                }
                return best
            }
        }
    }

    /// ‖row k of `incoming`‖² + ‖column k of `outgoing`‖², square-rooted, for every k.
    static func weightNorms(incoming: Linear, outgoing: Linear) -> [Double] {
        let inWidth = incoming.inFeatures, width = incoming.outFeatures
        return (0..<width).map { k in
            var sum = 0.0
            for j in 0..<inWidth { let w = Double(incoming.weight.scalars[k * inWidth + j]); sum += w * w }
            for i in 0..<outgoing.outFeatures { let w = Double(outgoing.weight.scalars[i * width + k]); sum += w * w }
            return sum.squareRoot()
        }
    }
}

extension MLP: AblatableNetwork {
    public var ablatableLayers: Int { layers.count - 1 }

    public func ablationSite(layer: Int) -> (site: String, width: Int) { ("layers.\(layer).post", layers[layer].outFeatures) }

    public func predictedClasses(_ inputs: Tensor, hooks: Hooks) throws -> [Int] {
        let output = forward(inputs, hooks: hooks).output
        let classes = output.shape[1]
        return try Self.rowArgmax(output.scalars, rows: output.shape[0], offset: { $0 * classes }, count: classes)
    }

    public func unitWeightNorms(layer: Int) -> [Double] { Self.weightNorms(incoming: layers[layer], outgoing: layers[layer + 1]) }
}

extension Transformer: AblatableNetwork {
    public var ablatableLayers: Int { blocks.count }

    public func ablationSite(layer: Int) -> (site: String, width: Int) { ("blocks.\(layer).mlp.hidden", configuration.hidden) }

    /// Each row of `inputs` (`[rows, length]`) holds one sequence's token ids.
    public func predictedClasses(_ inputs: Tensor, hooks: Hooks) throws -> [Int] {
        guard inputs.rank == 2 else { throw MethodError("neuron ablation: a transformer reads rows of token ids [rows, length], found shape \(inputs.shape)") }
        let (rows, length) = (inputs.shape[0], inputs.shape[1])
        let v = configuration.vocabulary
        guard (1...configuration.context).contains(length) else {
            throw MethodError("neuron ablation: sequences of \(length) tokens on a transformer of context \(configuration.context)")
        }
        var tokens = [Int](repeating: 0, count: rows * length)
        for (i, x) in inputs.scalars.enumerated() {
            guard x >= 0, x < Float(v), x.rounded() == x else {
                throw MethodError("neuron ablation: row \(i / length) holds \(x), not a token id of the vocabulary 0 … \(v - 1)")
            }
            tokens[i] = Int(x)
        }
        guard rows > 0 else { return [] }
        let logits = forward(tokens: tokens, batch: rows, length: length, hooks: hooks).logits
        return try Self.rowArgmax(logits.scalars, rows: rows, offset: { ($0 * length + length - 1) * v }, count: v)
    }

    public func unitWeightNorms(layer: Int) -> [Double] { Self.weightNorms(incoming: blocks[layer].mlpIn, outgoing: blocks[layer].mlpOut) }
}
