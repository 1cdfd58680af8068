import Foundation
import SalmonMethods
import SalmonNetworks
import Testing

/// Groundings of every perfect circuit of PyTorch-trained XOR networks against Méloux et al.'s
/// published code run on the same weights (`Fixtures/circuits/groundings_reference.py`, commit
/// c08b08d of MI-identifiability): the perfect circuits, the number of groundings of each, and
/// for circuits with at most 64 groundings the list itself, in order.
@Suite struct CircuitGroundingTests {
    struct ReferenceAssignment: Decodable { var layer: Int; var node: Int; var separator: Double; var table: [Entry] }
    /// `[[inputs…], bit]`.
    struct Entry: Decodable {
        var pattern: [Int]
        var bit: Int
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            pattern = try c.decode([Int].self)
            bit = try c.decode(Int.self)
        }
    }
    struct ReferenceCircuit: Decodable {
        var nodeMasks: [[Int]]
        var edgeMasks: [[[Int]]]
        var groundings: Int
        var groundingList: [[ReferenceAssignment]]?
    }
    struct Reference: Decodable { var model: String; var perfectCircuits: [ReferenceCircuit] }

    static let directory = Fixture.directory.appendingPathComponent("circuits")

    /// Every network the reference script grounded.
    static let models: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("groundings-xor") && $0.hasSuffix(".json") }
            .map { String($0.dropFirst("groundings-".count).dropLast(".json".count)) }.sorted()
    }()

    static func load(_ model: String) throws -> (MLP, Reference) { try load(model, as: Reference.self) }

    /// A reference network and its `groundings-<model>.json`, decoded as `T`.
    static func load<T: Decodable>(_ model: String, as type: T.Type) throws -> (MLP, T) {
        guard case .mlp(let mlp) = try StateDict.load(path: directory.appendingPathComponent("\(model).safetensors").path,
                                                      architecturePath: directory.appendingPathComponent("architecture.json").path) else {
            throw MethodError("not an MLP")
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("groundings-\(model).json"))
        return (mlp, try JSONDecoder().decode(T.self, from: data))
    }

    static func circuit(_ c: ReferenceCircuit) -> Circuit {
        func bits(_ row: [Int]) -> UInt64 { row.enumerated().reduce(0) { $0 | ($1.element == 1 ? 1 << UInt64($1.offset) : 0) } }
        return Circuit(nodes: c.nodeMasks.dropFirst().map(bits), edges: c.edgeMasks.map { $0.map(bits) })
    }

    @Test func theReferenceCoversFifteenNetworks() {
        #expect(Self.models.count == 15)
    }

    @Test(arguments: models)
    func groundingCountsEqualThePublishedCode(_ model: String) throws {
        let (mlp, reference) = try Self.load(model)
        let census = try CircuitEnumerator(model: mlp, validation: .xor).run(jobs: 1)
        let published = reference.perfectCircuits.map(Self.circuit)
        // The same perfect circuits as the published enumeration.
        #expect(Set(census.perfect) == Set(published))
        #expect(census.perfect.count == published.count)
        var differences = 0
        for (circuit, expected) in zip(published, reference.perfectCircuits) {
            let groundings = try CircuitGroundings(model: mlp, circuit: circuit)
            let count = try groundings.count()
            if count != Double(expected.groundings) { differences += 1 }
            #expect(count == Double(expected.groundings), "\(model): \(circuit)")
            guard let list = expected.groundingList else { continue }
            let ours = groundings.list()
            #expect(ours.count == list.count)
            for (g, e) in zip(ours, list) {
                #expect(g.assignments.count == e.count)
                for (a, b) in zip(g.assignments, e) {
                    #expect(a.layer == b.layer && a.node == b.node)
                    // Activations are float32 sums in another order than PyTorch's (BLAS), so a
                    // separator may differ in its last bits; which rows it splits may not.
                    #expect(abs(Double(a.separator) - b.separator) <= 4e-7 * max(1, abs(b.separator)))
                    let table = b.table.sorted { $0.pattern.lexicographicallyPrecedes($1.pattern) }.map { UInt8($0.bit) }
                    #expect(a.table == table)
                }
            }
        }
        #expect(differences == 0)
    }

    /// The transfer-matrix count equals the number of groundings listed, on every circuit of every
    /// reference network with at most 200,000 groundings (listed, not counted).
    @Test func theCountEqualsTheListedGroundings() throws {
        var compared = 0
        for model in Self.models.prefix(4) {
            let (mlp, reference) = try Self.load(model)
            for c in reference.perfectCircuits where c.groundings <= 200_000 {
                let g = try CircuitGroundings(model: mlp, circuit: Self.circuit(c))
                #expect(Double(g.list(limit: 300_000).count) == (try g.count()))
                compared += 1
            }
        }
        #expect(compared > 30)
    }
}

