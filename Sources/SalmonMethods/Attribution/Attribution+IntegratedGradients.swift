import SalmonNetworks

extension Attribution {
    /// Integrated Gradients with the completeness self-check.
    ///
    /// Each chunk of r rows becomes one stacked batch of r · steps rows, copy (row, k) at
    /// position row · steps + k holding b + αₖ (x − b) in Float32; one forward and one backward
    /// pass give every node's gradient, and attributionⱼ = (xⱼ − bⱼ) Σₖ wₖ ∂F/∂xⱼ(node k),
    /// summed in Float64 in node order.
    ///
    /// - Complexity: steps forward and backward passes' worth of BLAS work per row, plus one
    ///   forward pass for F(x) and one for F(b).
    func integratedGradients(_ input: AttributionInput, baseline: [Float], steps: Int, rule: IntegrationRule) -> Computed {
        let n = input.rowCount, d = input.featureCount
        let (alphas, weights) = rule.nodes(steps)
        let floatAlphas = alphas.map(Float.init)
        let engine = _TargetGradient(model: input.model, rule: .gradient)
        var values = [Double](repeating: 0, count: n * d)
        var integral = [Double](repeating: 0, count: d)

        for range in chunks(rows: n, copies: steps, model: input.model) {
            let r = range.count
            let path = [Float](unsafeUninitializedCapacity: r * steps * d) { p, initialized in
                input.inputs.scalars.withUnsafeBufferPointer { xs in
                    var o = 0
                    for row in range {
                        for k in 0..<steps {
                            let a = floatAlphas[k]
                            for j in 0..<d {
                                p[o] = baseline[j] + a * (xs[row * d + j] - baseline[j])
                                o += 1
                            }
                        }
                    }
                }
                initialized = r * steps * d
            }
            let (_, g) = engine(Tensor(shape: [r * steps, d], scalars: path)) { input.target.index(range.lowerBound + $0 / steps) }
            g.scalars.withUnsafeBufferPointer { gs in
                input.inputs.scalars.withUnsafeBufferPointer { xs in
                    values.withUnsafeMutableBufferPointer { v in
                        for (local, row) in range.enumerated() {
                            for j in 0..<d { integral[j] = 0 }
                            for k in 0..<steps {
                                let w = weights[k], base = (local * steps + k) * d
                                for j in 0..<d { integral[j] += w * Double(gs[base + j]) }
                            }
                            for j in 0..<d { v[row * d + j] = (Double(xs[row * d + j]) - Double(baseline[j])) * integral[j] }
                        }
                    }
                }
            }
        }

        // The completeness self-check: Σⱼ attributionⱼ = F(x) − F(b) for the exact integral.
        let outputs = self.outputs(input)
        let baselineOutput = input.model.outputs(Tensor(shape: [1, d], scalars: baseline))
        var gaps = [Double](repeating: 0, count: n), baselineOutputs = gaps
        var absoluteGap = 0.0, absoluteDifference = 0.0, maxGap = 0.0
        for row in 0..<n {
            let fb = Double(baselineOutput.scalars[input.target.index(row)])
            var sum = 0.0
            for j in 0..<d { sum += values[row * d + j] }
            let gap = sum - (outputs[row] - fb)
            gaps[row] = gap
            baselineOutputs[row] = fb
            absoluteGap += abs(gap)
            absoluteDifference += abs(outputs[row] - fb)
            maxGap = max(maxGap, abs(gap))
        }
        return Computed(values: values, outputs: outputs,
                        perExample: ["completenessGap": gaps, "baselineOutput": baselineOutputs],
                        diagnostics: ["completenessGap.meanAbsolute": absoluteGap / Double(n),
                                      "completenessGap.maxAbsolute": maxGap,
                                      "completenessGap.relative": absoluteDifference > 0 ? absoluteGap / absoluteDifference : .nan,
                                      "integratedGradients.steps": Double(steps)])
    }
}
