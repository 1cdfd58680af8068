import SalmonStatistics

/// A multilayer perceptron: linear layers with an activation after each hidden layer and an
/// output activation after the last (identity by default; LeakyReLU for the circuit models of
/// Méloux et al. 2025, whose code applies it after every layer).
public struct MLP: Sendable, Equatable {
    public var layers: [Linear]
    public var hiddenActivation: Activation
    public var outputActivation: Activation

    /// A network from its layers.
    /// - Precondition: consecutive layers fit (`layers[i].outFeatures == layers[i+1].inFeatures`).
    public init(layers: [Linear], hiddenActivation: Activation = .relu, outputActivation: Activation = .identity) {
        precondition(!layers.isEmpty, "MLP needs at least one layer")
        for i in 1..<max(layers.count, 1) {
            precondition(layers[i - 1].outFeatures == layers[i].inFeatures, "MLP: layer \(i) does not fit layer \(i - 1)")
        }
        self.layers = layers
        self.hiddenActivation = hiddenActivation
        self.outputActivation = outputActivation
    }

    /// A freshly initialized network with layer sizes `[in, hidden…, out]`, drawn from `stream`
    /// (layer i from `stream.derived("layers", i)`, so re-initializing one layer is addressable).
    public init(sizes: [Int], hiddenActivation: Activation = .relu, outputActivation: Activation = .identity,
                initializer: Initializer = .pytorchDefault, stream: RandomStream) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP sizes: at least [in, out], all positive")
        let layers = (0..<(sizes.count - 1)).map { i -> Linear in
            var s = stream.derived("layers", .index(i))
            return Linear(inFeatures: sizes[i], outFeatures: sizes[i + 1], initializer: initializer, stream: &s)
        }
        self.init(layers: layers, hiddenActivation: hiddenActivation, outputActivation: outputActivation)
    }

    /// `[in, hidden…, out]`.
    public var sizes: [Int] { [layers[0].inFeatures] + layers.map(\.outFeatures) }

    func activation(_ i: Int) -> Activation { i == layers.count - 1 ? outputActivation : hiddenActivation }

    /// Runs the network on a batch `[batch, in]` with optional hooks.
    public func forward(_ input: Tensor, hooks: Hooks = .none) -> ForwardPass {
        precondition(input.rank == 2 && input.shape[1] == layers[0].inFeatures,
                     "MLP input must be [batch, \(layers[0].inFeatures)], got \(input.shape)")
        var captured: [String: Tensor] = [:]
        var x = input
        let inputReplaced = hooks.process("input", &x, captured: &captured)
        var layerInputs: [Tensor] = [], pre: [Tensor] = [], preReplaced: [Bool] = [], postReplaced: [Bool] = []
        for (i, layer) in layers.enumerated() {
            layerInputs.append(x)
            var effective: Tensor?
            if let mask = hooks.edgeMasks[i] {
                precondition(mask.shape == layer.weight.shape, "edge mask \(i) must be \(layer.weight.shape)")
                var w = layer.weight
                for k in 0..<w.count { w.scalars[k] *= mask.scalars[k] }
                effective = w
            }
            var z = layer.forward(x, weight: effective)
            preReplaced.append(hooks.process("layers.\(i).pre", &z, captured: &captured))
            pre.append(z)
            var a = z
            activation(i).apply(z.scalars, into: &a.scalars)
            postReplaced.append(hooks.process("layers.\(i).post", &a, captured: &captured))
            x = a
        }
        return ForwardPass(output: x, captured: captured, hooks: hooks, layerInputs: layerInputs,
                           preActivations: pre, preReplaced: preReplaced, postReplaced: postReplaced,
                           inputReplaced: inputReplaced)
    }

    /// The output for a batch (no hooks).
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input).output }
}
