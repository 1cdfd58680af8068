import SalmonNetworks

extension Attribution {
    /// Saliency (∂F/∂x, optionally |·|), gradient ⊙ input, or the guided-backprop signal: one
    /// forward and one backward pass per chunk of rows.
    ///
    /// Gradient ⊙ input is formed in Float64 from the Float32 factors, so it equals the product
    /// of the gradient map and the input exactly (a product of two 24-bit significands fits in 53).
    func gradientMap(_ input: AttributionInput, rule: ReLUBackwardRule, times: Bool, absolute: Bool) -> Computed {
        let n = input.rowCount, d = input.featureCount
        let engine = _TargetGradient(model: input.model, rule: rule)
        var values = [Double](repeating: 0, count: n * d)
        var outputs = [Double](repeating: 0, count: n)
        for range in chunks(rows: n, copies: 1, model: input.model) {
            let (f, g) = engine(rows(input, range)) { input.target.index(range.lowerBound + $0) }
            let offset = range.lowerBound * d
            values.withUnsafeMutableBufferPointer { v in
                g.scalars.withUnsafeBufferPointer { gs in
                    input.inputs.scalars.withUnsafeBufferPointer { xs in
                        for k in 0..<gs.count {
                            let gradient = Double(gs[k])
                            v[offset + k] = times ? gradient * Double(xs[offset + k]) : (absolute ? abs(gradient) : gradient)
                        }
                    }
                }
            }
            for (k, value) in f.enumerated() { outputs[range.lowerBound + k] = Double(value) }
        }
        return Computed(values: values, outputs: outputs)
    }
}
