/// Gradients of a scalar loss with respect to an MLP's parameters, its input and hooked sites.
public struct MLPGradients: Sendable {
    /// dL/dW per layer, `[out, in]` (masked where an edge mask applied).
    public var weights: [Tensor]
    /// dL/db per layer, `[out]`.
    public var biases: [Tensor]
    /// dL/dx for the network input, `[batch, in]` (zero if the input site was replaced).
    public var input: Tensor
    /// dL/d(activation) at each captured site (the value after that site's hooks).
    public var sites: [String: Tensor]
}

extension MLP {
    /// Backpropagates `outputGradient` = dL/d(output) through the pass that produced it.
    ///
    /// Node masks multiply gradients as they multiply activations; edge masks multiply the weight
    /// gradient; a replaced site passes no gradient upstream (its value no longer depends on it).
    public func backward(_ pass: ForwardPass, outputGradient: Tensor) -> MLPGradients {
        precondition(outputGradient.shape == pass.output.shape, "output gradient must have the output's shape")
        let hooks = pass.hooks
        var weights = [Tensor](repeating: Tensor(zeros: [0]), count: layers.count)
        var biases = weights
        var sites: [String: Tensor] = [:]
        var dA = outputGradient
        var upstreamLive = true

        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[i]
            // Post-activation site: the value after hooks is what flowed on.
            if hooks.capture.contains("layers.\(i).post") { sites["layers.\(i).post"] = dA }
            if pass.postReplaced[i] { upstreamLive = false }
            if let mask = hooks.nodeMasks["layers.\(i).post"] { Self.scaleColumns(&dA, mask) }

            // Through the activation, at the pre-activation after its hooks.
            var dZ = dA
            let z = pass.preActivations[i]
            let f = activation(i)
            f.multiplyByDerivative(&dZ.scalars, at: z.scalars)
            if hooks.capture.contains("layers.\(i).pre") { sites["layers.\(i).pre"] = dZ }
            if pass.preReplaced[i] { upstreamLive = false }
            if let mask = hooks.nodeMasks["layers.\(i).pre"] { Self.scaleColumns(&dZ, mask) }
            if !upstreamLive { dZ = Tensor(zeros: dZ.shape) }

            // Parameters and the layer's input.
            let x = pass.layerInputs[i]
            var dW = BLAS.matmul(dZ, x, transposeA: true)
            var effective = layer.weight
            if let mask = hooks.edgeMasks[i] {
                for k in 0..<dW.count { dW.scalars[k] *= mask.scalars[k] }
                for k in 0..<effective.count { effective.scalars[k] *= mask.scalars[k] }
            }
            var db = [Float](repeating: 0, count: layer.outFeatures)
            let width = layer.outFeatures
            dZ.scalars.withUnsafeBufferPointer { d in
                for r in 0..<(d.count / max(width, 1)) {
                    for j in 0..<width { db[j] += d[r * width + j] }
                }
            }
            weights[i] = dW
            biases[i] = Tensor(shape: [width], scalars: db)
            dA = BLAS.matmul(dZ, effective)
        }
        if hooks.capture.contains("input") { sites["input"] = dA }
        if let mask = hooks.nodeMasks["input"] { Self.scaleColumns(&dA, mask) }
        if pass.inputReplaced || !upstreamLive { dA = Tensor(zeros: dA.shape) }
        return MLPGradients(weights: weights, biases: biases, input: dA, sites: sites)
    }

    static func scaleColumns(_ t: inout Tensor, _ mask: [Float]) {
        let width = mask.count
        t.scalars.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] *= mask[i % width] }
        }
    }
}
