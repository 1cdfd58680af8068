/// The overlap of circuits of different networks up to a relabeling of hidden units: the Jaccard
/// overlap of their node-and-edge sets, maximized over every permutation of the hidden units
/// within each layer (``HiddenUnitRelabeling``).
///
/// Why a search: networks trained from different seeds number their hidden units arbitrarily, so
/// the plain Jaccard overlap of two circuits (``CircuitElements/jaccard(_:)``) of different
/// networks measures the labels, not the structure. Méloux et al. (ICLR 2025) compare circuits
/// across seeds; this is the comparison made invariant to the symmetry of the architecture.
///
/// Mathematical properties:
/// - Exact: the maximum is over the whole product of the hidden layers' symmetric groups, searched
///   jointly (a layerwise search is not exact: the edges between two hidden layers couple their
///   permutations). For [2, 5, 5, 1] that is 5!² = 14,400 relabelings. Each circuit's *orbit* (its
///   distinct relabeled element sets) is computed once, by a precomputed map of element positions
///   per relabeling, and then every comparison is a bitwise AND and a population count per orbit
///   member.
/// - Since |A ∪ B| = |A| + |B| − |A ∩ B| and |A|, |B| do not change under relabeling, the best
///   Jaccard overlap is the one with the largest intersection; min(|A|, |B|)/max(|A|, |B|) bounds
///   it, which prunes pairs of circuits in ``bestOverlap(_:_:)-(([CircuitOrbit],[CircuitOrbit]))``.
/// - Memory: an orbit holds at most ∏ w_ℓ! members of ⌈E/64⌉ words (E node and edge positions;
///   one word up to [2, 5, 5, 1]), fewer for sparse circuits, whose unused units permute among
///   themselves without changing anything (a circuit using 2 of 5 units per layer has at most
///   14,400 / 3!² = 400 distinct images).
/// - Symmetric (J(A, πB) = J(π⁻¹A, B)); 1 exactly when one circuit is a relabeling of the other;
///   a circuit and any relabeling of itself have overlap 1.
public struct CircuitAlignment: Sendable {
    public let sizes: [Int]
    /// Every relabeling, in ``HiddenUnitRelabeling/all(sizes:)`` order.
    public let relabelings: [HiddenUnitRelabeling]
    /// Per relabeling, the new position of every element position (the layout of ``Circuit/elements(sizes:)``).
    let positionMaps: [[Int]]
    let elementCount: Int

    /// The most relabelings an alignment will search (∏ w_ℓ! over hidden layers).
    public static let relabelingLimit = 1_000_000

    /// - Throws: ``MethodError`` when the architecture has more than ``relabelingLimit``
    ///   relabelings (for example two hidden layers of 7 units: 7!² ≈ 2.5 × 10⁷) or a layer wider
    ///   than 64 units.
    public init(sizes: [Int]) throws {
        guard sizes.count >= 2, sizes.allSatisfy({ $0 >= 1 && $0 <= 64 }) else {
            throw MethodError("circuit alignment needs at least two layers of 1 to 64 units; sizes are \(sizes)")
        }
        let count = HiddenUnitRelabeling.count(sizes: sizes)
        guard count <= Double(Self.relabelingLimit) else {
            throw MethodError("aligning circuits of \(sizes) would search \(count) relabelings of hidden units (the limit is \(Self.relabelingLimit)); use narrower hidden layers")
        }
        self.sizes = sizes
        relabelings = HiddenUnitRelabeling.all(sizes: sizes)
        // Layout of Circuit.elements: the nodes of layers 1…L (each sizes[l] bits), then for each
        // weight matrix i and upper node j, sizes[i] bits over the lower nodes k.
        var nodeOffset = [Int](repeating: 0, count: sizes.count)
        var position = 0
        for l in 1..<sizes.count { nodeOffset[l] = position; position += sizes[l] }
        var edgeOffset = [Int](repeating: 0, count: sizes.count - 1)
        for i in 0..<(sizes.count - 1) { edgeOffset[i] = position; position += sizes[i] * sizes[i + 1] }
        elementCount = position
        positionMaps = relabelings.map { r in
            var map = [Int](repeating: 0, count: position)
            for l in 1..<sizes.count {
                for j in 0..<sizes[l] { map[nodeOffset[l] + j] = nodeOffset[l] + r.map(layer: l, node: j) }
            }
            for i in 0..<(sizes.count - 1) {
                for j in 0..<sizes[i + 1] {
                    for k in 0..<sizes[i] {
                        map[edgeOffset[i] + j * sizes[i] + k] = edgeOffset[i] + r.map(layer: i + 1, node: j) * sizes[i] + r.map(layer: i, node: k)
                    }
                }
            }
            return map
        }
    }

