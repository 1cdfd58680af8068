import Foundation
import SalmonNetworks

/// How identifiable one network's explanations are once each perfect circuit is interpreted
/// (Méloux et al., ICLR 2025): an *explanation* is a pair (perfect circuit, grounding of it), and
/// the network is identifiable in this sense when it has exactly one.
///
/// With g_c groundings of perfect circuit c and N = Σ_c g_c explanations:
/// - ``explanations`` is N;
/// - ``fractionWithMultipleGroundings`` is the fraction of perfect circuits with g_c > 1 (the
///   circuits that are not identifiable even once found);
/// - ``explanationEntropy`` is log₂ N, in bits: the entropy of one explanation drawn uniformly,
///   the information needed to single it out (0 exactly when identifiable);
/// - ``circuitEntropy`` is H(C) = −Σ_c (g_c/N) log₂(g_c/N), the entropy of the circuit of a
///   uniformly drawn explanation; log₂ N = H(C) + Σ_c (g_c/N) log₂ g_c splits the bits between
///   *where* (which circuit) and *what* (which interpretation of it).
///
/// From a uniform sample of n of the P perfect circuits (``CircuitEnumerator`` with a sample size,
/// bottom-k by a seeded hash) the figures are estimates: N̂ = (P/n) Σ_sample g_c (unbiased, the
/// Horvitz–Thompson estimator), the fraction by the sample proportion, log₂ N̂, and
/// Ĥ(C) = log₂ N̂ − Σ g log₂ g / Σ g (a ratio estimator, consistent); ``sampled`` says which.
public struct GroundingStatistics: Sendable, Codable, Equatable {
    /// Perfect circuits of the network.
    public var perfectCircuits: Double
    /// Perfect circuits grounded (all of them unless ``sampled``).
    public var groundedCircuits: Int
    public var sampled: Bool
    /// N (estimated when ``sampled``).
    public var explanations: Double
    /// Σ g_c over the grounded circuits: N itself without a sample, a lower bound with one.
    public var groundedExplanations: Double
    /// Whether the network has more than one explanation, decided from the grounded circuits
    /// alone (Σ g ≥ 2): exact without a sample; with one, never a false "several" — an estimate
    /// N̂ > 1 does not count when the sample holds fewer than two explanations.
    public var hasSeveralExplanations: Bool { groundedExplanations >= 2 }
    /// Grounded circuits with more than one grounding.
    public var circuitsWithMultipleGroundings: Int
    /// nil without a perfect circuit.
    public var fractionWithMultipleGroundings: Double?
    /// log₂ N bits (nil when N = 0: no perfect circuit, or none with a grounding).
    public var explanationEntropy: Double?
    public var circuitEntropy: Double?

    /// The number of groundings of every circuit of `circuits` (all of a network's perfect
    /// circuits, or a uniform sample of them), in order, on `jobs` threads.
    /// - Throws: ``MethodError`` from ``CircuitGroundings``.
    public static func counts(model: MLP, circuits: [Circuit], jobs: Int = 1) throws -> [Double] {
        try groundings(model: model, circuits: circuits, jobs: jobs).counts
    }

    /// Each circuit's grounding count and, with `listing`, its first `listing` groundings in the
    /// published code's order — one ``CircuitGroundings`` (one forward pass) per circuit for both.
    /// - Throws: ``MethodError`` from the first circuit that cannot be grounded.
    public static func groundings(model: MLP, circuits: [Circuit], jobs: Int = 1,
                                  listing: Int? = nil) throws -> (counts: [Double], lists: [[Grounding]]?) {
        let each = ParallelMap.run(count: circuits.count, jobs: jobs) { i -> Result<(Double, [Grounding]), MethodError> in
            do {
                let g = try CircuitGroundings(model: model, circuit: circuits[i])
                return .success((try g.count(), listing.map { g.list(limit: $0) } ?? []))
            } catch let e as MethodError {
                return .failure(e)
            } catch { return .failure(MethodError("\(error)")) }
        }
        let done = try each.map { try $0.get() }
        return (done.map(\.0), listing == nil ? nil : done.map(\.1))
    }

    /// The statistics from grounding counts g_c (see the type's summary).
    ///
    /// - Parameters:
    ///   - perfectCircuits: P, the network's number of perfect circuits; fewer counts than P mark
    ///     a uniform sample.
    public init(groundings: [Double], perfectCircuits: Double) throws {
        guard groundings.allSatisfy({ $0.isFinite && $0 >= 0 }), perfectCircuits >= Double(groundings.count) else {
            throw MethodError("grounding counts must be finite and non-negative, at most one per perfect circuit")
        }
        self.perfectCircuits = perfectCircuits
        self.groundedCircuits = groundings.count
        self.sampled = Double(groundings.count) < perfectCircuits
        let total = groundings.reduce(0, +)
        self.groundedExplanations = total
        let scale = groundings.isEmpty ? 0 : perfectCircuits / Double(groundings.count)
        self.explanations = total * scale
        self.circuitsWithMultipleGroundings = groundings.filter { $0 > 1 }.count
        self.fractionWithMultipleGroundings = groundings.isEmpty ? nil : Double(circuitsWithMultipleGroundings) / Double(groundings.count)
        if explanations > 0 {
            let bits = log2(explanations)
            let within = groundings.reduce(0.0) { $0 + ($1 > 0 ? $1 * log2($1) : 0) } / total
            self.explanationEntropy = bits
            // Rounding can leave −1e−16 where H(C) is 0 (one circuit).
            self.circuitEntropy = max(0, bits - within)
        } else {
            self.explanationEntropy = nil
            self.circuitEntropy = nil
        }
    }
}