/// The explanation statistics from grounding counts, exact and from a sample.
@Suite struct GroundingStatisticsTests {
    @Test func figuresFromCounts() throws {
        // Three perfect circuits with 1, 4 and 0 groundings: 5 explanations.
        let g = try GroundingStatistics(groundings: [1, 4, 0], perfectCircuits: 3)
        #expect(!g.sampled && g.explanations == 5 && g.circuitsWithMultipleGroundings == 1)
        #expect(g.fractionWithMultipleGroundings == 1.0 / 3)
        #expect(abs((g.explanationEntropy ?? .nan) - log2(5)) < 1e-15)
        let h = -(0.2 * log2(0.2) + 0.8 * log2(0.8))
        #expect(abs((g.circuitEntropy ?? .nan) - h) < 1e-15)
        // A sample of 2 of 10 circuits: N̂ = 10/2 · 8 = 40, Ĥ(C) = log₂ 40 − (2 log₂ 2 + 6 log₂ 6)/8.
        let s = try GroundingStatistics(groundings: [2, 6], perfectCircuits: 10)
        #expect(s.sampled && s.explanations == 40 && s.fractionWithMultipleGroundings == 1)
        #expect(s.groundedExplanations == 8 && s.hasSeveralExplanations)
        // A sample holding one explanation cannot tell one from several: N̂ = 5, not "several".
        let thin = try GroundingStatistics(groundings: [1], perfectCircuits: 5)
        #expect(thin.explanations == 5 && !thin.hasSeveralExplanations)
        let within: Double = (2 + 6 * log2(6.0)) / 8
        let expected: Double = log2(40.0) - within
        #expect(abs((s.circuitEntropy ?? .nan) - expected) < 1e-12)
        // One circuit with one grounding: identifiable, 0 bits; none: no entropy at all.
        let one = try GroundingStatistics(groundings: [1], perfectCircuits: 1)
        #expect(one.explanations == 1 && one.explanationEntropy == 0 && one.circuitEntropy == 0)
        let none = try GroundingStatistics(groundings: [], perfectCircuits: 0)
        #expect(none.explanations == 0 && none.explanationEntropy == nil && none.fractionWithMultipleGroundings == nil)
        #expect(throws: MethodError.self) { try GroundingStatistics(groundings: [1, .nan], perfectCircuits: 2) }
        #expect(throws: MethodError.self) { try GroundingStatistics(groundings: [1, 2], perfectCircuits: 1) }
    }
}

/// A uniform sample of perfect circuits (bottom-k by a seeded hash): the enumerator's sample is
/// the k smallest keys of all perfect circuits, whatever the workers, and every circuit enters it
/// at the rate k/P over seeds.
@Suite struct PerfectCircuitSampleTests {
    static func model(_ name: String, _ architecture: String) throws -> MLP {
        let directory = Fixture.directory.appendingPathComponent("circuits")
        guard case .mlp(let mlp) = try StateDict.load(path: directory.appendingPathComponent("\(name).safetensors").path,
                                                      architecturePath: directory.appendingPathComponent(architecture).path) else {
            throw MethodError("not an MLP")
        }
        return mlp
    }

    @Test(arguments: [("xor-2-3-3-1-seed2", "architecture.json", 20, [UInt64(1), 2]),
                      ("xor-2-4-4-1-seed0", "architecture-2-4-4-1.json", 500, [UInt64(3)])])
    func theSampleIsTheBottomKOfEveryPerfectCircuit(_ name: String, _ architecture: String, _ k: Int, _ seeds: [UInt64]) throws {
        let mlp = try Self.model(name, architecture)
        let all = try CircuitEnumerator(model: mlp, validation: .xor, keepLimit: 1_000_000).run(jobs: 2)
        #expect(all.isComplete)
        for seed in seeds {
            let expected = all.perfect.sorted { $0.sampleKey(seed: seed) < $1.sampleKey(seed: seed) }.prefix(k)
            for jobs in [1, 2] {
                var enumerator = try CircuitEnumerator(model: mlp, validation: .xor)
                enumerator.sample = (k, seed)
                let census = enumerator.run(jobs: jobs)
                #expect(census.perfectCount == all.perfectCount)
                #expect(census.candidates == all.candidates)
                #expect(census.perfect == all.perfect, "the first perfect circuits are kept as without a sample")
                #expect(census.sample?.count == expected.count)
                #expect(census.sample == Array(expected), "the sample differs from the bottom \(k)")
            }
        }
    }

    /// Over 200 seeds, a sample of 10 of the 85 perfect circuits includes each circuit
    /// Bin(200, 10/85) times if the sample is uniform: Pearson's statistic of the 85 inclusion
    /// counts is below the 99.9 % point of χ²(84) (127.9; the counts are slightly negatively
    /// dependent, which only makes the test conservative).
    @Test func everyCircuitEntersTheSampleAtTheSameRate() throws {
        let mlp = try Self.model("xor-2-3-3-1-seed2", "architecture.json")
        let all = try CircuitEnumerator(model: mlp, validation: .xor).run(jobs: 1).perfect
        #expect(all.count == 85)
        var inclusions = [Circuit: Int]()
        for seed in 0..<200 {
            var enumerator = try CircuitEnumerator(model: mlp, validation: .xor)
            enumerator.sample = (10, UInt64(seed))
            for c in enumerator.run(jobs: 1).sample ?? [] { inclusions[c, default: 0] += 1 }
        }
        let expected = 200.0 * 10 / 85
        let chiSquare = all.reduce(0.0) { $0 + pow(Double(inclusions[$1] ?? 0) - expected, 2) / expected }
        #expect(chiSquare < 127.9)
        #expect(inclusions.values.reduce(0, +) == 2000)
    }
}
