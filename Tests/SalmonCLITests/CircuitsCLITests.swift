import Foundation
import Testing

/// `salmon circuits` on PyTorch-trained XOR models (`Tests/SalmonMethodsTests/Fixtures/circuits`),
/// against the independent Python count of the same weights, and its bad-input exits.
@Suite("Circuits CLI")
struct CircuitsCLITests {
    static let fixtures = packageRoot.appendingPathComponent("Tests/SalmonMethodsTests/Fixtures/circuits").path

    struct Summary: Decodable {
        var candidateCircuits: Double
        var perfectCircuits: Double
        var minimalCircuits: Int
        var meanJaccard: Double?
        var containmentFraction: Double?
    }
    struct Reference: Decodable {
        var candidateCircuits: Int
        var perfectCircuits: Int
        var minimalCircuits: Int
        var meanPairwiseJaccard: Double?
        var containmentPairFraction: Double?
    }

    @Test(arguments: ["seed0", "seed1", "seed2"])
    func countsAgreeWithTheIndependentPythonCount(_ seed: String) throws {
        let run = runSalmon(["circuits", "--model", "\(Self.fixtures)/xor-2-3-3-1-\(seed).safetensors",
                             "--architecture", "\(Self.fixtures)/architecture.json", "--task", "xor", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(run.stdout.utf8))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/circuits-xor-2-3-3-1-\(seed).json")))
        #expect(summary.candidateCircuits == 3_000 && Int(summary.candidateCircuits) == reference.candidateCircuits)
        #expect(Int(summary.perfectCircuits) == reference.perfectCircuits)
        #expect(summary.minimalCircuits == reference.minimalCircuits)
        #expect(abs((summary.meanJaccard ?? .nan) - (reference.meanPairwiseJaccard ?? .nan)) < 1e-12)
        #expect(abs((summary.containmentFraction ?? .nan) - (reference.containmentPairFraction ?? .nan)) < 1e-12)
    }

    @Test func csvIsOneRow() {
        let run = runSalmon(["circuits", "--model", "\(Self.fixtures)/xor-2-3-3-1-seed0.safetensors",
                             "--architecture", "\(Self.fixtures)/architecture.json"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("model,sizes,task,candidate_circuits,perfect_circuits,minimal_circuits,"))
        #expect(run.stdout.contains(",2-3-3-1,xor,3000,15,4,"))
    }

    /// Weights of a [2, 3, 3, 1] model read with the [2, 4, 4, 1] architecture: exit 2, one line
    /// naming the file and the tensor.
    @Test func aStateDictThatDoesNotMatchTheArchitectureExitsTwo() {
        let run = runSalmon(["circuits", "--model", "\(Self.fixtures)/xor-2-3-3-1-seed0.safetensors",
                             "--architecture", "\(Self.fixtures)/architecture-2-4-4-1.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("xor-2-3-3-1-seed0.safetensors") && run.stderr.contains("layers.0.0.weight"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty)
        let gate = runSalmon(["circuits", "--model", "\(Self.fixtures)/xor-2-3-3-1-seed0.safetensors",
                              "--architecture", "\(Self.fixtures)/architecture.json", "--task", "xnand"])
        #expect(gate.status == 2 && gate.stderr.contains("--task"))
    }

    /// A CNN state dict loads, but its circuits are not enumerable: exit 2 naming the architecture's type.
    @Test func aCNNIsRefusedNamingItsType() {
        let cnn = packageRoot.appendingPathComponent("Tests/SalmonAuditTests/Fixtures/cnn_digits").path
        let run = runSalmon(["circuits", "--model", "\(cnn)/seed0.safetensors", "--architecture", "\(cnn)/architecture.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("architecture.json") && run.stderr.contains("type") && run.stderr.contains("found cnn"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty)
    }
}
