import Foundation
import SalmonNetworks

/// One interpretation of a circuit (Méloux et al. 2025's "grounding"): a separation boundary and
/// a logic gate for every node of the circuit that is not constant over the inputs.
public struct Grounding: Sendable, Hashable, Codable {
    /// What one node is read as.
    public struct Assignment: Sendable, Hashable, Codable {
        /// Layer of the node (1 = first hidden layer; the output is the last).
        public var layer: Int
        public var node: Int
        /// The boundary: the node reads 1 on an input where its activation is above it.
        public var separator: Float
        /// The gate's inputs: the global inputs (`0..<d`) for a node of layer 1, else the nodes of
        /// layer − 1 it reads, in increasing order.
        public var parents: [Int]
        /// The gate's truth table, `table[p]` for the parent bits `p` read most significant first
        /// (the first parent is the highest bit) — `2^parents.count` entries, each 0 or 1.
        public var table: [UInt8]
    }
    /// Nodes in layer order, and by index within a layer.
    public var assignments: [Assignment]
}

/// Every grounding of a circuit: the interpretations of Méloux et al. (ICLR 2025, "Everything,
/// everywhere, all at once: is mechanistic interpretability identifiable?"), with the semantics of
/// their published code (MI-identifiability, commit c08b08d: `Circuit.ground`, `enumerate_tts`,
/// `compute_local_tts`), checked against it on the same weights (`groundings_reference.py`).
///
/// - **Activations.** The circuit runs on the 2^d binary inputs (pruned edges zeroed, removed
///   nodes zero-ablated, biases kept), and every kept node of every layer after the input — the
///   output included — is read after its activation function; the output is first rounded to the
///   nearest integer. The inputs themselves are not grounded: they are the gate's variables.
/// - **Boundaries.** A node taking k distinct values over the inputs has k − 1 candidate
///   separators, the midpoints (a + b)/2 of consecutive distinct values (in `Float`, as the
///   published code's float32), and reads 1 where its value is above the separator. No tolerance:
///   values that differ in the last bit are distinct. A node with one value over the inputs is
///   *constant*: it has no boundary, adds nothing, and is no gate's input.
/// - **Gates.** A node of layer 1 reads the global inputs, and its gate is its bits over them —
///   any function, without a check. A node of a later layer reads its *parents*, the non-constant
///   nodes of the previous layer joined to it by a kept edge: on each input the parents' bits form a
///   pattern, and the gate is a truth table over the 2^k patterns. Inputs with the same pattern
///   and different node bits make the choice of boundaries *inconsistent* (no grounding); a
///   pattern no input realizes is free, and each of its 0/1 fillings is a separate grounding; with
///   two parents, the fillings that make XOR or XNOR are excluded (a gate of the vocabulary is any
///   Boolean function except a two-input XOR or XNOR; one input: identity or NOT; three or more:
///   any function). A node with no parents is always inconsistent.
/// - **Counting.** The number of groundings is the sum over every joint choice of boundaries (one
///   per non-constant node) of the product over the nodes after layer 1 of their admissible
///   fillings. A node's factor depends only on its own boundary and its parents', so the sum is a
///   product of transfer matrices layer by layer: W₁ ≡ 1, W_ℓ(b_ℓ) = Σ_{b_{ℓ−1}} W_{ℓ−1}(b_{ℓ−1})
///   ∏_j f_j(b_j, b_{P_j}), count = Σ W_L — in Σ_ℓ (∏ options)² operations (at most 27² per layer
///   of width 3 on four inputs), where the published code lists every grounding (its running time
///   is linear in the count).
///
/// Counts are `Double`: exact while below 2⁵³ (every count of a width-3 network is), beyond that
/// rounded; a count above the largest `Double` is refused.
public struct CircuitGroundings: Sendable {
    /// One non-constant kept node.
    public struct Node: Sendable, Hashable {
        public var layer: Int
        public var index: Int
        /// The node's value on every input row (rounded for the output node).
        public var values: [Float]
        /// Candidate separators, ascending.
        public var separators: [Float]
        /// Per separator, the rows that read 1 (bit r for row r).
        public var rowBits: [UInt64]
        /// Positions in ``nodes`` of the parents (previous layer), ascending by node index; empty
        /// for layer 1.
        public var parents: [Int]
    }

    /// The gate's inputs: `inputCount` bits, row r is the binary expansion of r (first input most
    /// significant): (0, 0), (0, 1), (1, 0), (1, 1) for two inputs.
    public let inputCount: Int
    /// Non-constant kept nodes, in layer order and by index within a layer.
    public let nodes: [Node]
    /// Kept nodes that are constant over the inputs, as (layer, index).
    public let constantNodes: [(layer: Int, index: Int)]
    /// The number of layers after the input.
    public let depth: Int

