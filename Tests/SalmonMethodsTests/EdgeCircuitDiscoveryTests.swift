import Testing
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Circuit discovery by EAP: noising EAP to first order, residual graph runs that reproduce the
/// clean and corrupted runs, circuits evaluated exactly, and their overlap up to relabeled heads.
@Suite struct EdgeCircuitDiscoveryTests {
    static let configuration = TransformerConfiguration(vocabulary: 11, context: 5, dimension: 8, heads: 2, layers: 2)

    static func model(seed: UInt64 = 31) -> Transformer {
        var model = Transformer(configuration, stream: RandomStream(seed: seed))
        // Weights 8 × GPT-2's N(0, 0.02²): far from linear (as in EdgeAttributionPatchingTests).
        model.parameterArrays = model.parameterArrays.map { $0.map { $0 * 8 } }
        return model
    }

    static func patching(_ model: Transformer, seed: UInt64 = 32) throws -> ActivationPatching {
        var stream = RandomStream(seed: seed)
        let clean = (0..<24).map { _ in Int(stream.next() % 11) }
        let corrupted = clean.enumerated().map { i, t in [1, 2].contains(i % 4) ? (t + 3) % 11 : t }
        return try ActivationPatching(model: model, clean: clean, corrupted: corrupted, batch: 6, length: 4,
                                      correct: [1, 2, 3, 4, 5, 6], wrong: [7, 8, 9, 10, 0, 1])
    }

    @Test func theResidualGraphNumbersTheEdgesEdgeAttributionPatchingLists() {
        let graph = ResidualGraph(layers: 2, heads: 2)
        var pairs = 0
        for r in 0..<graph.readerCount { for w in 0..<graph.writerCount where graph.hasEdge(writer: w, reader: r) { pairs += 1 } }
        #expect(pairs == EdgeAttributionPatching.edges(layers: 2, heads: 2).count)
        #expect(graph.hasEdge(writer: graph.headWriter(block: 1, head: 1), reader: graph.mlpReader(block: 1)))
        #expect(!graph.hasEdge(writer: graph.headWriter(block: 1, head: 0), reader: graph.attentionReader(block: 1)))
        #expect(!graph.hasEdge(writer: graph.mlpWriter(block: 0), reader: graph.mlpReader(block: 0)))
    }