    /// The orbit of `circuit` under every relabeling of hidden units.
    /// - Complexity: O(R · E) for R relabelings and E element positions.
    public func orbit(_ circuit: Circuit) -> CircuitOrbit {
        let original = circuit.elements(sizes: sizes)
        let words = original.words.count
        var set: [Int] = []
        for w in 0..<words {
            var bits = original.words[w]
            while bits != 0 {
                set.append(w * 64 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        var seen = Set<[UInt64]>()
        var members: [UInt64] = []
        for map in positionMaps {
            var image = [UInt64](repeating: 0, count: words)
            for p in set {
                let q = map[p]
                image[q >> 6] |= 1 << UInt64(q & 63)
            }
            if seen.insert(image).inserted { members += image }
        }
        // The canonical form: the smallest member in lexicographic order of its words (most
        // significant word last, as `elements` lays them out — any fixed order serves).
        let canonical = seen.min { a, b in a.lexicographicallyPrecedes(b) } ?? original.words
        return CircuitOrbit(elements: original, members: members, wordsPerMember: words, canonical: canonical)
    }

    /// The best overlap of two circuits: max over relabelings π of J(a, π(b)).
    public func bestOverlap(_ a: Circuit, _ b: Circuit) -> Double {
        CircuitAlignment.bestJaccard(orbit(a).elements, orbit(b))
    }

    /// max over the members m of `orbit` of J(a, m).
    static func bestJaccard(_ a: CircuitElements, _ orbit: CircuitOrbit) -> Double {
        let countA = a.count, countB = orbit.elements.count
        if countA + countB == 0 { return 1 }
        let ceiling = min(countA, countB)
        var best = 0
        let w = orbit.wordsPerMember
        orbit.members.withUnsafeBufferPointer { m in
            var start = 0
            while start < m.count {
                var intersection = 0
                for k in 0..<w { intersection += (a.words[k] & m[start + k]).nonzeroBitCount }
                if intersection > best {
                    best = intersection
                    if best == ceiling { break }
                }
                start += w
            }
        }
        return Double(best) / Double(countA + countB - best)
    }

    /// The best overlap between two sets of circuits (of two networks of this architecture): the
    /// maximum over pairs (A in `a`, B in `b`) and relabelings π of J(A, π(B)), and whether some
    /// pair is identical up to relabeling (overlap 1, found through the orbits' canonical forms).
    /// Nil when either set is empty.
    /// - Complexity: O(|a| · |b| · R · words) at worst; pairs whose size bound cannot beat the best
    ///   so far are skipped, and the search stops at overlap 1.
    public func bestOverlap(_ a: [CircuitOrbit], _ b: [CircuitOrbit]) -> CircuitSetOverlap? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let canonicalB = Set(b.map(\.canonical))
        if a.contains(where: { canonicalB.contains($0.canonical) }) {
            return CircuitSetOverlap(best: 1, sharesCircuit: true, pairsCompared: 0)
        }
        var pairs: [(bound: Double, i: Int, j: Int)] = []
        pairs.reserveCapacity(a.count * b.count)
        for (i, x) in a.enumerated() {
            let cx = x.elements.count
            for (j, y) in b.enumerated() {
                let cy = y.elements.count
                pairs.append((max(cx, cy) == 0 ? 1 : Double(min(cx, cy)) / Double(max(cx, cy)), i, j))
            }
        }
        // Largest bound first, ties in index order, so the search and its result are deterministic.
        pairs.sort { $0.bound > $1.bound || ($0.bound == $1.bound && ($0.i, $0.j) < ($1.i, $1.j)) }
        var best = 0.0, compared = 0
        for pair in pairs {
            if pair.bound <= best { break }
            best = max(best, Self.bestJaccard(a[pair.i].elements, b[pair.j]))
            compared += 1
        }
        return CircuitSetOverlap(best: best, sharesCircuit: false, pairsCompared: compared)
    }
}

/// A circuit together with every distinct relabeling of its hidden units (its orbit under the
/// architecture's permutation symmetry) and a canonical form that identifies the orbit.
public struct CircuitOrbit: Sendable {
    /// The circuit's own node-and-edge set.
    public let elements: CircuitElements
    /// The distinct relabeled element sets, `wordsPerMember` words each, concatenated.
    let members: [UInt64]
    let wordsPerMember: Int
    /// The lexicographically smallest member: two circuits are relabelings of each other exactly
    /// when their canonical forms are equal.
    public let canonical: [UInt64]

    /// How many distinct circuits the relabelings produce (at most ∏ w_ℓ!).
    public var size: Int { wordsPerMember == 0 ? 1 : members.count / wordsPerMember }
}

/// The best overlap between the circuits of two networks, up to relabeling of hidden units.
public struct CircuitSetOverlap: Sendable, Codable, Equatable {
    /// max over circuit pairs and relabelings of the Jaccard overlap of node-and-edge sets.
    public var best: Double
    /// Whether the two networks share a circuit identical up to relabeling (best = 1).
    public var sharesCircuit: Bool
    /// Circuit pairs searched over relabelings (0 when a shared canonical form settled it).
    public var pairsCompared: Int
}
