import SalmonNetworks

extension Attribution {
    /// Single-feature occlusion: attributionⱼ = F(x) − F(x with feature j set to bⱼ).
    ///
    /// A chunk of r rows becomes one stacked batch of r · d copies (copy (row, j) at position
    /// row · d + j, feature j replaced); forward passes only. The difference is taken in Float64
    /// from the two Float32 outputs.
    ///
    /// A feature already at its baseline value (xⱼ = bⱼ, a blank pixel occluded by 0) gets exactly
    /// 0: occluding it changes nothing. Computing F(x) and F of the identical occluded copy at two
    /// positions of a BLAS product can differ in the last bit, and that noise would break the ties
    /// at 0 on which rank measures of such maps depend (it moved a Spearman similarity by 0.02 from
    /// one processor's OpenBLAS kernels to another's).
    ///
    /// - Complexity: d forward passes' worth of BLAS work per row, plus one for F(x).
    func occlusion(_ input: AttributionInput, baseline: [Float]) -> Computed {
        let n = input.rowCount, d = input.featureCount
        let engine = _TargetGradient(model: input.model, rule: .gradient)
        let outputs = self.outputs(input)
        var values = [Double](repeating: 0, count: n * d)
        for range in chunks(rows: n, copies: d, model: input.model) {
            let r = range.count
            let occluded = [Float](unsafeUninitializedCapacity: r * d * d) { p, initialized in
                input.inputs.scalars.withUnsafeBufferPointer { xs in
                    var o = 0
                    for row in range {
                        for j in 0..<d {
                            for i in 0..<d { p[o + i] = xs[row * d + i] }
                            p[o + j] = baseline[j]
                            o += d
                        }
                    }
                }
                initialized = r * d * d
            }
            let f = engine.outputs(Tensor(shape: [r * d, d], scalars: occluded)) { input.target.index(range.lowerBound + $0 / d) }
            input.inputs.scalars.withUnsafeBufferPointer { xs in
                for (local, row) in range.enumerated() {
                    for j in 0..<d {
                        values[row * d + j] = xs[row * d + j] == baseline[j] ? 0 : outputs[row] - Double(f[local * d + j])
                    }
                }
            }
        }
        return Computed(values: values, outputs: outputs)
    }
}
