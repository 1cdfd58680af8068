import Foundation
import SalmonStatistics

/// The circuit-hypothesis tests of Shi et al. 2024 ("Hypothesis testing the circuit hypothesis in
/// LLMs", NeurIPS; their code `circuitry`), on a circuit — a set of kept components of a
/// ``GreedyCircuitSearch/Problem`` — with per-example scores s (here correctness, 0 or 1):
///
/// - **equivalence**: the circuit and the full model are equally likely to outperform each other;
///   a two-one-sided exact binomial test on the examples where they differ (H₀: P(circuit better) ∉
///   (½ − ε, ½ + ε); a small p supports equivalence);
/// - **independence**: with the circuit knocked out, the rest of the network's scores are
///   independent of the full model's (H₀: independent); HSIC with Gaussian kernels (Gretton et al.
///   2007; bandwidths by the median heuristic) and a permutation test — a small p means the
///   complement still carries the task;
/// - **sufficiency**: the circuit is more faithful than random circuits of its size (H₀: no more
///   faithful than a random one); a Monte Carlo rank test;
/// - **minimality**: every component matters: knocking one out of the circuit lowers accuracy more
///   than knocking out a random component added to it (H₀ per component: no more than a random
///   one); Monte Carlo rank tests, Holm-corrected across the circuit's components.
///
/// Where their code computes `mean(null ≥ observed)` and leaves multiple-testing correction as a
/// for later, every Monte Carlo p-value here is (1 + b)/(1 + B) and minimality is corrected. Random
/// draws come from the stream given to each test.
public struct CircuitHypothesisTests: Sendable {
    public let problem: GreedyCircuitSearch.Problem
    /// The circuit: indices of the kept components.
    public let circuit: Set<Int>

    /// - Throws: ``MethodError`` for a component index outside the problem or an empty problem.
    public init(problem: GreedyCircuitSearch.Problem, circuit: Set<Int>) throws {
        let n = problem.components.count
        guard n >= 1 else { throw MethodError("circuit hypothesis tests: the problem has no components") }
        if let bad = circuit.first(where: { !(0..<n).contains($0) }) {
            throw MethodError("circuit hypothesis tests: component \(bad) is outside the problem's \(n) components")
        }
        self.problem = problem
        self.circuit = circuit
    }

    /// The components outside the circuit (removed when the circuit runs alone).
    public var complement: Set<Int> { Set(0..<problem.components.count).subtracting(circuit) }

    /// The result of one test: its statistic, p-value and what the p-value is made of.
    public struct Outcome: Sendable, Equatable {
        public var statistic: Double
        public var pValue: Double
        /// Monte Carlo draws or permutations (0 for an exact test).
        public var draws: Int
    }

    /// Equivalence: among the m examples where circuit and model differ, k where the circuit is
    /// better; p = max(P(Bin(m, ½ + ε) ≤ k), P(Bin(m, ½ − ε) ≥ k)) (1 when m = 0: no example
    /// separates them, and no evidence either way). The statistic is k/m (½ when m = 0).
    /// - Precondition: 0 < ε < ½.
    public func equivalence(margin epsilon: Double = 0.1) -> Outcome {
        precondition(epsilon > 0 && epsilon < 0.5, "equivalence margin in (0, ½)")
        let (better, differ) = equivalenceCounts()
        guard differ > 0 else { return Outcome(statistic: 0.5, pValue: 1, draws: 0) }
        let lower = BinomialDistribution.cdf(better, trials: differ, probability: 0.5 + epsilon)
        let upper = 1 - BinomialDistribution.cdf(better - 1, trials: differ, probability: 0.5 - epsilon)
        return Outcome(statistic: Double(better) / Double(differ), pValue: min(1, max(lower, upper)), draws: 0)
    }

    /// The counts equivalence is built on: the m examples where the circuit alone and the full
    /// model differ in score, and the k of them where the circuit is better.
    public func equivalenceCounts() -> (better: Int, differing: Int) {
        let full = problem.correctness([]), alone = problem.correctness(complement)
        var better = 0, differ = 0
        for (c, m) in zip(alone, full) where c != m {
            differ += 1
            if c > m { better += 1 }
        }
        return (better, differ)
    }

    /// Equivalence as a distance: |k/m − ½|, 0 when m = 0 (smaller: circuit and model outperform
    /// each other equally often). The Monte Carlo form of the equivalence test compares it with
    /// ``equivalenceMarginDraw(differing:margin:stream:)``: rejecting H₀ |P(circuit better) − ½| ≥ ε
    /// when the distance is small is level α at every point of H₀, because for an interval
    /// symmetric about m/2, P_p(j ≤ K ≤ m − j) falls as p moves away from ½: its derivative in p is
    /// m·C(m−1, j−1)·(pq)^{j−1}(q^{m−2j+1} − p^{m−2j+1}) (q = 1 − p), negative for p > ½, and the
    /// distributions of p and 1 − p mirror each other — so the boundary p = ½ ± ε is the least
    /// favourable (checked exactly in the tests for every m ≤ 60).
    public static func equivalenceDistance(better: Int, differing: Int) -> Double {
        // |2k − m|/(2m): k and m − k give the same bits, as the test's symmetry needs.
        differing == 0 ? 0 : Double(abs(2 * better - differing)) / Double(2 * differing)
    }

