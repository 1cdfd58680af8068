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
        let full = problem.correctness([]), alone = problem.correctness(complement)
        var better = 0, differ = 0
        for (c, m) in zip(alone, full) where c != m {
            differ += 1
            if c > m { better += 1 }
        }
        guard differ > 0 else { return Outcome(statistic: 0.5, pValue: 1, draws: 0) }
        let lower = BinomialDistribution.cdf(better, trials: differ, probability: 0.5 + epsilon)
        let upper = 1 - BinomialDistribution.cdf(better - 1, trials: differ, probability: 0.5 - epsilon)
        return Outcome(statistic: Double(better) / Double(differ), pValue: min(1, max(lower, upper)), draws: 0)
    }

    /// Independence: HSIC between the full model's scores and the scores of the network with the
    /// circuit knocked out, against `permutations` permutations of the second (from `stream`).
    public func independence(permutations: Int = 999, stream: RandomStream) -> Outcome {
        let x = problem.correctness([]), y = problem.correctness(circuit)
        let (observed, null) = Self.hsicPermutationTest(x, y, permutations: permutations, stream: stream)
        let b = null.filter { $0 >= observed - 1e-12 * max(1, abs(observed)) }.count
        return Outcome(statistic: observed, pValue: Double(1 + b) / Double(1 + permutations), draws: permutations)
    }

    /// HSIC (biased estimator, trace(KHLH)/(n − 1)², Gretton et al. 2007) of `x` and `y` and its
    /// values under `permutations` permutations of `y`. Gaussian kernels, each bandwidth the
    /// median of the nonzero pairwise distances of its variable (1 when all are equal).
    public static func hsicPermutationTest(_ x: [Double], _ y: [Double], permutations: Int, stream: RandomStream) -> (observed: Double, null: [Double]) {
        precondition(x.count == y.count && x.count >= 2 && permutations >= 1, "HSIC: paired samples of at least 2")
        let n = x.count
        func centredKernel(_ v: [Double]) -> [Double] {
            var distances: [Double] = []
            for i in 0..<n { for j in (i + 1)..<n where v[i] != v[j] { distances.append(abs(v[i] - v[j])) } }
            distances.sort()
            let sigma = distances.isEmpty ? 1 : distances[distances.count / 2]
            var k = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { let d = v[i] - v[j]; k[i * n + j] = exp(-d * d / (2 * sigma * sigma)) } }
            // H K H with H = I − 11ᵀ/n: subtract row and column means, add the grand mean.
            var rows = [Double](repeating: 0, count: n), grand = 0.0
            for i in 0..<n { for j in 0..<n { rows[i] += k[i * n + j] }; rows[i] /= Double(n); grand += rows[i] }
            grand /= Double(n)
            for i in 0..<n { for j in 0..<n { k[i * n + j] += grand - rows[i] - rows[j] } }
            return k
        }
        let kx = centredKernel(x), ly = centredKernel(y)
        func hsic(_ order: [Int]) -> Double {
            // trace(K̃ L̃_π) = Σ_ij K̃_ij L̃_{π(i)π(j)} (K̃, L̃ symmetric).
            var total = 0.0
            for i in 0..<n { for j in 0..<n { total += kx[i * n + j] * ly[order[i] * n + order[j]] } }
            return total / Double((n - 1) * (n - 1))
        }
        let observed = hsic(Array(0..<n))
        var s = stream
        let null = (0..<permutations).map { _ -> Double in
            var order = Array(0..<n)
            order.shuffle(using: &s)
            return hsic(order)
        }
        return (observed, null)
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
                var removed = complement
                removed.remove(r)
                let d = problem.accuracy(removed) - base
                memo[r] = d
                reference.append(d)
            }
        }
        let drops = members.map { c -> Double in
            var removed = complement
            removed.insert(c)
            return base - problem.accuracy(removed)
        }
        let pValues = drops.map { d -> Double in
            guard !reference.isEmpty else { return 1 }
            let b = reference.filter { $0 >= d - 1e-12 }.count
            return Double(1 + b) / Double(1 + reference.count)
        }
        let adjusted = try MultipleTesting.adjust(pValues, method: .holm).adjusted
        return members.indices.map { ComponentMinimality(component: members[$0], drop: drops[$0], pValue: pValues[$0], adjustedPValue: adjusted[$0]) }
    }
}
