/// A candidate algorithm for a Boolean gate in Méloux et al.'s what-then-where view (ICLR 2025,
/// "Everything, everywhere, all at once"): a formula over the gate's inputs built from binary AND
/// and OR, with NOT on some nodes.
///
/// Nodes are stored in preorder with the published code's ids (MI-identifiability, commit c08b08d,
/// `LogicTree`): the base formula's nodes are numbered 0, 1, … in preorder, and the NOT nodes a
/// negation adds get the next ids, in preorder of the negated formula. ``description`` is the
/// published string (`(A*B)+¬B` — AND `*`, OR `+`, NOT `¬`, outer parentheses dropped).
public struct BooleanFormula: Sendable, Hashable, CustomStringConvertible {
    public enum Operation: Sendable, Hashable {
        /// Input i (0 = A, 1 = B, …).
        case variable(Int)
        case not, and, or
    }

    public struct Node: Sendable, Hashable {
        public var operation: Operation
        /// Positions in ``BooleanFormula/nodes`` (one for NOT, two for AND and OR).
        public var children: [Int]
        public var id: Int
    }

    /// Preorder: the root first.
    public var nodes: [Node]

    /// The formula's string, as the published code prints it.
    public var description: String {
        let s = text(0)
        return s.hasPrefix("(") ? String(s.dropFirst().dropLast()) : s
    }

    /// The string of the subtree at position `p`, outer parentheses dropped (the published
    /// `str(node)`).
    public func subtreeDescription(_ p: Int) -> String {
        let s = text(p)
        return s.hasPrefix("(") ? String(s.dropFirst().dropLast()) : s
    }

    func text(_ p: Int) -> String {
        let node = nodes[p]
        switch node.operation {
        case .variable(let i): return String(UnicodeScalar(UInt8(65 + i)))
        case .not: return "¬" + text(node.children[0])
        case .and: return "(" + text(node.children[0]) + "*" + text(node.children[1]) + ")"
        case .or: return "(" + text(node.children[0]) + "+" + text(node.children[1]) + ")"
        }
    }

    /// Every node's value on the inputs `x` (bit i of input i), by position; `override` fixes one
    /// node (by position) to a value, as an interchange intervention on it does.
    public func values(_ x: [Int], override: (position: Int, value: Int)? = nil) -> [Int] {
        var out = [Int](repeating: 0, count: nodes.count)
        func eval(_ p: Int) -> Int {
            if let o = override, o.position == p {
                // The subtree below an intervened node is not evaluated (its values stay 0 and are
                // never read).
                out[p] = o.value
                return o.value
            }
            let node = nodes[p]
            let v: Int
            switch node.operation {
            case .variable(let i): v = x[i]
            case .not: v = 1 - eval(node.children[0])
            case .and: v = eval(node.children[0]) & eval(node.children[1])
            case .or: v = eval(node.children[0]) | eval(node.children[1])
            }
            out[p] = v
            return v
        }
        _ = eval(0)
        return out
    }

    /// The formula's output on `x`.
    public func evaluate(_ x: [Int], override: (position: Int, value: Int)? = nil) -> Int {
        values(x, override: override)[0]
    }

    /// The nodes an explanation maps onto the network (`find_minimal_mappings`'s relevant nodes):
    /// internal nodes other than the root, except the child of a NOT (the NOT stands for it);
    /// positions in ascending id.
    public var mappedNodes: [Int] {
        var underNot = Set<Int>()
        for node in nodes where node.operation == .not { underNot.insert(node.children[0]) }
        return nodes.indices.filter { $0 != 0 && !nodes[$0].children.isEmpty && !underNot.contains($0) }
            .sorted { nodes[$0].id < nodes[$1].id }
    }

    // MARK: Building

    /// A tree before ids, as the published generator builds it.
    indirect enum Shape: Sendable {
        case variable(Int)
        case and(Shape, Shape)
        case or(Shape, Shape)

        var text: String {
            switch self {
            case .variable(let i): return String(UnicodeScalar(UInt8(65 + i)))
            case .and(let l, let r): return "(" + l.text + "*" + r.text + ")"
            case .or(let l, let r): return "(" + l.text + "+" + r.text + ")"
            }
        }

        /// The published `str()`: outer parentheses dropped.
        var string: String {
            let s = text
            return s.hasPrefix("(") ? String(s.dropFirst().dropLast()) : s
        }

        var nodeCount: Int {
            switch self {
            case .variable: return 1
            case .and(let l, let r), .or(let l, let r): return 1 + l.nodeCount + r.nodeCount
            }
        }
    }