    /// Reads a circuit's activations on the 2^d binary inputs.
    ///
    /// - Parameters:
    ///   - model: the network; its input width d is the number of gate inputs (1 … 6).
    ///   - circuit: the circuit (node and edge masks, as ``CircuitEnumerator`` lists them).
    /// - Throws: ``MethodError`` when d is outside 1 … 6, or the circuit does not fit the model.
    public init(model: MLP, circuit: Circuit) throws {
        let sizes = model.sizes
        let d = sizes[0]
        guard (1...6).contains(d) else { throw MethodError("groundings need 1 to 6 binary inputs; the model has \(d)") }
        guard circuit.nodes.count == sizes.count - 1, circuit.edges.count == sizes.count - 1,
              zip(circuit.edges, sizes.dropFirst()).allSatisfy({ $0.count == $1 }) else {
            throw MethodError("the circuit's masks do not fit a model of sizes \(sizes)")
        }
        let rows = 1 << d
        var x = [Float](repeating: 0, count: rows * d)
        for r in 0..<rows { for i in 0..<d { x[r * d + i] = Float((r >> (d - 1 - i)) & 1) } }
        let depth = sizes.count - 1
        var hooks = circuit.hooks(sizes: sizes)
        hooks.capture = Set((0..<depth).map { "layers.\($0).post" })
        let pass = model.forward(Tensor(shape: [rows, d], scalars: x), hooks: hooks)
        var nodes: [Node] = [], constants: [(Int, Int)] = []
        var previous: [Int: Int] = [:]   // node index of the previous layer → position in `nodes`
        for layer in 1...depth {
            guard let activations = layer == depth ? pass.output : pass.captured["layers.\(layer - 1).post"] else {
                throw MethodError("the forward pass did not capture layer \(layer)")
            }
            let width = sizes[layer]
            var current: [Int: Int] = [:]
            for j in 0..<width where circuit.nodes[layer - 1] >> UInt64(j) & 1 == 1 {
                var values = (0..<rows).map { activations[$0, j] }
                if layer == depth { values = values.map { $0.rounded(.toNearestOrEven) } }
                guard values.allSatisfy(\.isFinite) else { throw MethodError("node \(j) of layer \(layer) is not finite on every input") }
                let distinct = Array(Set(values)).sorted()
                guard distinct.count > 1 else { constants.append((layer, j)); continue }
                var separators: [Float] = [], bits: [UInt64] = []
                for (a, b) in zip(distinct, distinct.dropFirst()) {
                    let s = (a + b) / 2
                    var mask: UInt64 = 0
                    for r in 0..<rows where values[r] > s { mask |= 1 << UInt64(r) }
                    // A midpoint that rounds onto one of its ends leaves the node constant under
                    // it; the published code raises there ("Not allowed"); such a boundary is no
                    // boundary, so it is skipped.
                    let all: UInt64 = rows == 64 ? .max : (UInt64(1) << UInt64(rows)) - 1
                    guard mask != 0 && mask != all else { continue }
                    separators.append(s)
                    bits.append(mask)
                }
                guard !separators.isEmpty else { constants.append((layer, j)); continue }
                let parents: [Int] = layer == 1 ? [] : (0..<sizes[layer - 1]).compactMap { k in
                    circuit.edges[layer - 1][j] >> UInt64(k) & 1 == 1 ? previous[k] : nil
                }
                current[j] = nodes.count
                nodes.append(Node(layer: layer, index: j, values: values, separators: separators, rowBits: bits, parents: parents))
            }
            previous = current
        }
        self.inputCount = d
        self.nodes = nodes
        self.constantNodes = constants
        self.depth = depth
    }

    /// The number of input rows (2^d).
    public var rowCount: Int { 1 << inputCount }

    /// The admissible truth tables of node `n` (after layer 1) under its separator `choice` and its
    /// parents' separators `parentChoices` (one per parent): the defined entries, and which
    /// patterns are free; nil when inconsistent.
    func localTable(_ n: Int, choice: Int, parentChoices: [Int]) -> (table: [UInt8], free: [Int])? {
        let node = nodes[n]
        let k = node.parents.count
        guard k > 0 else { return nil }
        var table = [UInt8](repeating: 2, count: 1 << k)   // 2 = not realized
        let bits = node.rowBits[choice]
        for r in 0..<rowCount {
            var pattern = 0
            for (i, p) in node.parents.enumerated() {
                pattern |= Int(nodes[p].rowBits[parentChoices[i]] >> UInt64(r) & 1) << (k - 1 - i)
            }
            let bit = UInt8(bits >> UInt64(r) & 1)
            if table[pattern] == 2 { table[pattern] = bit } else if table[pattern] != bit { return nil }
        }
        return (table, table.indices.filter { table[$0] == 2 })
    }

    /// How many fillings of node `n`'s free patterns are admissible (0 when inconsistent).
    func factor(_ n: Int, choice: Int, parentChoices: [Int]) -> Double {
        guard let (table, free) = localTable(n, choice: choice, parentChoices: parentChoices) else { return 0 }
        var count = pow(2, Double(free.count))
        if table.count == 4 {
            // Exclude the one filling that makes XOR (0110) and the one that makes XNOR (1001),
            // when the realized entries allow them.
            for gate: [UInt8] in [[0, 1, 1, 0], [1, 0, 0, 1]] where zip(table, gate).allSatisfy({ $0 == 2 || $0 == $1 }) {
                count -= 1
            }
        }
        return count
    }

