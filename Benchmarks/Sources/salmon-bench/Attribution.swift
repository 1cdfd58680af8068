import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Attribution maps for 1,000 digits-shaped inputs on the 64 → 64 → 64 → 10 ReLU MLP that
/// `attribution_peer.py --make-data DIR` writes (the same model, inputs and targets Captum is timed
/// on): gradient (saliency), Integrated Gradients with 50 Gauss–Legendre steps from a zero baseline,
/// and SmoothGrad with 50 samples, each explaining the target logit of every row.
///
/// The timed region is one `explain` call over all 1,000 rows (default settings: one stacked batch
/// per method, since 50,000 × 64 fits the default batch limit); best of 3, for 1 and 2 OpenBLAS
/// threads. SmoothGrad's σ is 1.0 × each row's range (≈ 1 on these uniform [0, 1) inputs, Captum's
/// default absolute stdevs = 1.0); the noise level does not change the work.
func runAttributionBenchmark(directory: String) {
    do {
        guard case .mlp(let model) = try StateDict.load(path: directory + "/model.safetensors",
                                                       architecturePath: directory + "/architecture.json") else {
            throw InputError(file: directory + "/architecture.json", expected: "an MLP")
        }
        let x = try NPYArray(parsing: try Data(contentsOf: URL(fileURLWithPath: directory + "/inputs.npy")), source: "inputs.npy")
        let t = try NPYArray(parsing: try Data(contentsOf: URL(fileURLWithPath: directory + "/targets.npy")), source: "targets.npy")
        let inputs = Tensor(shape: x.shape, scalars: try x.floats())
        let targets = try t.integers().map { Int($0) }
        let input = try AttributionInput(model: model, inputs: inputs, target: .perRow(targets))
        let rows = inputs.shape[0], features = inputs.shape[1]
        let cases: [(String, AttributionMethod, [String: Any])] = [
            ("attribution_gradient_\(rows)x\(features)", .gradient(), [:]),
            ("attribution_integrated_gradients_\(rows)x\(features)", .integratedGradients(steps: 50, completenessTolerance: nil), ["steps": 50, "method": "gausslegendre"]),
            ("attribution_smoothgrad_\(rows)x\(features)", .smoothGrad(noiseLevel: 1, samples: 50), ["samples": 50, "noiseLevel": 1.0]),
        ]
        let saved = BLAS.threadCount
        defer { BLAS.setThreadCount(saved) }
        for threads in [1, 2] {
            BLAS.setThreadCount(threads)
            for (name, method, extra) in cases {
                let estimator = Attribution(method)
                var explanation: Explanation?
                let time = try best(of: 3) { explanation = try estimator.explain(input, stream: RandomStream(seed: 0)) }
                var fields: [String: Any] = ["seconds": time, "blasThreads": threads, "rows": rows, "sizes": model.sizes,
                                             "repetitions": 3, "dtype": "float32"]
                for (key, value) in extra { fields[key] = value }
                if let gap = explanation?.diagnostics["completenessGap.relative"] { fields["completenessGapRelative"] = gap }
                report(name, fields)
            }
        }
    } catch {
        FileHandle.standardError.write(Data("salmon-bench attribution: \(error)\n".utf8))
        exit(2)
    }
}
