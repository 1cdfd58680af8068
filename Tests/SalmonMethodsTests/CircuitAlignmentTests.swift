import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Circuit overlap up to relabeling of hidden units: hand-built circuits with known answers, a
/// network and a relabeled copy of it (overlap 1, the same perfect circuits relabeled), and the
/// orbit search against a brute-force maximum over every relabeling.
@Suite struct CircuitAlignmentTests {
    /// [2, 2, 1]: A keeps h0 with both input edges (nodes h0, out; edges x0→h0, x1→h0, h0→out: 5
    /// elements); B keeps h1 with the edge from x0 only (h1, out; x0→h1, h1→out: 4). Plain Jaccard:
    /// only `out` is shared, 1/8. Swapping h0 and h1 maps B onto {h0, out, x0→h0, h0→out} ⊂ A: 4/5.
    @Test func handBuiltCircuitsHaveTheirHandComputedOverlap() throws {
        let sizes = [2, 2, 1]
        let a = Circuit(nodes: [0b01, 0b1], edges: [[0b11, 0], [0b01]])
        let b = Circuit(nodes: [0b10, 0b1], edges: [[0, 0b01], [0b10]])
        #expect(a.elements(sizes: sizes).count == 5 && b.elements(sizes: sizes).count == 4)
        #expect(a.elements(sizes: sizes).jaccard(b.elements(sizes: sizes)) == 1.0 / 8.0)
        let alignment = try CircuitAlignment(sizes: sizes)
        #expect(alignment.relabelings.count == 2)
        #expect(alignment.bestOverlap(a, b) == 4.0 / 5.0)
        #expect(alignment.bestOverlap(b, a) == 4.0 / 5.0)
        let set = try #require(alignment.bestOverlap([alignment.orbit(a)], [alignment.orbit(b)]))
        #expect(set.best == 0.8 && !set.sharesCircuit)
    }

    /// The AND network with a redundant path (CircuitTests.andWithARedundantPath): its two perfect
    /// circuits, "h0 alone" and "h1 alone", overlap by 1/9 as labeled and are one circuit up to
    /// relabeling.
    @Test func theTwoRedundantAndPathsAreOneCircuitUpToRelabeling() throws {
        let model = CircuitTests.mlp([2, 2, 1], weights: [[1, 1, 1, 1], [0.6, 0.6]], biases: [[-1, -1], [0]])
        let census = try CircuitEnumerator(model: model, validation: .booleanGate(CircuitTests.and)).run()
        #expect(census.perfect.count == 2)
        let alignment = try CircuitAlignment(sizes: [2, 2, 1])
        let (c0, c1) = (census.perfect[0], census.perfect[1])
        #expect(c0.elements(sizes: [2, 2, 1]).jaccard(c1.elements(sizes: [2, 2, 1])) == 1.0 / 9.0)
        #expect(alignment.bestOverlap(c0, c1) == 1)
        #expect(alignment.orbit(c0).canonical == alignment.orbit(c1).canonical)
        #expect(alignment.orbit(c0).size == 2)
        let set = try #require(alignment.bestOverlap([alignment.orbit(c0)], [alignment.orbit(c1)]))
        #expect(set.best == 1 && set.sharesCircuit)
    }

    /// A random [2, 3, 3, 1] network judged against its own rounded outputs (so that many circuits
    /// are perfect), and the same network with its hidden units permuted: the same function, the
    /// perfect circuits of the copy are exactly the relabeled perfect circuits of the original, and
    /// every circuit has overlap 1 with its image, although the labeled overlap is below 1.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func aRelabeledCopyHasTheSameCircuitsRelabeled(seed: UInt64) throws {
        let sizes = [2, 3, 3, 1]
        let model = MLP(sizes: sizes, hiddenActivation: .leakyReLU(slope: 0.01), outputActivation: .leakyReLU(slope: 0.01),
                        stream: RandomStream(seed: seed))
        let relabeling = HiddenUnitRelabeling(permutations: [[2, 0, 1], [1, 2, 0]])
        let copy = relabeling.apply(to: model)
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = model(x).scalars, yCopy = copy(x).scalars
        for (u, v) in zip(y, yCopy) { #expect(abs(u - v) <= 1e-6 * max(1, abs(u))) }
        let table = y.map { $0.rounded(.toNearestOrEven) }
        let validation = CircuitValidation.booleanGate(table)
        let original = try CircuitEnumerator(model: model, validation: validation).run()
        let relabeled = try CircuitEnumerator(model: copy, validation: validation).run()
        #expect(original.perfectCount > 1)
        #expect(Set(relabeled.perfect) == Set(original.perfect.map { relabeling.apply(to: $0, sizes: sizes) }))

        let alignment = try CircuitAlignment(sizes: sizes)
        var labeledBelowOne = 0
        for c in original.perfect {
            let image = relabeling.apply(to: c, sizes: sizes)
            #expect(alignment.bestOverlap(c, image) == 1)
            if c.elements(sizes: sizes).jaccard(image.elements(sizes: sizes)) < 1 { labeledBelowOne += 1 }
        }
        #expect(labeledBelowOne > 0)
        let set = try #require(alignment.bestOverlap(original.perfect.map(alignment.orbit), relabeled.perfect.map(alignment.orbit)))
        #expect(set.best == 1 && set.sharesCircuit)
    }

    /// The orbit search (position maps, deduplicated orbits, pruning, early exit) against the
    /// definition: the maximum over every relabeling of the labeled Jaccard overlap, for the perfect
    /// circuits of two unrelated random networks.
    @Test func theOrbitSearchEqualsTheBruteForceMaximum() throws {
        let sizes = [2, 3, 3, 1]
        func circuits(_ seed: UInt64) throws -> [Circuit] {
            let model = MLP(sizes: sizes, hiddenActivation: .leakyReLU(slope: 0.01), outputActivation: .leakyReLU(slope: 0.01),
                            stream: RandomStream(seed: seed))
            let table = model(Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])).scalars.map { $0.rounded(.toNearestOrEven) }
            return Array(try CircuitEnumerator(model: model, validation: .booleanGate(table)).run().perfect.prefix(12))
        }
        let a = try circuits(11), b = try circuits(12)
        #expect(a.count >= 4 && b.count >= 4)
        let alignment = try CircuitAlignment(sizes: sizes)
        let all = HiddenUnitRelabeling.all(sizes: sizes)
        #expect(all.count == 36 && Set(all).count == 36)
        var bestOfAll = 0.0
        for c in a {
            for d in b {
                let brute = all.map { c.elements(sizes: sizes).jaccard($0.apply(to: d, sizes: sizes).elements(sizes: sizes)) }.max() ?? -1
                #expect(alignment.bestOverlap(c, d) == brute)
                bestOfAll = max(bestOfAll, brute)
            }
        }
        let set = try #require(alignment.bestOverlap(a.map(alignment.orbit), b.map(alignment.orbit)))
        #expect(set.best == bestOfAll)
        #expect(set.sharesCircuit == (bestOfAll == 1))
    }

    @Test func relabelingCountsAndLimits() throws {
        #expect(HiddenUnitRelabeling.count(sizes: [2, 5, 5, 1]) == 14_400)
        #expect(HiddenUnitRelabeling.all(sizes: [2, 3, 1]).count == 6)
        #expect(try CircuitAlignment(sizes: [2, 4, 4, 1]).relabelings.count == 576)
        #expect(throws: MethodError.self) { try CircuitAlignment(sizes: [2, 7, 7, 1]) }
        #expect(try CircuitAlignment(sizes: [2, 2, 1]).bestOverlap([], []) == nil)
    }
}
