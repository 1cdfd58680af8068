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

    /// `--groundings --what-then-where --list` on seed 2: the explanations and each listed
    /// circuit's count are the published code's (groundings-xor-2-3-3-1-seed2.json), and the
    /// mapped formulas are the ones it found.
    @Test func groundingsAndWhatThenWhereAgreeWithThePublishedCode() throws {
        let run = runSalmon(["circuits", "--model", "\(Self.fixtures)/xor-2-3-3-1-seed2.safetensors", "--architecture",
                             "\(Self.fixtures)/architecture.json", "--groundings", "--what-then-where", "--list", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        struct Output: Decodable {
            struct Groundings: Decodable { var explanations: Double; var groundedCircuits: Int; var sampled: Bool; var perCircuit: [Double]? }
            struct Mapped: Decodable { var formula: String; var minimalMappings: Int }
            struct WhatThenWhere: Decodable { var candidateFormulas: Int; var mappedFormulas: Int; var mapped: [Mapped] }
            struct Masks: Decodable { var nodes: [UInt64]; var edges: [[UInt64]] }
            var circuits: [Masks]?
            var groundings: Groundings
            var whatThenWhere: WhatThenWhere
        }
        struct Reference: Decodable {
            struct C: Decodable { var nodeMasks: [[Int]]; var edgeMasks: [[[Int]]]; var groundings: Int }
            struct F: Decodable { var formula: String; var minimalMappings: [[String: [String: [Int]]]] }
            var perfectCircuits: [C]
            var formulas: [F]
        }
        let out = try JSONDecoder().decode(Output.self, from: Data(run.stdout.utf8))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/groundings-xor-2-3-3-1-seed2.json")))
        #expect(out.groundings.explanations == Double(reference.perfectCircuits.map(\.groundings).reduce(0, +)))
        #expect(out.groundings.groundedCircuits == 85 && !out.groundings.sampled)
        func bits(_ row: [Int]) -> UInt64 { row.enumerated().reduce(0) { $0 | ($1.element == 1 ? 1 << UInt64($1.offset) : 0) } }
        var expected: [String: Double] = [:]
        for c in reference.perfectCircuits {
            expected["\(c.nodeMasks.dropFirst().map(bits))|\(c.edgeMasks.map { $0.map(bits) })"] = Double(c.groundings)
        }
        let listed = try #require(out.circuits), counts = try #require(out.groundings.perCircuit)
        #expect(listed.count == 85 && counts.count == 85)
        for (c, g) in zip(listed, counts) { #expect(expected["\(c.nodes)|\(c.edges)"] == g) }
        #expect(out.whatThenWhere.candidateFormulas == 56)
        let mapped = reference.formulas.filter { !$0.minimalMappings.isEmpty }
        #expect(out.whatThenWhere.mapped.map(\.formula) == mapped.map(\.formula))
        #expect(out.whatThenWhere.mapped.map(\.minimalMappings) == mapped.map(\.minimalMappings.count))
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
