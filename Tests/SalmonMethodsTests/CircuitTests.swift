import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Circuit enumeration (Méloux et al. 2025, semantics of REFERENCES.md): the candidate counts, hand-
/// counted perfect circuits, and agreement with a direct forward pass of every circuit.
@Suite struct CircuitTests {
    static func mlp(_ sizes: [Int], weights: [[Float]], biases: [[Float]]) -> MLP {
        let layers = (0..<(sizes.count - 1)).map { i in
            Linear(weight: Tensor(shape: [sizes[i + 1], sizes[i]], scalars: weights[i]), bias: Tensor(shape: [sizes[i + 1]], scalars: biases[i]))
        }
        return MLP(layers: layers, hiddenActivation: .leakyReLU(slope: 0.01), outputActivation: .leakyReLU(slope: 0.01))
    }

    @Test func candidateCountsMatchTheClosedForms() {
        #expect(CircuitEnumerator.candidateCount(sizes: [2, 3, 3, 1]) == 3_000)
        #expect(CircuitEnumerator.candidateCount(sizes: [2, 4, 4, 1]) == 1_067_648)
        #expect(CircuitEnumerator.candidateCount(sizes: [2, 5, 5, 1]) == 1_247_432_400)
        #expect(CircuitEnumerator.candidateCount(sizes: [2, 2, 1]) == 2)
        #expect(CircuitEnumerator.candidateCount(sizes: [2, 3, 1]) == 24)
        #expect(CircuitEnumerator.coveringMatrices(rows: 3, columns: 3) == 265)
    }

    static let and: [Float] = [0, 0, 0, 1]

    /// [2, 2, 1] computing AND twice over (h0 = h1 = LReLU(x0 + x1 − 1), out = LReLU(0.6 h0 + 0.6 h1)):
    /// the candidates are "h0 alone" and "h1 alone" (keeping both nodes is the full network, which
    /// is not a candidate), both perfect (0.6 rounds to 1), both minimal, sharing only the output.
    @Test func andWithARedundantPath() throws {
        let model = Self.mlp([2, 2, 1], weights: [[1, 1, 1, 1], [0.6, 0.6]], biases: [[-1, -1], [0]])
        let census = try CircuitEnumerator(model: model, validation: .booleanGate(Self.and)).run()
        #expect(census.candidates == 2 && census.perfectCount == 2)
        let stats = census.statistics()
        #expect(stats.minimal == [0, 1])
        #expect(stats.meanJaccard == 1.0 / 9.0)  // {out} of {h0, h1, out, 4 + 2 edges… } : 1 shared of 9
        #expect(stats.containmentFraction == 0)
    }

    /// [2, 3, 1]: h0 and h1 compute AND, h2 = LReLU(x0 + x1) has output weight 0. Of the 24
    /// candidates, by hand: h0 alone and h1 alone (2); {h0, h1} with at least one of them reading
    /// both inputs (5 of its 7 edge masks); {h0, h2} and {h1, h2} with the AND node reading both
    /// inputs (3 each). 13 perfect circuits, of which the two single-node ones are minimal.
    @Test func handCountedPerfectCircuits() throws {
        let model = Self.mlp([2, 3, 1], weights: [[1, 1, 1, 1, 1, 1], [0.6, 0.6, 0]], biases: [[-1, -1, 0], [0]])
        let census = try CircuitEnumerator(model: model, validation: .booleanGate(Self.and)).run()
        #expect(census.candidates == 24)
        #expect(census.perfectCount == 13)
        let stats = census.statistics()
        #expect(stats.minimal.count == 2)
        #expect(stats.minimal.allSatisfy { census.perfect[$0].nodeCount == 2 && census.perfect[$0].edgeCount == 3 })
    }

    /// Every candidate of a [2, 3, 3, 1] network, enumerated independently here and run through
    /// the ordinary masked forward pass: the same 3,000 candidates and the same perfect circuits.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func agreesWithTheMaskedForwardPassOfEveryCandidate(seed: UInt64) throws {
        let model = MLP(sizes: [2, 3, 3, 1], hiddenActivation: .leakyReLU(slope: 0.01), outputActivation: .leakyReLU(slope: 0.01),
                        stream: RandomStream(seed: seed))
        // Targets: the full network's own rounded outputs, so that many circuits can be perfect.
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let own = model(x).scalars.map { $0.rounded(.toNearestOrEven) }
        let validation = CircuitValidation(inputs: x, targets: own)
        let census = try CircuitEnumerator(model: model, validation: validation).run(jobs: 2)
        #expect(census.candidates == 3_000)

