import SalmonNetworks

/// A circuit of an MLP in the sense of Méloux et al., "Everything, everywhere, all at once: is
/// mechanistic interpretability identifiable?" (ICLR 2025): the nodes it keeps in every layer after
/// the input, and the edges it keeps in every weight matrix. Biases are never masked.
///
/// Representation: `nodes[ℓ]` is the bitmask of kept nodes of layer ℓ + 1 (layer 0, the input, is
/// always fully kept); `edges[i][j]` is the bitmask of lower-layer nodes that upper node j of
/// weight matrix i keeps an edge from (the kept entries of row j of `W_i`). Widths up to 64.
public struct Circuit: Sendable, Hashable, Codable {
    public var nodes: [UInt64]
    public var edges: [[UInt64]]

    public init(nodes: [UInt64], edges: [[UInt64]]) {
        self.nodes = nodes
        self.edges = edges
    }

    /// The forward-pass masks: a node mask on every linear layer's input (site `layers.(ℓ−1).post`
    /// for the kept nodes of hidden layer ℓ) and an edge mask on every weight — the semantics of
    /// REFERENCES.md, so that `model.forward(x, hooks: circuit.hooks(sizes:))` runs the circuit.
    public func hooks(sizes: [Int]) -> Hooks {
        var nodeMasks: [String: [Float]] = [:]
        for l in 1..<(sizes.count - 1) {
            nodeMasks["layers.\(l - 1).post"] = (0..<sizes[l]).map { nodes[l - 1] >> UInt64($0) & 1 == 1 ? 1 : 0 }
        }
        var edgeMasks: [Int: Tensor] = [:]
        for i in 0..<(sizes.count - 1) {
            var m = Tensor(zeros: [sizes[i + 1], sizes[i]])
            for j in 0..<sizes[i + 1] {
                for k in 0..<sizes[i] where edges[i][j] >> UInt64(k) & 1 == 1 { m[j, k] = 1 }
            }
            edgeMasks[i] = m
        }
        return Hooks(nodeMasks: nodeMasks, edgeMasks: edgeMasks)
    }

    /// Kept nodes after the input (hidden and output).
    public var nodeCount: Int { nodes.reduce(0) { $0 + $1.nonzeroBitCount } }
    /// Kept edges.
    public var edgeCount: Int { edges.reduce(0) { $0 + $1.reduce(0) { $0 + $1.nonzeroBitCount } } }

    /// Sparsities relative to the full network of `sizes`: the fraction of hidden and output nodes
    /// removed, of edges removed, and of nodes and edges together removed.
    public func sparsity(sizes: [Int]) -> (nodes: Double, edges: Double, combined: Double) {
        let totalNodes = sizes.dropFirst().reduce(0, +)
        let totalEdges = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
        let removedNodes = totalNodes - nodeCount, removedEdges = totalEdges - edgeCount
        return (Double(removedNodes) / Double(totalNodes), Double(removedEdges) / Double(totalEdges),
                Double(removedNodes + removedEdges) / Double(totalNodes + totalEdges))
    }

    /// The circuit as one bitset over all nodes (after the input) and all edges — the set that
    /// containment and Jaccard overlap are computed on.
    public func elements(sizes: [Int]) -> CircuitElements {
        var words: [UInt64] = []
        var current: UInt64 = 0, used = 0
        func push(_ bits: UInt64, _ width: Int) {
            var b = bits, w = width
            while w > 0 {
                let take = min(w, 64 - used)
                let mask: UInt64 = take == 64 ? ~0 : (1 << UInt64(take)) - 1
                current |= (b & mask) << UInt64(used)
                used += take
                w -= take
                b = take == 64 ? 0 : b >> UInt64(take)
                if used == 64 { words.append(current); current = 0; used = 0 }
            }
        }
        for l in 1..<sizes.count { push(nodes[l - 1], sizes[l]) }
        for i in 0..<(sizes.count - 1) { for j in 0..<sizes[i + 1] { push(edges[i][j], sizes[i]) } }
        if used > 0 { words.append(current) }
        return CircuitElements(words: words)
    }
}

/// A circuit's nodes and edges as a bitset.
public struct CircuitElements: Sendable, Hashable {
    public var words: [UInt64]

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Whether every element of `self` is in `other`.
    public func isSubset(of other: CircuitElements) -> Bool {
        zip(words, other.words).allSatisfy { $0 & ~$1 == 0 }
    }

    /// |A ∩ B| / |A ∪ B| (1 for two empty sets).
    public func jaccard(_ other: CircuitElements) -> Double {
        var intersection = 0, union = 0
        for (a, b) in zip(words, other.words) {
            intersection += (a & b).nonzeroBitCount
            union += (a | b).nonzeroBitCount
        }
        return union == 0 ? 1 : Double(intersection) / Double(union)
    }
}