    /// Every edge kept is the ordinary forward pass (up to the order of summation); none kept on
    /// the clean tokens is, bit for bit, the corrupted graph run; so the whole graph's faithfulness
    /// is 1 and the empty circuit's 0, exactly.
    @Test func graphRunsReproduceTheCleanAndCorruptedRuns() throws {
        let model = Self.model()
        let patching = try Self.patching(model)
        let full = model.residualGraphRun(tokens: patching.clean, batch: 6, length: 4)
        let ordinary = model.forward(tokens: patching.clean, batch: 6, length: 4).logits
        let largest = ordinary.scalars.map { abs($0) }.max() ?? 1
        for (a, b) in zip(full.logits.scalars, ordinary.scalars) { #expect(abs(a - b) <= 1e-5 * largest) }
        let discovery = EdgeCircuitDiscovery(patching)
        for (a, b) in zip(discovery.cleanDifferences, patching.cleanDifferences) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
        #expect(try discovery.circuitDifferences(keeping: []) == discovery.corruptedDifferences)
        #expect(try discovery.faithfulness(keeping: []) == 0)
        #expect(try discovery.faithfulness(keeping: Array(discovery.edges.indices)) == 1)
        #expect(throws: MethodError.self) { try discovery.faithfulness(keeping: [discovery.edges.count]) }
    }

    /// A circuit of every edge but one is the clean run with that edge noised — the exact patch
    /// noising EAP estimates (`patchedChange`, t = 1) — and noising EAP is its derivative at t = 0.
    @Test func noisingEdgeAttributionPatchingIsExactNoisingToFirstOrder() throws {
        let patching = try Self.patching(Self.model())
        let eap = EdgeAttributionPatching(patching, direction: .noising)
        let discovery = EdgeCircuitDiscovery(patching)
        let edges = discovery.edges
        let scores = try eap.scores(edges)
        let largest = scores.map(abs).max() ?? 0
        #expect(largest > 1e-3)
        var ratios: [Double] = []
        let clean = discovery.cleanDifferences.reduce(0, +) / 6
        for (e, edge) in edges.enumerated() {
            let coarse = try eap.patchedChange(edge, scale: 0.02) / 0.02 - scores[e]
            let fine = try eap.patchedChange(edge, scale: 0.005) / 0.005 - scores[e]
            #expect(abs(fine) <= 0.02 * largest + 1e-4, "\(edge): score \(scores[e]), slope error \(fine)")
            if abs(coarse) > 0.01 * largest { ratios.append(coarse / fine) }
            #expect(try eap.patchedChange(edge, scale: 0) == 0)
            let others = edges.indices.filter { $0 != e }
            let dropped = try discovery.circuitDifferences(keeping: others).reduce(0, +) / 6 - clean
            let exact = try eap.patchedChange(edge)
            #expect(abs(dropped - exact) <= 1e-4 * max(1, abs(exact)), "\(edge): circuit without it \(dropped), noised \(exact)")
        }
        #expect(!ratios.isEmpty)
        for r in ratios { #expect(r > 2.5 && r < 6, "slope error ratio \(r) between t = 0.02 and t = 0.005") }
        // Denoising and noising scores differ (different base runs) but both are first-order estimates.
        #expect(try EdgeAttributionPatching(patching).scores(edges) != scores)
    }

    /// The threshold picks the shortest prefix of the |score| ranking that reaches it; a stated
    /// size keeps that many edges.
    @Test func discoveryKeepsTheShortestFaithfulPrefix() throws {
        let discovery = EdgeCircuitDiscovery(try Self.patching(Self.model()))
        let found = try discovery.discover(size: .faithfulness(0.8))
        #expect(found.faithfulness >= 0.8)
        #expect(found.kept == Array(found.ranking.prefix(found.kept.count)))
        #expect(found.evaluations == found.kept.count + 1)
        #expect(!found.kept.isEmpty && found.kept.count < discovery.edges.count)
        #expect(try discovery.faithfulness(keeping: Array(found.kept.dropLast())) < 0.8)
        for (a, b) in zip(found.ranking, found.ranking.dropFirst()) { #expect(abs(found.scores[a]) >= abs(found.scores[b])) }
        let three = try discovery.discover(size: .edges(3))
        #expect(three.kept == Array(found.ranking.prefix(3)) && three.evaluations == 1)
        #expect(three.faithfulness == (try discovery.faithfulness(keeping: three.kept)))
        #expect(throws: MethodError.self) { try discovery.discover(size: .edges(discovery.edges.count + 1)) }
        #expect(throws: MethodError.self) { try discovery.discover(size: .faithfulness(1.5)) }
    }

    /// Relabeling a block's heads (their q, k, v slices and W_O columns) leaves the function alone;
    /// the relabeled network's circuit is the relabeled circuit, so the aligned overlap is 1 where
    /// the plain Jaccard overlap is not.
    @Test func relabeledHeadsGiveTheRelabeledCircuit() throws {
        let model = Self.model()
        var swapped = model
        let d = 8, dh = 4
        for part in 0..<3 {
            for j in 0..<dh {
                let a = part * d + j, b = part * d + dh + j
                for k in 0..<d { swapped.blocks[0].attention.qkv.weight.scalars.swapAt(a * d + k, b * d + k) }
                swapped.blocks[0].attention.qkv.bias.scalars.swapAt(a, b)
            }
        }
        for o in 0..<d { for j in 0..<dh { swapped.blocks[0].attention.output.weight.scalars.swapAt(o * d + j, o * d + dh + j) } }
        let original = try EdgeCircuitDiscovery(Self.patching(model)).discover(size: .edges(6))
        let discovery = EdgeCircuitDiscovery(try Self.patching(swapped))
        let relabeled = try discovery.discover(size: .edges(6))
        let a = Set(original.kept.map { discovery.edges[$0] }), b = Set(relabeled.kept.map { discovery.edges[$0] })
        let swap: (EdgeAttributionPatching.Edge) -> EdgeAttributionPatching.Edge = { e in
            guard case .head(0, let h) = e.writer else { return e }
            return .init(writer: .head(block: 0, head: 1 - h), reader: e.reader)
        }
        #expect(Set(a.map(swap)) == b)
        let aligned = try EdgeCircuitOverlap(layers: 2, heads: 2)
        let plain = try EdgeCircuitOverlap(layers: 2, heads: 2, alignsHeads: false)
        #expect(aligned.overlap(a, b) == 1)
        #expect(aligned.overlap(b, a) == 1)
        // The circuit uses block 0's heads unevenly, so the labels matter (plain overlap 0.5 here).
        #expect(a != b && plain.overlap(a, b) < 1)
    }

    @Test func overlapIsTheBestJaccardOverRelabelings() throws {
        typealias E = EdgeAttributionPatching.Edge
        let overlap = try EdgeCircuitOverlap(layers: 2, heads: 3)
        let a: Set<E> = [E(writer: .head(block: 0, head: 0), reader: .attention(block: 1)), E(writer: .embeddings, reader: .logits),
                         E(writer: .head(block: 1, head: 2), reader: .logits)]
        let b: Set<E> = [E(writer: .head(block: 0, head: 2), reader: .attention(block: 1)), E(writer: .mlp(block: 0), reader: .logits),
                         E(writer: .head(block: 1, head: 0), reader: .logits)]
        // Relabel block 0's head 2 → 0 and block 1's head 0 → 2: two shared of 3 + 3 − 2 = 4.
        #expect(overlap.overlap(a, b) == 0.5)
        #expect(try EdgeCircuitOverlap(layers: 2, heads: 3, alignsHeads: false).overlap(a, b) == 0)
        #expect(overlap.overlap([], []) == 1 && overlap.overlap(a, []) == 0)
        #expect(throws: MethodError.self) { try EdgeCircuitOverlap(layers: 2, heads: 8) }
    }
}
