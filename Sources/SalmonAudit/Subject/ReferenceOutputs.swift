import Foundation
import SalmonNetworks

/// The check that a model loaded from a state dict is the network the user trained: its outputs on
/// the evaluation inputs against the ones PyTorch computed (`model.referenceOutputs`).
///
/// An architecture JSON that reads a state dict without error can still describe another network
/// (a LeakyReLU read as ReLU, layers in another order): the shapes all fit and every result would
/// be about the wrong model. The reference outputs catch it before any null model is built.
///
/// The file is `[n, outputs]` (trained network 0) or `[seeds, n, outputs]` (every state dict, in
/// the order of `model.stateDict`); for a transformer the outputs are the logits at the last
/// position of each sequence. Each value must agree to 10⁻⁴ · max(1, |reference|): float32
/// arithmetic in another order differs by far less, a different network by far more.
enum ReferenceOutputs {
    static let tolerance: Float = 1e-4

    /// - Throws: ``SpecError`` naming the file and the first output that disagrees, or a shape
    ///   that does not match the model.
    static func check(_ subject: any AuditSubject, file: String) throws {
        guard let provider = subject as? any ReferenceOutputsProviding else {
            throw SpecError(file: file, field: "model.referenceOutputs", "reference outputs check a model loaded from a state dict")
        }
        let ours = provider.trainedOutputs()
        let reference = try ArrayInput.attributionMaps(file)
        guard let first = ours.first else { return }
        let n = first.shape[0], width = first.shape[1]
        let seeds: Int
        switch reference.shape.count {
        case 2 where reference.shape == [n, width]: seeds = 1
        case 3 where reference.shape[0] <= ours.count && Array(reference.shape.dropFirst()) == [n, width]: seeds = reference.shape[0]
        default:
            throw SpecError(file: reference.source, field: "model.referenceOutputs",
                            "outputs of shape [\(n), \(width)] (or [seeds ≤ \(ours.count), \(n), \(width)]) for the \(n) evaluation inputs, found \(reference.shape)")
        }
        for s in 0..<seeds {
            let values = ours[s].scalars
            for i in 0..<(n * width) {
                let theirs = Float(reference.values[s * n * width + i]), mine = values[i]
                guard abs(mine - theirs) <= tolerance * max(1, abs(theirs)) else {
                    let at = seeds > 1 ? "state dict \(s), " : ""
                    throw SpecError(file: reference.source, field: "model.referenceOutputs",
                                    "the loaded model's outputs within \(tolerance) of these, found \(at)row \(i / width), output \(i % width): \(mine) here, \(theirs) in the file; does the architecture JSON describe the network (activations, naming, layer order)?")
                }
            }
        }
    }
}

/// A subject whose trained networks can be run on its evaluation inputs.
protocol ReferenceOutputsProviding {
    /// Each trained network's outputs on the evaluation inputs, `[n, outputs]`.
    func trainedOutputs() -> [Tensor]
}

extension LayeredNetworkSubject: ReferenceOutputsProviding {
    func trainedOutputs() -> [Tensor] { trained.map { $0.outputs(evaluationInputs) } }
}

extension TransformerSubject: ReferenceOutputsProviding {
    func trainedOutputs() -> [Tensor] { trained.map { capture($0, sites: ["logits"])["logits"] ?? Tensor(shape: [0, 0], scalars: []) } }
}