    /// The number of groundings (transfer matrices layer by layer; see the type's summary).
    ///
    /// - Throws: ``MethodError`` when a layer's joint boundary choices times the previous layer's
    ///   exceed 10⁸ (the transfer matrix's size), or the count exceeds the largest `Double`.
    public func count() throws -> Double {
        var weights: [Double] = [1]
        var previousNodes: [Int] = []
        for layer in 1...depth {
            let layerNodes = nodes.indices.filter { nodes[$0].layer == layer }
            let radices = layerNodes.map { nodes[$0].separators.count }
            let states = radices.reduce(1.0) { $0 * Double($1) }
            guard states * Double(weights.count) <= 1e8 else {
                throw MethodError("layer \(layer) has \(Int(states)) joint boundary choices against \(weights.count) below it, more than 10⁸ pairs to count")
            }
            let stateCount = Int(states)
            if layer == 1 {
                weights = [Double](repeating: 1, count: stateCount)
                previousNodes = layerNodes
                continue
            }
            // Per node: its factor for every (own choice, previous layer's joint choice).
            let previousRadices = previousNodes.map { nodes[$0].separators.count }
            let previousCount = weights.count
            let positionInPrevious = Dictionary(uniqueKeysWithValues: previousNodes.enumerated().map { ($1, $0) })
            var factors: [[Double]] = []   // factors[i][choice * previousCount + state]
            for n in layerNodes {
                var table = [Double](repeating: 0, count: nodes[n].separators.count * previousCount)
                for state in 0..<previousCount {
                    let digits = Self.digits(state, radices: previousRadices)
                    let parentChoices = nodes[n].parents.map { digits[positionInPrevious[$0] ?? 0] }
                    for c in 0..<nodes[n].separators.count {
                        table[c * previousCount + state] = factor(n, choice: c, parentChoices: parentChoices)
                    }
                }
                factors.append(table)
            }
            var next = [Double](repeating: 0, count: stateCount)
            for state in 0..<stateCount {
                let digits = Self.digits(state, radices: radices)
                var total = 0.0
                for p in 0..<previousCount where weights[p] != 0 {
                    var product = weights[p]
                    for (i, c) in digits.enumerated() {
                        product *= factors[i][c * previousCount + p]
                        if product == 0 { break }
                    }
                    total += product
                }
                next[state] = total
            }
            weights = next
            previousNodes = layerNodes
        }
        let total = weights.reduce(0, +)
        guard total.isFinite else { throw MethodError("the circuit has more groundings than the largest Double") }
        return total
    }

    /// Mixed-radix digits of `state`, the first radix most significant.
    static func digits(_ state: Int, radices: [Int]) -> [Int] {
        var digits = [Int](repeating: 0, count: radices.count)
        var s = state
        for i in radices.indices.reversed() {
            digits[i] = s % radices[i]
            s /= radices[i]
        }
        return digits
    }

    /// The groundings themselves, in the published code's order — nodes in layer order, each
    /// node's separators ascending, and a node's free patterns filled in lexicographic order (the
    /// first free pattern most significant, 0 before 1) — at most `limit` of them.
    public func list(limit: Int = 100_000) -> [Grounding] {
        var out: [Grounding] = []
        var choices = [Int](repeating: 0, count: nodes.count)
        var assignments: [Grounding.Assignment] = []
        func visit(_ n: Int) {
            guard out.count < limit else { return }
            if n == nodes.count { out.append(Grounding(assignments: assignments)); return }
            let node = nodes[n]
            for c in node.separators.indices {
                choices[n] = c
                if node.layer == 1 {
                    let table = (0..<rowCount).map { UInt8(node.rowBits[c] >> UInt64($0) & 1) }
                    assignments.append(.init(layer: 1, node: node.index, separator: node.separators[c],
                                             parents: Array(0..<inputCount), table: table))
                    visit(n + 1)
                    assignments.removeLast()
                    continue
                }
                guard let (table, free) = localTable(n, choice: c, parentChoices: node.parents.map { choices[$0] }) else { continue }
                // Only the first `limit` fillings can be listed, so a table with 62 or more free
                // patterns is cut off before its count would overflow `Int`.
                let fillings = free.count >= 62 ? Int.max : 1 << free.count
                for filling in 0..<fillings {
                    var full = table
                    for (i, pattern) in free.enumerated() {
                        let shift = free.count - 1 - i
                        full[pattern] = shift >= Int.bitWidth - 1 ? 0 : UInt8(filling >> shift & 1)
                    }
                    if full == [0, 1, 1, 0] || full == [1, 0, 0, 1] { continue }
                    assignments.append(.init(layer: node.layer, node: node.index, separator: node.separators[c],
                                             parents: node.parents.map { nodes[$0].index }, table: full))
                    visit(n + 1)
                    assignments.removeLast()
                    if out.count >= limit { return }
                }
            }
        }
        visit(0)
        return out
    }
}