    /// The published `all_formulas(depth, variables)`: trees of depth exactly `depth` over
    /// `variables` inputs; a binary node's left child has depth `depth − 1`, its right child any
    /// smaller depth, kept when the left's string sorts before the right's; AND before OR.
    static func shapes(depth: Int, variables: Int) -> [Shape] {
        var byDepth: [[Shape]] = [(0..<variables).map { .variable($0) }]
        while byDepth.count <= depth {
            let d = byDepth.count
            var out: [Shape] = []
            for left in byDepth[d - 1] {
                let l = left.string
                for smaller in byDepth.prefix(d) {
                    for right in smaller where l.unicodeScalars.lexicographicallyPrecedes(right.string.unicodeScalars) {
                        out.append(.and(left, right))
                        out.append(.or(left, right))
                    }
                }
            }
            byDepth.append(out)
        }
        return byDepth[depth]
    }

    /// The formula of a shape whose base nodes (preorder ids 0, 1, …) listed in `negated` are
    /// wrapped in NOT, the NOTs numbered next in preorder of the result.
    static func build(_ shape: Shape, negated: Set<Int>) -> BooleanFormula {
        // First pass: base ids in preorder of the shape.
        var nodes: [Node] = []
        var nextBase = 0
        let baseCount = shape.nodeCount
        var nextNot = baseCount
        // Emits the subtree in preorder of the negated formula: a negated node's NOT comes first.
        func emit(_ s: Shape) -> Int {
            let id = nextBase
            nextBase += 1
            if negated.contains(id) {
                let position = nodes.count
                nodes.append(Node(operation: .not, children: [], id: -1))
                let child = emitBody(s, id: id)
                nodes[position].children = [child]
                return position
            }
            return emitBody(s, id: id)
        }
        func emitBody(_ s: Shape, id: Int) -> Int {
            let position = nodes.count
            switch s {
            case .variable(let i):
                nodes.append(Node(operation: .variable(i), children: [], id: id))
            case .and(let l, let r), .or(let l, let r):
                let operation: Operation
                if case .and = s { operation = .and } else { operation = .or }
                nodes.append(Node(operation: operation, children: [], id: id))
                let left = emit(l)
                let right = emit(r)
                nodes[position].children = [left, right]
            }
            return position
        }
        _ = emit(shape)
        // NOT ids: the next free ids in preorder of the negated formula (positions are preorder).
        for p in nodes.indices where nodes[p].id == -1 {
            nodes[p].id = nextNot
            nextNot += 1
        }
        return BooleanFormula(nodes: nodes)
    }

    /// The candidate formulas for a gate with truth table `table` (`table[x]` for the inputs' bits
    /// x, the first input most significant), as the published `get_formula_dataset` makes them:
    /// every formula of depth 0 … `maxDepth` over AND and OR (``shapes(depth:variables:)``), in
    /// that order; for each, the first set of its nodes (by size, then lexicographically by id)
    /// whose negation computes the gate; formulas kept once per base string. For XOR with
    /// `maxDepth` 3 (a network with two hidden layers: depth + 1) there are 56.
    public static func candidates(table: [Int], variables: Int = 2, maxDepth: Int) -> [BooleanFormula] {
        precondition(table.count == 1 << variables, "one output per input pattern")
        var out: [BooleanFormula] = []
        var seen = Set<String>()
        for depth in 0...maxDepth {
            for shape in shapes(depth: depth, variables: variables) {
                let n = shape.nodeCount
                search: for size in 0...n {
                    for subset in combinations(n, size) {
                        let formula = build(shape, negated: Set(subset))
                        let computes = (0..<table.count).allSatisfy { x in
                            formula.evaluate((0..<variables).map { (x >> (variables - 1 - $0)) & 1 }) == table[x]
                        }
                        guard computes else { continue }
                        if seen.insert(shape.string).inserted { out.append(formula) }
                        break search
                    }
                }
            }
        }
        return out
    }

    /// The `size`-subsets of 0..<n in lexicographic order (Python's `itertools.combinations`).
    static func combinations(_ n: Int, _ size: Int) -> [[Int]] {
        var out: [[Int]] = []
        var current: [Int] = []
        func extend(_ start: Int) {
            if current.count == size { out.append(current); return }
            guard start < n else { return }
            for i in start..<n {
                current.append(i)
                extend(i + 1)
                current.removeLast()
            }
        }
        extend(0)
        return out
    }
}
