import SalmonNetworks
import SalmonStatistics

extension Attribution {
    /// SmoothGrad: the mean gradient over `samples` noisy copies of each row.
    ///
    /// Row r's noise: σᵣ = noiseLevel · (max(xᵣ) − min(xᵣ)) and `samples × d` standard normals
    /// from `noise.derived(index: r)` (= `stream → "smoothgrad" → r`), sample-major: copy s,
    /// feature j is xᵣⱼ + σᵣ εᵣ[s·d + j], rounded to Float32. A constant row has σ = 0 and gets
    /// its plain gradient. The copies of a chunk of rows are stacked into one batch (copy (row, s)
    /// at position row · samples + s); the mean is summed in Float64 in sample order.
    func smoothGrad(_ input: AttributionInput, noiseLevel: Double, samples: Int, stream noise: RandomStream) -> Computed {
        let n = input.rowCount, d = input.featureCount
        let engine = _TargetGradient(model: input.model, rule: .gradient)
        var values = [Double](repeating: 0, count: n * d)
        var epsilon = [Double](repeating: 0, count: samples * d)
        var sum = [Double](repeating: 0, count: d)

        for range in chunks(rows: n, copies: samples, model: input.model) {
            let r = range.count
            let noisy = [Float](unsafeUninitializedCapacity: r * samples * d) { p, initialized in
                input.inputs.scalars.withUnsafeBufferPointer { xs in
                    var o = 0
                    for row in range {
                        var lo = xs[row * d], hi = lo
                        for j in 0..<d {
                            lo = min(lo, xs[row * d + j])
                            hi = max(hi, xs[row * d + j])
                        }
                        let sigma = noiseLevel * (Double(hi) - Double(lo))
                        var rowStream = noise.derived(index: row)
                        epsilon.withUnsafeMutableBufferPointer { e in
                            rowStream.fillGaussian(e)
                            for s in 0..<samples {
                                for j in 0..<d {
                                    p[o] = Float(Double(xs[row * d + j]) + sigma * e[s * d + j])
                                    o += 1
                                }
                            }
                        }
                    }
                }
                initialized = r * samples * d
            }
            let (_, g) = engine(Tensor(shape: [r * samples, d], scalars: noisy)) { input.target.index(range.lowerBound + $0 / samples) }
            g.scalars.withUnsafeBufferPointer { gs in
                values.withUnsafeMutableBufferPointer { v in
                    for (local, row) in range.enumerated() {
                        for j in 0..<d { sum[j] = 0 }
                        for s in 0..<samples {
                            let base = (local * samples + s) * d
                            for j in 0..<d { sum[j] += Double(gs[base + j]) }
                        }
                        for j in 0..<d { v[row * d + j] = sum[j] / Double(samples) }
                    }
                }
            }
        }
        return Computed(values: values, outputs: outputs(input), diagnostics: ["smoothgrad.samples": Double(samples)])
    }
}
