import SalmonNetworks

/// The batched forward and backward passes every attribution method is built on: for a batch
/// `[m, d]` and one output index per row, F = output[r, tᵣ] and ∂F/∂x.
///
/// The backward pass computes only the input gradient (no weight gradients, which
/// ``MLP/backward(_:outputGradient:)`` would also form): per layer one element-wise product
/// with f′(z) and one BLAS product dA ← dZ · W. The forward pass is the model's own, with the
/// pre-activations captured through hooks.
struct _TargetGradient {
    /// How the backward pass crosses an activation.
    enum Rule {
        /// Multiply by f′(z): the gradient.
        case gradient
        /// At a ReLU keep a signal only where it is positive and z > 0 (Springenberg et al. 2015);
        /// identity activations pass it unchanged. Callers check the activations first.
        case guided
    }

    let model: MLP
    let rule: Rule

    /// The pre-activation sites, captured for the backward pass.
    private var sites: [String] { model.layers.indices.map { "layers.\($0).pre" } }

    private func activation(_ i: Int) -> Activation {
        i == model.layers.count - 1 ? model.outputActivation : model.hiddenActivation
    }

    /// F for every row of `x`: `output[r, target(r)]` (forward only).
    func outputs(_ x: Tensor, target: (Int) -> Int) -> [Float] {
        let out = model(x)
        let k = out.shape[1]
        return (0..<x.shape[0]).map { r in out.scalars[r * k + target(r)] }
    }

    /// F for every row and ∂F/∂x `[m, d]` (or the guided signal, under `.guided`).
    func callAsFunction(_ x: Tensor, target: (Int) -> Int) -> (outputs: [Float], gradient: Tensor) {
        let sites = self.sites
        let pass = model.forward(x, hooks: Hooks(capture: Set(sites)))
        let m = x.shape[0], k = pass.output.shape[1]
        var outputs = [Float](repeating: 0, count: m)
        var signal = Tensor(zeros: [m, k])
        pass.output.scalars.withUnsafeBufferPointer { out in
            signal.scalars.withUnsafeMutableBufferPointer { s in
                for r in 0..<m {
                    let t = target(r)
                    outputs[r] = out[r * k + t]
                    s[r * k + t] = 1
                }
            }
        }
        for i in stride(from: model.layers.count - 1, through: 0, by: -1) {
            let z = pass.captured[sites[i]]!
            let f = activation(i)
            switch rule {
            case .gradient:
                f.multiplyByDerivative(&signal.scalars, at: z.scalars)
            case .guided:
                if f == .relu {
                    signal.scalars.withUnsafeMutableBufferPointer { g in
                        z.scalars.withUnsafeBufferPointer { zs in
                            for j in 0..<g.count { g[j] = zs[j] > 0 && g[j] > 0 ? g[j] : 0 }
                        }
                    }
                }
            }
            signal = BLAS.matmul(signal, model.layers[i].weight)
        }
        return (outputs, signal)
    }
}
