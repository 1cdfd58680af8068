import Foundation
import Testing
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// Distributed alignment search: the alignment maps' identities (a RevNet's inverse, a full-width
/// rotation is activation patching), their gradients against finite differences, the rotation's
/// orthogonality after training, and the search finding a variable a network is built to hold.
@Suite struct DistributedAlignmentSearchTests {
    static let configuration = TransformerConfiguration(vocabulary: 10, context: 4, dimension: 8, heads: 2, layers: 2)

    /// Hierarchical-equality pairs for the variable left = (a = b): base and source independent
    /// draws, the answer (source.left = base.right) as a token, the other answer as the contrast.
    static func pairs(_ count: Int, seed: UInt64, vocabulary: Int = 10) -> InterchangePairs {
        let data = SyntheticTasks.hierarchicalEquality(vocabulary: vocabulary, examples: 2 * count, stream: RandomStream(seed: seed))
        let tokens = data.inputs.scalars.map { Int($0) }, v = data.groundTruth["variables"]?.scalars ?? []
        var p = InterchangePairs(base: [], source: [], correct: [], wrong: [])
        for r in 0..<count {
            let b = 2 * r, s = 2 * r + 1
            p.base.append(Array(tokens[(4 * b)..<(4 * b + 4)]))
            p.source.append(Array(tokens[(4 * s)..<(4 * s + 4)]))
            let answer = v[2 * s] == v[2 * b + 1] ? 1 : 0
            p.correct.append(answer)
            p.wrong.append(1 - answer)
        }
        return p
    }

    @Test func theTaskIsBalancedAndItsLabelIsTheEqualityOfItsVariables() {
        let data = SyntheticTasks.hierarchicalEquality(vocabulary: 10, examples: 4000, stream: RandomStream(seed: 3))
        let t = data.inputs.scalars.map { Int($0) }, v = data.groundTruth["variables"]?.scalars.map { Int($0) } ?? []
        var ones = 0, left = 0
        for e in 0..<4000 {
            let l = t[4 * e] == t[4 * e + 1], r = t[4 * e + 2] == t[4 * e + 3]
            #expect(v[2 * e] == (l ? 1 : 0) && v[2 * e + 1] == (r ? 1 : 0))
            #expect(Int(data.targets.scalars[e]) == (l == r ? 1 : 0))
            #expect(t[(4 * e)..<(4 * e + 4)].allSatisfy { (2..<10).contains($0) })
            ones += l == r ? 1 : 0
            left += l ? 1 : 0
        }
        // Binomial(4000, ½): ± 4 standard deviations is ± 126.
        #expect(abs(ones - 2000) < 126 && abs(left - 2000) < 126)
    }

    @Test func aRevNetsInverseInvertsItAndARotationStaysOrthogonal() {
        var s = RandomStream(seed: 4)
        let center = (0..<7).map { _ in s.gaussian() }, scale = (0..<7).map { _ in 0.5 + s.uniform() }
        let map = RevNetAlignment(dimension: 7, intervened: 3, hidden: 6, couplings: 3, center: center, scale: scale, stream: RandomStream(seed: 5))
        for _ in 0..<20 {
            let h = (0..<7).map { _ in 2 * s.gaussian() }
            let back = map.activation(map.coordinates(h))
            #expect(zip(h, back).allSatisfy { abs($0 - $1) <= 1e-10 })
        }
        // Intervening on every coordinate gives the source, on none (k = d with equal inputs) the base.
        let full = RevNetAlignment(dimension: 7, intervened: 7, hidden: 6, couplings: 3, center: center, scale: scale, stream: RandomStream(seed: 5))
        let base = (0..<14).map { _ in s.gaussian() }, source = (0..<14).map { _ in s.gaussian() }
        #expect(zip(full.intervene(base: base, source: source, count: 2), source).allSatisfy { abs($0 - $1) <= 1e-10 })
        let rotation = RotationAlignment(dimension: 9, intervened: 4, stream: RandomStream(seed: 6))
        #expect(rotation.orthogonalityError <= 1e-12)
        let all = RotationAlignment(dimension: 7, intervened: 7, stream: RandomStream(seed: 6))
        #expect(zip(all.intervene(base: base, source: source, count: 2), source).allSatisfy { abs($0 - $1) <= 1e-12 })
    }

