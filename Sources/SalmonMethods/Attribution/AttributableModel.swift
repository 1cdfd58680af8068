import SalmonNetworks

/// A differentiable model an attribution method can explain: rows `[m, inputWidth]` in, outputs
/// `[m, outputWidth]` out, and the signal backpropagated from chosen outputs to the rows.
///
/// ``MLP`` and ``ConvNet`` conform. Every attribution method (``Attribution``) is written once
/// against this protocol: gradients, Integrated Gradients and SmoothGrad need ``backpropagate``
/// under the chain rule, guided backpropagation the same pass under ``ReLUBackwardRule/guided``,
/// occlusion only ``outputs(_:)``.
public protocol AttributableModel: Sendable {
    /// The width of an input row.
    var inputWidth: Int { get }
    /// The width of an output row.
    var outputWidth: Int { get }
    /// The most scalars any layer's buffers hold per input row: what bounds the memory of a batch.
    var widestActivation: Int { get }
    /// The outputs for a batch (forward pass only).
    func outputs(_ x: Tensor) -> Tensor
    /// The outputs for a batch, and dL/dx for the loss whose output gradient is `seed(outputs)`,
    /// crossing ReLUs by `rule`.
    func backpropagate(_ x: Tensor, rule: ReLUBackwardRule, seed: (Tensor) -> Tensor) -> (output: Tensor, input: Tensor)
    /// Throws when guided backpropagation is undefined for this model (non-ReLU activations).
    func checkGuidedBackprop() throws
}

extension MLP: AttributableModel {
    /// The input width, `sizes[0]`.
    public var inputWidth: Int { sizes[0] }
    /// The output width, the last of `sizes`.
    public var outputWidth: Int { sizes[sizes.count - 1] }
    /// The widest layer of `sizes`.
    public var widestActivation: Int { sizes.max() ?? 1 }
    /// The network's outputs (no hooks).
    public func outputs(_ x: Tensor) -> Tensor { self(x) }

    /// The input gradient alone (no weight gradients, which ``MLP/backward(_:outputGradient:)``
    /// would also form): per layer one element-wise product with f′(z) — or the guided rule at a
    /// ReLU, identity activations passing the signal unchanged — and one BLAS product dA ← dZ · W.
    public func backpropagate(_ x: Tensor, rule: ReLUBackwardRule, seed: (Tensor) -> Tensor) -> (output: Tensor, input: Tensor) {
        let sites = layers.indices.map { "layers.\($0).pre" }
        let pass = forward(x, hooks: Hooks(capture: Set(sites)))
        var signal = seed(pass.output)
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            guard let z = pass.captured[sites[i]] else { preconditionFailure("the pre-activation \(sites[i]) was captured") }
            let f = i == layers.count - 1 ? outputActivation : hiddenActivation
            switch (rule, f) {
            case (.guided, .relu): rule.apply(&signal.scalars, at: z.scalars)
            case (.guided, _): break
            case (.gradient, _): f.multiplyByDerivative(&signal.scalars, at: z.scalars)
            }
            signal = BLAS.matmul(signal, layers[i].weight)
        }
        return (pass.output, signal)
    }

    /// Guided backpropagation is defined for ReLU hidden layers and an identity or ReLU output.
    public func checkGuidedBackprop() throws {
        guard layers.count == 1 || hiddenActivation == .relu else {
            throw MethodError("guided backprop needs ReLU hidden activations, found \(hiddenActivation)")
        }
        guard outputActivation == .identity || outputActivation == .relu else {
            throw MethodError("guided backprop needs an identity or ReLU output activation, found \(outputActivation)")
        }
    }
}

extension ConvNet: AttributableModel {
    /// The logits.
    public func outputs(_ x: Tensor) -> Tensor { self(x) }

    /// The forward pass and ``ConvNet/backward(_:outputGradient:rule:parameters:)`` without
    /// parameter gradients.
    public func backpropagate(_ x: Tensor, rule: ReLUBackwardRule, seed: (Tensor) -> Tensor) -> (output: Tensor, input: Tensor) {
        let pass = forward(x)
        return (pass.output, backward(pass, outputGradient: seed(pass.output), rule: rule, parameters: false).input)
    }

    /// Every activation of a ``ConvNet`` is a ReLU (or the identity logits).
    public func checkGuidedBackprop() throws {}
}
