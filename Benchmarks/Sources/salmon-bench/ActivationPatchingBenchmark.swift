import Foundation
import SalmonIO
import SalmonMethods
import SalmonNetworks

/// Activation patching of every head (2 blocks × 4 heads) of the GPT-2-layout transformer
/// `patching_peer.py --make-data DIR` writes, over its 1,000 clean/corrupted pairs: the clean and
/// corrupted runs (``ActivationPatching``'s init, every site captured) and one patched run per
/// head — the sweep `patching_peer.py` times in PyTorch on the same model, pairs and threads.
/// Best of 5 per thread count; one JSON line each, with the recovered values.
func runActivationPatchingBenchmark(directory: String) throws {
    guard case .transformer(let model) = try StateDict.load(path: directory + "/model.safetensors",
                                                            architecturePath: directory + "/architecture.json") else {
        fatalError("\(directory)/model.safetensors is not a transformer")
    }
    func integers(_ name: String) throws -> [Int] {
        let path = directory + "/" + name + ".npy"
        return try NPYArray(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), source: path).integers().map { Int($0) }
    }
    let clean = try integers("clean"), corrupted = try integers("corrupted")
    let correct = try integers("correct"), wrong = try integers("wrong")
    let c = model.configuration
    let pairs = correct.count, length = clean.count / pairs
    let heads = (0..<c.layers).flatMap { block in (0..<c.heads).map { PatchingComponent.head(block: block, head: $0) } }
    for threads in [1, 2] {
        BLAS.setThreadCount(threads)
        var recovered: [Double] = []
        let time = try best(of: 5) {
            let patching = try ActivationPatching(model: model, clean: clean, corrupted: corrupted, batch: pairs, length: length,
                                                  correct: correct, wrong: wrong)
            recovered = try patching.recovered(heads)
        }
        report("patching_every_head_t\(threads)", ["pairs": pairs, "heads": heads.count, "threads": threads, "seconds": time,
                                                   "recovered": recovered])
    }
}
