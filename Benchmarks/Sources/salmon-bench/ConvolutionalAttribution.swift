import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Attribution maps for 1,000 8 × 8 images on the sanity checks' CNN that
/// `attribution_cnn_peer.py --make-data DIR` writes (the model, inputs and targets Captum is timed
/// on): gradient, Integrated Gradients (50 Gauss–Legendre steps, zero baseline), SmoothGrad (50
/// samples) and guided backpropagation, each explaining the target logit of every row.
///
/// The timed region is one `explain` call over all rows, with the batch limit the sanity-check
/// study uses (2¹⁶ scalars per layer buffer); best of 3, for 1 and 2 OpenBLAS threads. That the
/// maps agree with PyTorch's and Captum's is tested in `ConvNetTests`, not here.
func runConvolutionalAttributionBenchmark(directory: String) {
    do {
        let file = try SafeTensors(parsing: try Data(contentsOf: URL(fileURLWithPath: directory + "/model.safetensors")),
                                   source: directory + "/model.safetensors")
        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor { Tensor(shape: shape, scalars: try file.floats(named: name)) }
        let model = ConvNet(channels: 1, height: 8, width: 8,
                            convolutions: [Conv2D(weight: try tensor("conv1.weight", [16, 1, 3, 3]), bias: try tensor("conv1.bias", [16]), padding: 1),
                                           Conv2D(weight: try tensor("conv2.weight", [32, 16, 3, 3]), bias: try tensor("conv2.bias", [32]), padding: 1)],
                            pool: MaxPool2D(size: 2),
                            dense: [Linear(weight: try tensor("fc1.weight", [64, 128]), bias: try tensor("fc1.bias", [64])),
                                    Linear(weight: try tensor("fc2.weight", [10, 64]), bias: try tensor("fc2.bias", [10]))])
        let x = try NPYArray(parsing: try Data(contentsOf: URL(fileURLWithPath: directory + "/inputs.npy")), source: "inputs.npy")
        let t = try NPYArray(parsing: try Data(contentsOf: URL(fileURLWithPath: directory + "/targets.npy")), source: "targets.npy")
        let inputs = Tensor(shape: x.shape, scalars: try x.floats())
        let input = try AttributionInput(model: model, inputs: inputs, target: .perRow(try t.integers().map { Int($0) }))
        let rows = inputs.shape[0]
        let cases: [(String, AttributionMethod)] = [
            ("attribution_cnn_gradient_\(rows)x64", .gradient()),
            ("attribution_cnn_integrated_gradients_\(rows)x64", .integratedGradients(steps: 50, completenessTolerance: nil)),
            ("attribution_cnn_smoothgrad_\(rows)x64", .smoothGrad(noiseLevel: 1, samples: 50)),
            ("attribution_cnn_guided_backprop_\(rows)x64", .guidedBackprop),
        ]
        let saved = BLAS.threadCount
        defer { BLAS.setThreadCount(saved) }
        for threads in [1, 2] {
            BLAS.setThreadCount(threads)
            for (name, method) in cases {
                let estimator = Attribution(method, batchElementLimit: 1 << 16)
                let time = try best(of: 3) { _ = try estimator.explain(input, stream: RandomStream(seed: 0)) }
                report(name, ["seconds": time, "blasThreads": threads, "rows": rows, "repetitions": 3, "dtype": "float32"])
            }
        }
    } catch {
        FileHandle.standardError.write(Data("salmon-bench attribution-cnn: \(error)\n".utf8))
        exit(2)
    }
}
