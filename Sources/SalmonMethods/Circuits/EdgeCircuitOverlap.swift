/// The overlap of two edge circuits of transformers of one shape (``EdgeCircuitDiscovery``): the
/// Jaccard overlap of their edge sets, optionally maximized over every relabeling of the heads
/// within each block.
///
/// Why relabel: permuting the heads of a block (their query, key and value slices and their
/// columns of the output projection) leaves the function unchanged, so two independently trained
/// transformers number their heads arbitrarily, and a plain Jaccard overlap of their circuits
/// measures the labels as well as the structure (the symmetry ``CircuitAlignment`` handles for an
/// MLP's hidden units). The embeddings, the MLP blocks and the readers have no such symmetry.
///
/// Exact: the maximum is over the whole product of the blocks' symmetric groups, (H!)^L relabelings
/// searched jointly — edges between heads of different blocks couple the blocks' permutations.
/// Symmetric; 1 when one circuit is a relabeling of the other; two empty circuits overlap 1.
public struct EdgeCircuitOverlap: Sendable {
    public let layers: Int
    public let heads: Int
    /// Whether heads are relabeled; without, the plain Jaccard overlap.
    public let alignsHeads: Bool
    let relabelings: [HiddenUnitRelabeling]

    /// The most relabelings an overlap will search.
    public static let relabelingLimit = 1_000_000

    /// - Throws: ``MethodError`` when aligning heads would search more than ``relabelingLimit``
    ///   relabelings (for example 2 blocks of 8 heads: 8!² ≈ 1.6 × 10⁹).
    public init(layers: Int, heads: Int, alignsHeads: Bool = true) throws {
        guard layers >= 1, heads >= 1 else { throw MethodError("edge circuit overlap: expected at least one block and one head, found \(layers) and \(heads)") }
        let sizes = [1] + [Int](repeating: heads, count: layers) + [1]
        if alignsHeads {
            let count = HiddenUnitRelabeling.count(sizes: sizes)
            guard count <= Double(Self.relabelingLimit) else {
                throw MethodError("aligning the heads of \(layers) blocks of \(heads) heads would search \(count) relabelings (the limit is \(Self.relabelingLimit)); compare circuits without aligning heads")
            }
        }
        self.layers = layers
        self.heads = heads
        self.alignsHeads = alignsHeads
        relabelings = alignsHeads ? HiddenUnitRelabeling.all(sizes: sizes) : [HiddenUnitRelabeling.identity(sizes: sizes)]
    }

    /// The best Jaccard overlap |A ∩ πB| / |A ∪ πB| over the relabelings π of B's heads.
    public func overlap(_ a: Set<EdgeAttributionPatching.Edge>, _ b: Set<EdgeAttributionPatching.Edge>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var best = 0
        for relabeling in relabelings {
            var shared = 0
            for edge in b where a.contains(relabeled(edge, relabeling)) { shared += 1 }
            best = max(best, shared)
            if best == min(a.count, b.count) { break }
        }
        return Double(best) / Double(a.count + b.count - best)
    }

    func relabeled(_ edge: EdgeAttributionPatching.Edge, _ relabeling: HiddenUnitRelabeling) -> EdgeAttributionPatching.Edge {
        guard case .head(let block, let head) = edge.writer, relabeling.permutations.indices.contains(block),
              relabeling.permutations[block].indices.contains(head) else { return edge }
        return EdgeAttributionPatching.Edge(writer: .head(block: block, head: relabeling.permutations[block][head]), reader: edge.reader)
    }
}