        var expected: [Circuit] = []
        var candidates = 0
        func subsets(_ width: Int) -> [UInt64] { (1..<(UInt64(1) << UInt64(width))).map { $0 } }
        func coverings(rows: [Int], lower: UInt64) -> [[UInt64]] {
            var out: [[UInt64]] = [[]]
            for _ in rows {
                out = out.flatMap { prefix in (1...lower).filter { $0 & ~lower == 0 }.map { prefix + [$0] } }
            }
            return out.filter { $0.reduce(0, |) == lower }
        }
        for s1 in subsets(3) {
            for s2 in subsets(3) where !(s1 == 7 && s2 == 7) {
                let n1 = (0..<3).filter { s1 >> UInt64($0) & 1 == 1 }, n2 = (0..<3).filter { s2 >> UInt64($0) & 1 == 1 }
                for e1 in coverings(rows: n1, lower: 3) {
                    for e2 in coverings(rows: n2, lower: s1) {
                        var rows1 = [UInt64](repeating: 0, count: 3), rows2 = [UInt64](repeating: 0, count: 3)
                        for (t, j) in n1.enumerated() { rows1[j] = e1[t] }
                        for (t, j) in n2.enumerated() { rows2[j] = e2[t] }
                        let circuit = Circuit(nodes: [s1, s2, 1], edges: [rows1, rows2, [s2]])
                        candidates += 1
                        let out = model.forward(x, hooks: circuit.hooks(sizes: [2, 3, 3, 1])).output.scalars
                        if validation.isPerfect(out) { expected.append(circuit) }
                    }
                }
            }
        }
        #expect(candidates == 3_000)
        #expect(expected.count > 1, "seed \(seed): the comparison needs perfect circuits")
        #expect(census.perfectCount == Double(expected.count))
        #expect(Set(census.perfect) == Set(expected), "seed \(seed): \(census.perfect.count) vs \(expected.count)")
        // Listed once each, in a fixed order for any number of workers.
        #expect(census.perfect == (try CircuitEnumerator(model: model, validation: validation).run(jobs: 1)).perfect)
    }

    @Test func refusesWhatItCannotEnumerate() {
        let wide = MLP(sizes: [2, 17, 1], stream: RandomStream(seed: 1))
        #expect(throws: MethodError.self) { try CircuitEnumerator(model: wide, validation: .xor) }
        let twoOutputs = MLP(sizes: [2, 3, 2], stream: RandomStream(seed: 1))
        #expect(throws: MethodError.self) { try CircuitEnumerator(model: twoOutputs, validation: .xor) }
    }
}

/// Greedy pruning (ACDC-like) on networks whose perfect circuits are known from enumeration.
@Suite struct GreedyCircuitSearchTests {
    /// AND twice over: removing either hidden node keeps the task, so restarts (different orders,
    /// ties to the earlier component) end in different one-node circuits.
    @Test func restartsFindTheRedundantAlternatives() throws {
        let model = CircuitTests.mlp([2, 2, 1], weights: [[1, 1, 1, 1], [0.6, 0.6]], biases: [[-1, -1], [0]])
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let problem = GreedyCircuitSearch.mlpNodes(model, inputs: x, targets: [0, 0, 0, 1], ablation: .zero)
        #expect(problem.components == ["layers.0.post[0]", "layers.0.post[1]"])
        let result = try GreedyCircuitSearch(threshold: 0.99, restarts: 8, seed: 3).run(problem)
        #expect(result.fullAccuracy == 1)
        #expect(result.circuits.allSatisfy { $0.kept.count == 1 && $0.faithfulness == 1 })
        #expect(result.distinct == 2, "\(result.circuits.map(\.kept))")
    }

