import SalmonStatistics

/// The circuits of one model: how many candidates were evaluated, how many are perfect, the
/// perfect circuits themselves (up to the enumerator's keep limit), and the identifiability
/// statistics of Méloux et al. (2025) computed from them.
public struct CircuitCensus: Sendable {
    public var sizes: [Int]
    /// Candidate circuits evaluated (exact; a Double because it passes 2³¹ at width 5).
    public var candidates: Double
    public var perfectCount: Double
    /// Perfect circuits in enumeration order (all of them when `perfectCount` ≤ the keep limit).
    public var perfect: [Circuit]

    /// A uniform sample of the perfect circuits (``CircuitEnumerator/sample``), by sample key; nil
    /// unless asked for.
    public var sample: [Circuit]?
    /// Whether every perfect circuit was kept (so the statistics below describe all of them).
    public var isComplete: Bool { Double(perfect.count) == perfectCount }

    /// Identifiability statistics of the kept perfect circuits.
    public struct Statistics: Sendable, Codable, Equatable {
        /// Indices (into `perfect`) of the minimal circuits: those containing no other perfect circuit.
        public var minimal: [Int]
        /// Per perfect circuit: the fraction of hidden and output nodes removed, of edges removed,
        /// and of both together.
        public var nodeSparsity: [Double]
        public var edgeSparsity: [Double]
        public var combinedSparsity: [Double]
        /// Mean Jaccard overlap of the node-and-edge sets over unordered pairs (nil with fewer than two).
        public var meanJaccard: Double?
        /// Fraction of unordered pairs in which one circuit contains the other.
        public var containmentFraction: Double?
        /// Pairs the two figures above were computed over (all pairs, or a seeded sample of them).
        public var pairsExamined: Int
        public var pairsSampled: Bool
    }

    /// The statistics. Minimality is exact (every pair is checked, O(P²) bit operations); the pair
    /// figures use every pair up to `maxPairs`, and beyond that a sample of `maxPairs` pairs drawn
    /// from `stream` (uniform over unordered pairs).
    public func statistics(maxPairs: Int = 5_000_000, stream: RandomStream = RandomStream(seed: 0, path: ["circuit-pairs"])) -> Statistics {
        let elements = perfect.map { $0.elements(sizes: sizes) }
        let counts = elements.map(\.count)
        // Minimal: no other perfect circuit is a proper subset. Sorting by size lets each circuit
        // be compared only with smaller ones.
        let order = elements.indices.sorted { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        var minimal: [Int] = []
        var isMinimal = [Bool](repeating: true, count: elements.count)
        for (position, i) in order.enumerated() {
            for k in 0..<position {
                let j = order[k]
                if counts[j] < counts[i] && isMinimal[j] && elements[j].isSubset(of: elements[i]) {
                    isMinimal[i] = false
                    break
                }
            }
        }
        for i in elements.indices where isMinimal[i] { minimal.append(i) }
        let sparsities = perfect.map { $0.sparsity(sizes: sizes) }
        let p = elements.count
        let allPairs = p * (p - 1) / 2
        var jaccardSum = 0.0, contained = 0, examined = 0
        func visit(_ a: Int, _ b: Int) {
            jaccardSum += elements[a].jaccard(elements[b])
            if elements[a].isSubset(of: elements[b]) || elements[b].isSubset(of: elements[a]) { contained += 1 }
            examined += 1
        }
        let sampled = allPairs > maxPairs
        if sampled {
            var s = stream
            while examined < maxPairs {
                let a = s.index(below: p), b = s.index(below: p)
                if a != b { visit(a, b) }
            }
        } else {
            for a in 0..<p { for b in (a + 1)..<max(a + 1, p) { visit(a, b) } }
        }
        return Statistics(minimal: minimal, nodeSparsity: sparsities.map(\.nodes), edgeSparsity: sparsities.map(\.edges),
                          combinedSparsity: sparsities.map(\.combined),
                          meanJaccard: examined > 0 ? jaccardSum / Double(examined) : nil,
                          containmentFraction: examined > 0 ? Double(contained) / Double(examined) : nil,
                          pairsExamined: examined, pairsSampled: sampled)
    }
}
