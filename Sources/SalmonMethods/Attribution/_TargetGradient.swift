import SalmonNetworks

/// The batched forward and backward passes every attribution method is built on: for a batch
/// `[m, d]` and one output index per row, F = output[r, tᵣ] and ∂F/∂x (or, under
/// ``ReLUBackwardRule/guided``, the guided signal of Springenberg et al. 2015; callers check the
/// model with ``AttributableModel/checkGuidedBackprop()`` first).
struct _TargetGradient {
    let model: any AttributableModel
    let rule: ReLUBackwardRule

    /// F for every row of `x`: `output[r, target(r)]` (forward only).
    func outputs(_ x: Tensor, target: (Int) -> Int) -> [Float] {
        let out = model.outputs(x)
        let k = out.shape[1]
        return (0..<x.shape[0]).map { r in out.scalars[r * k + target(r)] }
    }

    /// F for every row and ∂F/∂x `[m, d]` (or the guided signal, under `.guided`).
    func callAsFunction(_ x: Tensor, target: (Int) -> Int) -> (outputs: [Float], gradient: Tensor) {
        let m = x.shape[0]
        var outputs = [Float](repeating: 0, count: m)
        let (_, gradient) = model.backpropagate(x, rule: rule) { output in
            let k = output.shape[1]
            var signal = Tensor(zeros: [m, k])
            output.scalars.withUnsafeBufferPointer { out in
                signal.scalars.withUnsafeMutableBufferPointer { s in
                    for r in 0..<m {
                        let t = target(r)
                        outputs[r] = out[r * k + t]
                        s[r * k + t] = 1
                    }
                }
            }
            return signal
        }
        return (outputs, gradient)
    }
}
