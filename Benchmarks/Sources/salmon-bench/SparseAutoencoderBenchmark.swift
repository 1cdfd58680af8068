import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// One epoch of SAE training on activations from `sae_peer.py --make-data` (an .npy of
/// `rows × width` Float32), TopK (k = 32) and ReLU-L1, 8× expansion, batches of 4,096, Adam at
/// 1e-3 with unit-norm decoder rows: the configuration `sae_peer.py` times in PyTorch on the same
/// data and threads. Best of 2 runs per thread count; one JSON line each, with the epoch's mean loss.
func runSparseAutoencoderBenchmark(path: String) throws {
    let array = try NPYArray(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), source: path)
    let x = try array.floats()
    let (rows, width) = (array.shape[0], array.shape[1])
    let latents = 8 * width
    let training = SparseAutoencoderTraining(epochs: 1, batchSize: 4096, learningRate: 1e-3)
    for (name, activation) in [("topk", SparseAutoencoder.Activation.topK(k: 32)), ("relu_l1", .relu(l1: 1e-3))] {
        for threads in [1, 2] {
            BLAS.setThreadCount(threads)
            var loss = Double.nan
            let time = best(of: 2) {
                let (_, losses) = SparseAutoencoder.train(x: x, rows: rows, inputs: width, latents: latents, activation: activation,
                                                          training: training, stream: RandomStream(seed: 1))
                loss = losses[0]
            }
            report("sae_\(name)_train_epoch_t\(threads)", ["rows": rows, "width": width, "latents": latents, "threads": threads,
                                                "seconds": time, "epochLoss": loss])
        }
    }
}
