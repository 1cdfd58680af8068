import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Circuit enumeration on XOR models trained by PyTorch with the paper's recipe
/// (`Fixtures/circuits/train_xor.py`), against an independent Python enumeration of the same
/// weights (`Fixtures/circuits/count_circuits.py`, float64, cross-checked in float32).
@Suite struct CircuitReferenceTests {
    struct ReferenceCircuit: Decodable { var nodeMasks: [[Int]]; var edgeMasks: [[[Int]]] }
    struct Reference: Decodable {
        var candidateCircuits: Int
        var perfectCircuits: Int
        var minimalCircuits: Int
        var meanPairwiseJaccard: Double?
        var containmentPairFraction: Double?
        var meanNodeSparsity: Double?
        var meanEdgeSparsity: Double?
        var meanCombinedSparsity: Double?
        var perfectCircuitListComplete: Bool?
        var perfectCircuitList: [ReferenceCircuit]?
    }

    static let directory = Fixture.directory.appendingPathComponent("circuits")

    static func load(_ model: String, architecture: String) throws -> (MLP, Reference) {
        guard case .mlp(let mlp) = try StateDict.load(path: directory.appendingPathComponent("\(model).safetensors").path,
                                                      architecturePath: directory.appendingPathComponent(architecture).path) else {
            throw MethodError("not an MLP")
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("circuits-\(model).json"))
        return (mlp, try JSONDecoder().decode(Reference.self, from: data))
    }

    /// The reference's masks as a ``Circuit`` (node masks of layers 1…L; edge rows as bitmasks).
    static func circuit(_ c: ReferenceCircuit) -> Circuit {
        func bits(_ row: [Int]) -> UInt64 { row.enumerated().reduce(0) { $0 | ($1.element == 1 ? 1 << UInt64($1.offset) : 0) } }
        return Circuit(nodes: c.nodeMasks.dropFirst().map(bits), edges: c.edgeMasks.map { $0.map(bits) })
    }

    @Test(arguments: ["xor-2-3-3-1-seed0", "xor-2-3-3-1-seed1", "xor-2-3-3-1-seed2"])
    func widthThreeMatchesTheIndependentCount(_ model: String) throws {
        let (mlp, reference) = try Self.load(model, architecture: "architecture.json")
        let census = try CircuitEnumerator(model: mlp, validation: .xor).run(jobs: 2)
        #expect(census.candidates == Double(reference.candidateCircuits))
        #expect(census.perfectCount == Double(reference.perfectCircuits))
        let expected = Set((reference.perfectCircuitList ?? []).map(Self.circuit))
        #expect(Set(census.perfect) == expected)
        let stats = census.statistics()
        #expect(stats.minimal.count == reference.minimalCircuits)
        #expect(abs((stats.meanJaccard ?? .nan) - (reference.meanPairwiseJaccard ?? .nan)) < 1e-12)
        #expect(abs((stats.containmentFraction ?? .nan) - (reference.containmentPairFraction ?? .nan)) < 1e-12)
        func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
        #expect(abs(mean(stats.nodeSparsity) - (reference.meanNodeSparsity ?? .nan)) < 1e-12)
        #expect(abs(mean(stats.edgeSparsity) - (reference.meanEdgeSparsity ?? .nan)) < 1e-12)
        #expect(abs(mean(stats.combinedSparsity) - (reference.meanCombinedSparsity ?? .nan)) < 1e-12)
    }

    /// Width 4: 1,067,648 candidates, 59,811 perfect, one minimal circuit; the mean Jaccard from a
    /// seeded sample of 20,000 pairs within sampling error of the reference's.
    @Test func widthFourMatchesTheIndependentCount() throws {
        let (mlp, reference) = try Self.load("xor-2-4-4-1-seed0", architecture: "architecture-2-4-4-1.json")
        let census = try CircuitEnumerator(model: mlp, validation: .xor).run(jobs: 2)
        #expect(census.candidates == 1_067_648 && census.candidates == Double(reference.candidateCircuits))
        #expect(census.perfectCount == Double(reference.perfectCircuits))
        let listed = Set(census.perfect)
        #expect((reference.perfectCircuitList ?? []).map(Self.circuit).allSatisfy { listed.contains($0) })
        let stats = census.statistics(maxPairs: 20_000)
        #expect(stats.minimal.count == reference.minimalCircuits && stats.pairsSampled)
        #expect(abs((stats.meanJaccard ?? .nan) - (reference.meanPairwiseJaccard ?? .nan)) < 0.005)
    }
}
