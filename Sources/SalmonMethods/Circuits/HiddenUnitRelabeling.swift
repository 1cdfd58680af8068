import SalmonNetworks

/// A relabeling of an MLP's hidden units: one permutation per hidden layer (the input and output
/// layers keep their order). Two networks trained from different seeds number their hidden units
/// arbitrarily — permuting the units of a hidden layer, with the rows of the weight matrix below
/// and the columns of the one above, leaves the function unchanged — so circuits of different
/// networks are compared only up to such relabelings (Méloux et al., ICLR 2025, compare circuits
/// across seeds; the permutation symmetry of hidden units is the reason a match must search over it).
///
/// `permutations[ℓ − 1][j]` is the new index of node j of hidden layer ℓ (layer 0 is the input).
public struct HiddenUnitRelabeling: Sendable, Hashable {
    public var permutations: [[Int]]

    /// - Precondition: each entry is a permutation of `0..<n` for its layer's width n.
    public init(permutations: [[Int]]) {
        precondition(permutations.allSatisfy { Set($0) == Set(0..<$0.count) }, "each layer's relabeling must be a permutation")
        self.permutations = permutations
    }

    /// The identity relabeling of an MLP with these layer sizes.
    public static func identity(sizes: [Int]) -> HiddenUnitRelabeling {
        HiddenUnitRelabeling(permutations: sizes.dropFirst().dropLast().map { Array(0..<$0) })
    }

    /// Every relabeling of an MLP with these layer sizes: the product of the symmetric groups of
    /// its hidden layers (∏ w_ℓ! of them), in a fixed order (lexicographic per layer, the first
    /// hidden layer varying slowest).
    /// - Complexity: O(∏ w_ℓ! · Σ w_ℓ).
    public static func all(sizes: [Int]) -> [HiddenUnitRelabeling] {
        let perLayer = sizes.dropFirst().dropLast().map { permutations(of: $0) }
        var out: [[[Int]]] = [[]]
        for layer in perLayer {
            out = out.flatMap { prefix in layer.map { prefix + [$0] } }
        }
        return out.map { HiddenUnitRelabeling(permutations: $0) }
    }

    /// ∏ w_ℓ! over the hidden layers: how many relabelings ``all(sizes:)`` lists.
    public static func count(sizes: [Int]) -> Double {
        sizes.dropFirst().dropLast().reduce(1.0) { total, w in total * (1...max(w, 1)).reduce(1.0) { $0 * Double($1) } }
    }

    /// The permutations of `0..<n` in lexicographic order.
    static func permutations(of n: Int) -> [[Int]] {
        var out: [[Int]] = []
        var current: [Int] = []
        var used = [Bool](repeating: false, count: n)
        func extend() {
            if current.count == n { out.append(current); return }
            for v in 0..<n where !used[v] {
                used[v] = true; current.append(v)
                extend()
                current.removeLast(); used[v] = false
            }
        }
        extend()
        return out
    }

    /// The permutation of layer `layer` (0 = input, last = output; both are the identity).
    func map(layer: Int, node: Int) -> Int {
        guard layer >= 1 && layer <= permutations.count else { return node }
        return permutations[layer - 1][node]
    }

    /// `circuit` with its hidden units relabeled: node j of hidden layer ℓ becomes node π_ℓ(j),
    /// and edge (k → j) of weight matrix i becomes (π_i(k) → π_{i+1}(j)).
    public func apply(to circuit: Circuit, sizes: [Int]) -> Circuit {
        var nodes = [UInt64](repeating: 0, count: circuit.nodes.count)
        for l in 1..<sizes.count {
            for j in 0..<sizes[l] where circuit.nodes[l - 1] >> UInt64(j) & 1 == 1 {
                nodes[l - 1] |= 1 << UInt64(map(layer: l, node: j))
            }
        }
        var edges = circuit.edges.map { [UInt64](repeating: 0, count: $0.count) }
        for i in 0..<(sizes.count - 1) {
            for j in 0..<sizes[i + 1] {
                var row: UInt64 = 0
                for k in 0..<sizes[i] where circuit.edges[i][j] >> UInt64(k) & 1 == 1 { row |= 1 << UInt64(map(layer: i, node: k)) }
                edges[i][map(layer: i + 1, node: j)] = row
            }
        }
        return Circuit(nodes: nodes, edges: edges)
    }

    /// `model` with its hidden units relabeled: the same function — every pre-activation is the
    /// same sum with its terms reordered, so outputs agree up to floating-point rounding.
    public func apply(to model: MLP) -> MLP {
        let sizes = model.sizes
        var layers = model.layers
        for i in 0..<layers.count {
            let old = model.layers[i]
            var weight = Tensor(zeros: old.weight.shape), bias = Tensor(zeros: old.bias.shape)
            for j in 0..<sizes[i + 1] {
                let jj = map(layer: i + 1, node: j)
                bias.scalars[jj] = old.bias.scalars[j]
                for k in 0..<sizes[i] { weight.scalars[jj * sizes[i] + map(layer: i, node: k)] = old.weight[j, k] }
            }
            layers[i] = Linear(weight: weight, bias: bias)
        }
        return MLP(layers: layers, hiddenActivation: model.hiddenActivation, outputActivation: model.outputActivation, hasBias: model.hasBias)
    }
}
