import SalmonStatistics

/// A multilayer perceptron: linear layers with an activation after each hidden layer and an
/// output activation after the last (identity by default; LeakyReLU for the circuit models of
/// Méloux et al. 2025, whose code applies it after every layer).
///
/// A network without biases (`nn.Linear(…, bias=False)` throughout, as in Doshi et al. 2023) has
/// `hasBias` false: its biases are zero and are not parameters — ``parameterArrays`` holds the
/// weights alone, so training, within-layer permutation and moment redraw never touch them.
public struct MLP: Sendable, Equatable {
    public var layers: [Linear]
    public var hiddenActivation: Activation
    public var outputActivation: Activation
    /// Whether the layers have biases (false: every bias is zero and not a parameter).
    public private(set) var hasBias: Bool

    /// A network from its layers.
    /// - Precondition: consecutive layers fit (`layers[i].outFeatures == layers[i+1].inFeatures`);
    ///   without biases, every bias is zero.
    public init(layers: [Linear], hiddenActivation: Activation = .relu, outputActivation: Activation = .identity, hasBias: Bool = true) {
        precondition(!layers.isEmpty, "MLP needs at least one layer")
        for i in 1..<max(layers.count, 1) {
            precondition(layers[i - 1].outFeatures == layers[i].inFeatures, "MLP: layer \(i) does not fit layer \(i - 1)")
        }
        precondition(hasBias || layers.allSatisfy { $0.bias.scalars.allSatisfy { $0 == 0 } }, "MLP without biases: every bias must be zero")
        self.layers = layers
        self.hiddenActivation = hiddenActivation
        self.outputActivation = outputActivation
        self.hasBias = hasBias
    }

    /// A freshly initialized network with layer sizes `[in, hidden…, out]`, drawn from `stream`
    /// (layer i from `stream.derived("layers", i)`, so re-initializing one layer is addressable).
    /// Without biases, the weights are the same draws and the biases zero.
    public init(sizes: [Int], hiddenActivation: Activation = .relu, outputActivation: Activation = .identity,
                initializer: Initializer = .pytorchDefault, hasBias: Bool = true, stream: RandomStream) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP sizes: at least [in, out], all positive")
        let layers = (0..<(sizes.count - 1)).map { i -> Linear in
            var s = stream.derived("layers", .index(i))
            var layer = Linear(inFeatures: sizes[i], outFeatures: sizes[i + 1], initializer: initializer, stream: &s)
            if !hasBias { layer.bias = Tensor(zeros: [sizes[i + 1]]) }
            return layer
        }
        self.init(layers: layers, hiddenActivation: hiddenActivation, outputActivation: outputActivation, hasBias: hasBias)
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
