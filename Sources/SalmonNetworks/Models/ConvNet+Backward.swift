/// Gradients of a scalar loss with respect to a ``ConvNet``'s parameters and its input.
public struct ConvNetGradients: Sendable {
    /// dL/d(parameter) in ``ConvNet/parameterArrays`` order (empty when not asked for).
    public var parameters: [[Float]]
    /// dL/dx, `[batch, inputWidth]`.
    public var input: Tensor
}

extension ConvNet {
    /// Backpropagates `outputGradient` = dL/d(logits) through the pass that produced it.
    /// - Parameters:
    ///   - rule: how ReLUs are crossed (the chain rule unless guided backpropagation is asked for).
    ///   - parameters: whether to form the parameter gradients (attribution needs only dL/dx).
    public func backward(_ pass: Pass, outputGradient: Tensor, rule: ReLUBackwardRule = .gradient,
                         parameters: Bool = true) -> ConvNetGradients {
        precondition(outputGradient.shape == pass.output.shape, "output gradient must have the output's shape")
        precondition(pass.columns.count == convolutions.count && pass.poolingMaxima.count == convolutions.count
                     && pass.denseInputs.count == dense.count, "ConvNet backward: the pass must come from this network's forward")
        var denseGradients: [[Float]] = []
        var signal = outputGradient
        for i in stride(from: dense.count - 1, through: 0, by: -1) {
            if i < dense.count - 1 { rule.apply(&signal.scalars, at: pass.densePreActivations[i].scalars) }
            if parameters {
                let dW = BLAS.matmul(signal, pass.denseInputs[i], transposeA: true)
                let width = dense[i].outFeatures
                var db = [Float](repeating: 0, count: width)
                signal.scalars.withUnsafeBufferPointer { d in
                    for r in 0..<(d.count / max(width, 1)) { for j in 0..<width { db[j] += d[r * width + j] } }
                }
                denseGradients = [dW.scalars, db] + denseGradients
            }
            signal = BLAS.matmul(signal, dense[i].weight)
        }
        var convolutionGradients: [[Float]] = []
        for i in stride(from: convolutions.count - 1, through: 0, by: -1) {
            let conv = convolutions[i], (h, w) = pass.convolutionSizes[i]
            let z = pass.convolutionPreActivations[i]
            var dz = pool.backward(signal, argmax: pass.poolingMaxima[i], inputWidth: z.shape[1])
            rule.apply(&dz.scalars, at: z.scalars)
            let (dW, db, dx) = conv.backward(dz, columns: pass.columns[i], height: h, width: w, parameters: parameters)
            if parameters, let dW, let db { convolutionGradients = [dW.scalars, db.scalars] + convolutionGradients }
            signal = dx
        }
        return ConvNetGradients(parameters: parameters ? convolutionGradients + denseGradients : [], input: signal)
    }

    /// Trains in place by minibatch gradient descent; bit-for-bit reproducible for a given plan
    /// (minibatch order from the plan's seeded stream; no other randomness).
    /// - Parameters:
    ///   - inputs: `[examples, inputWidth]`.
    ///   - targets: `[examples]` class indices for cross-entropy, `[examples, classes]` for MSE.
    @discardableResult
    public mutating func train(inputs: Tensor, targets: Tensor, plan: TrainingPlan) -> TrainingReport {
        trainSupervised(inputs: inputs, targets: targets, plan: plan, output: { $0($1) }, backpropagate: { model, x, lossGradient in
            let pass = model.forward(x)
            return model.backward(pass, outputGradient: lossGradient(pass.output)).parameters
        })
    }
}