    /// dL/dθ of each map against central differences, for L = Σ w ⊙ h′ (exact in `Double`).
    @Test func theMapsGradientsAreTheFiniteDifferences() {
        var s = RandomStream(seed: 7)
        let d = 6, n = 3
        let base = (0..<(n * d)).map { _ in s.gaussian() }, source = (0..<(n * d)).map { _ in s.gaussian() }
        let weights = (0..<(n * d)).map { _ in s.gaussian() }
        func check<M: AlignmentMap>(_ map: M) {
            let analytic = map.parameterGradient(base: base, source: source, count: n, outputGradient: weights)
            for i in stride(from: 0, to: map.parameters.count, by: max(1, map.parameters.count / 40)) {
                var plus = map, minus = map
                plus.parameters[i] += 1e-6
                minus.parameters[i] -= 1e-6
                let lp = zip(plus.intervene(base: base, source: source, count: n), weights).map(*).reduce(0, +)
                let lm = zip(minus.intervene(base: base, source: source, count: n), weights).map(*).reduce(0, +)
                let numeric = (lp - lm) / 2e-6
                #expect(abs(numeric - analytic[i]) <= 1e-6 * max(1, abs(numeric)), "\(M.self) parameter \(i): \(analytic[i]) vs \(numeric)")
            }
        }
        check(RotationAlignment(dimension: d, intervened: 2, stream: RandomStream(seed: 8)))
        check(RevNetAlignment(dimension: d, intervened: 2, hidden: 5, couplings: 2, center: [Double](repeating: 0.1, count: d),
                              scale: [Double](repeating: 0.7, count: d), stream: RandomStream(seed: 9)))
    }

    /// A rotation over the whole width swaps the whole activation: the intervened run is the base
    /// run with that position patched from the source, which ``ActivationPatching`` computes.
    @Test func aFullWidthRotationIsActivationPatchingAtThatPosition() throws {
        let model = Transformer(Self.configuration, stream: RandomStream(seed: 10))
        let pairs = Self.pairs(12, seed: 11)
        for (site, position) in [("blocks.0.resid", 1), ("blocks.1.mlp.out", 3), ("embed", 0)] {
            let search = try DistributedAlignmentSearch(model: model, site: site, position: position, length: 4)
            let map = RotationAlignment(dimension: search.width, intervened: search.width, stream: RandomStream(seed: 12))
            let intervened = try search.logitDifferences(map, pairs: pairs)
            let patching = try ActivationPatching(model: model, clean: pairs.source.flatMap { $0 }, corrupted: pairs.base.flatMap { $0 },
                                                  batch: 12, length: 4, correct: pairs.correct, wrong: pairs.wrong)
            let patched = try patching.patchedDifferences(.position(site: site, position: position))
            #expect(zip(intervened, patched).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "\(site)@\(position)")
        }
    }

    /// The loss's gradient through the frozen model, against central differences of the `Float`
    /// forward pass (a tolerance for its rounding).
    @Test func theGradientThroughTheModelIsTheFiniteDifference() throws {
        let model = Transformer(Self.configuration, stream: RandomStream(seed: 13))
        let pairs = Self.pairs(10, seed: 14)
        let search = try DistributedAlignmentSearch(model: model, site: "blocks.0.resid", position: 3, length: 4)
        let map = RotationAlignment(dimension: 8, intervened: 3, stream: RandomStream(seed: 15))
        let (_, analytic) = try search.lossAndGradient(map, pairs: pairs)
        let largest = analytic.map(abs).max() ?? 0
        #expect(largest > 0)
        for i in 0..<map.parameters.count {
            var plus = map, minus = map
            plus.parameters[i] += 1e-2
            minus.parameters[i] -= 1e-2
            let numeric = (try search.lossAndGradient(plus, pairs: pairs).loss - search.lossAndGradient(minus, pairs: pairs).loss) / 2e-2
            #expect(abs(numeric - analytic[i]) <= 0.02 * largest + 1e-5, "parameter \(i): \(analytic[i]) vs \(numeric)")
        }
    }

    @Test func trainingARotationKeepsItOrthogonalAndLowersTheLoss() throws {
        let model = Transformer(Self.configuration, stream: RandomStream(seed: 16))
        let pairs = Self.pairs(64, seed: 17)
        let search = try DistributedAlignmentSearch(model: model, site: "blocks.1.resid", position: 3, length: 4)
        let (fitted, losses) = try search.fit(RotationAlignment(dimension: 8, intervened: 2, stream: RandomStream(seed: 18)), pairs: pairs,
                                              training: AlignmentTraining(epochs: 30, batchSize: 16, learningRate: 0.05), stream: RandomStream(seed: 19))
        #expect(fitted.orthogonalityError <= 1e-6)
        #expect(losses.count == 30 && losses.last! < losses.first!)
    }
}