    /// One draw of the distance under the boundary of equivalence's null: K ~ Bin(m, ½ + ε) from
    /// `stream`, |K/m − ½| (0 when m = 0, a tie with the observed distance, so that p = 1: no
    /// example separates circuit and model).
    /// - Precondition: 0 < ε < ½, m ≥ 0.
    public static func equivalenceMarginDraw(differing m: Int, margin epsilon: Double, stream: inout RandomStream) -> Double {
        precondition(epsilon > 0 && epsilon < 0.5 && m >= 0, "equivalence margin in (0, ½), m ≥ 0")
        guard m > 0 else { return 0 }
        return equivalenceDistance(better: stream.binomial(trials: m, probability: 0.5 + epsilon), differing: m)
    }

    /// Independence: HSIC between the full model's scores and the scores of the network with the
    /// circuit knocked out, against `permutations` permutations of the second (from `stream`).
    public func independence(permutations: Int = 999, stream: RandomStream) -> Outcome {
        let x = problem.correctness([]), y = problem.correctness(circuit)
        let (observed, null) = Self.hsicPermutationTest(x, y, permutations: permutations, stream: stream)
        let b = null.filter { $0 >= observed - 1e-12 * max(1, abs(observed)) }.count
        return Outcome(statistic: observed, pValue: Double(1 + b) / Double(1 + permutations), draws: permutations)
    }

    /// The paired scores independence compares: the full model's, and the network's with the
    /// circuit knocked out.
    public func independenceScores() -> (full: [Double], complement: [Double]) {
        (problem.correctness([]), problem.correctness(circuit))
    }

    /// HSIC (biased estimator, trace(KHLH)/(n − 1)², Gretton et al. 2007) of `x` and `y` and its
    /// values under `permutations` permutations of `y`. Gaussian kernels, each bandwidth the
    /// median of the nonzero pairwise distances of its variable (1 when all are equal).
    public static func hsicPermutationTest(_ x: [Double], _ y: [Double], permutations: Int, stream: RandomStream) -> (observed: Double, null: [Double]) {
        precondition(permutations >= 1, "HSIC: at least one permutation")
        let hsic = HSIC(x, y)
        var s = stream
        return (hsic.value(), (0..<permutations).map { _ in hsic.value(permutedBy: &s) })
    }

    /// The Hilbert–Schmidt independence criterion of paired samples (Gretton et al. 2007, the
    /// biased estimator trace(K̃L̃)/(n − 1)² with K̃ = HKH, L̃ = HLH, H = I − 11ᵀ/n), its kernels
    /// centred once so that permutations of `y` cost O(n²) each. Gaussian kernels, each bandwidth
    /// the median of the nonzero pairwise distances of its variable (1 when all are equal).
    public struct HSIC: Sendable {
        public let count: Int
        let kx: [Double], ly: [Double]

        /// - Precondition: `x` and `y` paired, at least 2 of them.
        public init(_ x: [Double], _ y: [Double]) {
            precondition(x.count == y.count && x.count >= 2, "HSIC: paired samples of at least 2")
            count = x.count
            kx = Self.centredKernel(x)
            ly = Self.centredKernel(y)
        }

        static func centredKernel(_ v: [Double]) -> [Double] {
            let n = v.count
            var distances: [Double] = []
            for i in 0..<n { for j in (i + 1)..<n where v[i] != v[j] { distances.append(abs(v[i] - v[j])) } }
            distances.sort()
            let sigma = distances.isEmpty ? 1 : distances[distances.count / 2]
            var k = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { let d = v[i] - v[j]; k[i * n + j] = exp(-d * d / (2 * sigma * sigma)) } }
            // H K H: subtract row and column means, add the grand mean.
            var rows = [Double](repeating: 0, count: n), grand = 0.0
            for i in 0..<n { for j in 0..<n { rows[i] += k[i * n + j] }; rows[i] /= Double(n); grand += rows[i] }
            grand /= Double(n)
            for i in 0..<n { for j in 0..<n { k[i * n + j] += grand - rows[i] - rows[j] } }
            return k
        }