    /// Edge pruning on a PyTorch-trained XOR network ends, once nodes left without inputs or outputs
    /// are dropped with their edges, in one of the perfect circuits the enumeration finds.
    @Test(arguments: ["xor-2-3-3-1-seed0", "xor-2-3-3-1-seed1", "xor-2-3-3-1-seed2"])
    func edgePruningEndsInAPerfectCircuit(_ model: String) throws {
        let (mlp, _) = try CircuitReferenceTests.load(model, architecture: "architecture.json")
        let census = try CircuitEnumerator(model: mlp, validation: .xor).run()
        let perfect = Set(census.perfect)
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let problem = GreedyCircuitSearch.mlpEdges(mlp, inputs: x, targets: [0, 1, 1, 0])
        #expect(problem.components.count == 6 + 9 + 3)
        let result = try GreedyCircuitSearch(restarts: 4, seed: 1).run(problem)
        for found in result.circuits {
            var rows: [[UInt64]] = [[0, 0, 0], [0, 0, 0], [0]]
            var offset = 0
            for (l, (outs, ins)) in [(3, 2), (3, 3), (1, 3)].enumerated() {
                for o in 0..<outs { for i in 0..<ins where found.kept.contains(offset + o * ins + i) { rows[l][o] |= 1 << UInt64(i) } }
                offset += outs * ins
            }
            // Drop nodes without inputs (removed by the search's semantics) or outputs (irrelevant),
            // from the top down, until every kept node has both.
            for _ in 0..<3 {
                for l in 0..<2 {
                    for o in 0..<3 {
                        let hasInput = rows[l][o] != 0
                        let hasOutput = rows[l + 1].contains { $0 >> UInt64(o) & 1 == 1 }
                        if !hasInput || !hasOutput {
                            rows[l][o] = 0
                            for j in rows[l + 1].indices { rows[l + 1][j] &= ~(UInt64(1) << UInt64(o)) }
                        }
                    }
                }
            }
            let nodes1 = rows[0].enumerated().reduce(UInt64(0)) { $0 | ($1.element != 0 ? 1 << UInt64($1.offset) : 0) }
            let nodes2 = rows[1].enumerated().reduce(UInt64(0)) { $0 | ($1.element != 0 ? 1 << UInt64($1.offset) : 0) }
            let circuit = Circuit(nodes: [nodes1, nodes2, 1], edges: rows)
            #expect(found.faithfulness >= 0.99)
            if nodes1 == 7 && nodes2 == 7 {
                // Every node kept: not a candidate by the enumeration rule (which leaves out the
                // all-kept node combination), so check it directly.
                let out = mlp.forward(x, hooks: circuit.hooks(sizes: [2, 3, 3, 1])).output.scalars
                #expect(CircuitValidation.xor.isPerfect(out), "\(model) restart \(found.restart): \(circuit)")
            } else {
                #expect(perfect.contains(circuit), "\(model) restart \(found.restart): \(circuit) is not a perfect circuit")
            }
        }
    }

    /// Heads and MLP blocks of a small transformer, with each ablation; resample ablation is a
    /// function of its stream.
    @Test(arguments: GreedyCircuitSearch.Ablation.allCases)
    func transformerComponentsAreSearched(_ ablation: GreedyCircuitSearch.Ablation) throws {
        let config = TransformerConfiguration(vocabulary: 7, context: 4, dimension: 8, heads: 2, layers: 2)
        let model = Transformer(config, stream: RandomStream(seed: 5))
        var s = RandomStream(seed: 6)
        let batch = 24, length = 4
        let tokens = (0..<(batch * length)).map { _ in s.index(below: 7) }
        // Targets: the model's own predictions, so the full model is right everywhere.
        let logits = model.forward(tokens: tokens, batch: batch, length: length).logits
        let targets = (0..<batch).map { b -> Int in
            let row = (b * length + length - 1) * 7
            return (0..<7).max { logits.scalars[row + $0] < logits.scalars[row + $1] } ?? 0
        }
        let problem = GreedyCircuitSearch.transformerComponents(model, tokens: tokens, batch: batch, length: length,
                                                                targets: targets, ablation: ablation)
        #expect(problem.components.count == 2 * (2 + 1))
        let search = GreedyCircuitSearch(threshold: 0.9, restarts: 2, seed: 2)
        let result = try search.run(problem)
        #expect(result.fullAccuracy == 1)
        #expect(result.circuits.allSatisfy { $0.faithfulness >= 0.9 })
        #expect(try search.run(problem) == result)
    }
}