        /// HSIC of `x` with `y` reordered: trace(K̃ L̃_π) = Σ_ij K̃_ij L̃_{π(i)π(j)} (both symmetric).
        public func value(order: [Int]? = nil) -> Double {
            let n = count
            var total = 0.0
            if let order {
                for i in 0..<n { for j in 0..<n { total += kx[i * n + j] * ly[order[i] * n + order[j]] } }
            } else {
                for i in 0..<(n * n) { total += kx[i] * ly[i] }
            }
            return total / Double((n - 1) * (n - 1))
        }

        /// HSIC under one uniformly random permutation of `y` drawn from `stream`.
        public func value(permutedBy stream: inout RandomStream) -> Double {
            var order = Array(0..<count)
            order.shuffle(using: &stream)
            return value(order: order)
        }
    }

    /// Sufficiency: the circuit's faithfulness (its accuracy alone over the full model's) against
    /// `draws` random circuits of its size (from `stream`); p = (1 + #{random ≥ circuit})/(1 + B).
    /// - Throws: ``MethodError`` when the full model's accuracy is 0 (faithfulness undefined).
    public func sufficiency(draws: Int = 999, stream: RandomStream) throws -> Outcome {
        let full = problem.accuracy([])
        guard full > 0 else { throw MethodError("circuit hypothesis tests: the full network has accuracy 0; faithfulness is undefined") }
        let n = problem.components.count, size = circuit.count
        let observed = problem.accuracy(complement) / full
        var s = stream
        var b = 0
        for _ in 0..<draws {
            let kept = Set(s.subset(of: n, count: size))
            let value = problem.accuracy(Set(0..<n).subtracting(kept)) / full
            if value >= observed - 1e-12 { b += 1 }
        }
        return Outcome(statistic: observed, pValue: Double(1 + b) / Double(1 + draws), draws: draws)
    }

    /// One component's minimality test.
    public struct ComponentMinimality: Sendable, Equatable {
        public var component: Int
        /// accuracy(circuit) − accuracy(circuit without the component).
        public var drop: Double
        public var pValue: Double
        /// Holm-adjusted across the circuit's components.
        public var adjustedPValue: Double
    }

    /// Minimality: for each component c of the circuit, its drop δ_c = acc(C) − acc(C ∖ c), against
    /// `draws` reference drops δ_r = acc(C ∪ r) − acc(C) of a component r drawn uniformly from
    /// outside the circuit (`stream`; Shi et al.'s inflated circuits); p_c = (1 + #{δ_r ≥ δ_c})/(1 + B),
    /// Holm-adjusted across the components. Empty when the circuit is empty; when it is the whole
    /// network there is no reference and every p is 1.
    public func minimality(draws: Int = 999, stream: RandomStream) throws -> [ComponentMinimality] {
        let members = circuit.sorted(), outside = complement.sorted()
        guard !members.isEmpty else { return [] }
        let base = problem.accuracy(complement)
        var reference: [Double] = []
        var s = stream
        if !outside.isEmpty {
            // Each distinct added component's drop is computed once.
            var memo: [Int: Double] = [:]
            for _ in 0..<draws {
                let r = outside[s.index(below: outside.count)]
                if let d = memo[r] { reference.append(d); continue }
                let d = inflatedDrop(r, circuitAccuracy: base)
                memo[r] = d
                reference.append(d)
            }
        }
        let drops = componentDrops(circuitAccuracy: base)
        let pValues = drops.map { d -> Double in
            guard !reference.isEmpty else { return 1 }
            let b = reference.filter { $0 >= d - 1e-12 }.count
            return Double(1 + b) / Double(1 + reference.count)
        }
        let adjusted = try MultipleTesting.adjust(pValues, method: .holm).adjusted
        return members.indices.map { ComponentMinimality(component: members[$0], drop: drops[$0], pValue: pValues[$0], adjustedPValue: adjusted[$0]) }
    }

    /// The accuracy drop δ_c = acc(C) − acc(C ∖ c) of each of the circuit's components, in
    /// ascending order of component. `circuitAccuracy` is acc(C) when the caller has it.
    public func componentDrops(circuitAccuracy: Double? = nil) -> [Double] {
        let base = circuitAccuracy ?? problem.accuracy(complement)
        return circuit.sorted().map { c -> Double in
            var removed = complement
            removed.insert(c)
            return base - problem.accuracy(removed)
        }
    }

    /// The reference drop of component `r` outside the circuit: δ_r = acc(C ∪ r) − acc(C), what
    /// removing r from the inflated circuit C ∪ r costs (Shi et al.'s minimality reference).
    /// - Precondition: `r` is outside the circuit.
    public func inflatedDrop(_ r: Int, circuitAccuracy: Double? = nil) -> Double {
        precondition(!circuit.contains(r), "an inflated circuit adds a component from outside the circuit")
        var removed = complement
        removed.remove(r)
        return problem.accuracy(removed) - (circuitAccuracy ?? problem.accuracy(complement))
    }
}
