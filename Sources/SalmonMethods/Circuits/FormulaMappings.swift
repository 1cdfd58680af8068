import SalmonNetworks

/// What a network's output does under every single-placement interchange intervention: for each
/// *placement* — a non-empty set of units of one hidden layer — and each ordered pair of the 2^d
/// binary inputs (source, base), the output bit (output > ½) of the network run on the base input
/// with the placement's units set to their values on the source input. Computed once per network
/// and shared by every candidate formula (``FormulaMappings``).
public struct InterchangeOutcomes: Sendable {
    /// One hidden layer's units.
    public struct Placement: Sendable, Hashable, Comparable {
        /// 1 = the first hidden layer.
        public var layer: Int
        public var units: UInt64
        public static func < (a: Placement, b: Placement) -> Bool { (a.layer, a.units) < (b.layer, b.units) }
    }

    public let inputCount: Int
    /// Every placement: layer by layer, unit sets by increasing bitmask.
    public let placements: [Placement]
    /// `bits[p][source · rows + base]`.
    let bits: [[UInt8]]

    /// - Throws: ``MethodError`` when the network does not have a single output, 1 … 6 inputs, a
    ///   hidden layer, and hidden layers of at most 12 units.
    public init(model: MLP) throws {
        let sizes = model.sizes
        let d = sizes[0]
        guard sizes.last == 1, sizes.count >= 3, (1...6).contains(d) else {
            throw MethodError("interchange outcomes need 1 to 6 binary inputs, a hidden layer and one output; sizes are \(sizes)")
        }
        guard sizes.dropFirst().dropLast().allSatisfy({ $0 <= 12 }) else {
            throw MethodError("interchange outcomes enumerate every set of a layer's units; layers are limited to 12 units, sizes are \(sizes)")
        }
        let rows = 1 << d
        var x = [Float](repeating: 0, count: rows * d)
        for r in 0..<rows { for i in 0..<d { x[r * d + i] = Float((r >> (d - 1 - i)) & 1) } }
        let inputs = Tensor(shape: [rows, d], scalars: x)
        let hiddenLayers = sizes.count - 2
        let clean = model.forward(inputs, hooks: Hooks(capture: Set((0..<hiddenLayers).map { "layers.\($0).post" })))
        var placements: [Placement] = [], bits: [[UInt8]] = []
        for layer in 1...hiddenLayers {
            let site = "layers.\(layer - 1).post"
            guard let activations = clean.captured[site] else { throw MethodError("the forward pass did not capture \(site)") }
            let width = sizes[layer]
            for units in UInt64(1)..<(UInt64(1) << UInt64(width)) {
                var outcome = [UInt8](repeating: 0, count: rows * rows)
                for source in 0..<rows {
                    var patched = activations
                    for base in 0..<rows {
                        for j in 0..<width where units >> UInt64(j) & 1 == 1 { patched[base, j] = activations[source, j] }
                    }
                    let output = model.forward(inputs, hooks: Hooks(replace: [site: patched])).output
                    for base in 0..<rows { outcome[source * rows + base] = output[base, 0] > 0.5 ? 1 : 0 }
                }
                placements.append(Placement(layer: layer, units: units))
                bits.append(outcome)
            }
        }
        self.inputCount = d
        self.placements = placements
        self.bits = bits
    }

    /// The output bit with placement `p` (an index into ``placements``) from `source` on `base`.
    public func outcome(_ p: Int, source: Int, base: Int) -> Int { Int(bits[p][source << inputCount | base]) }
}

/// Where a candidate formula's nodes sit in a network — Méloux et al.'s what-then-where view
/// (ICLR 2025), with the semantics of their published `find_minimal_mappings` (MI-identifiability,
/// commit c08b08d), checked against it on the same weights (`groundings_reference.py`).
///
/// - **Nodes mapped.** The formula's internal nodes other than the root, except the child of a
///   NOT (``BooleanFormula/mappedNodes``); the inputs are tied to the network's inputs and the root
///   to its output.
/// - **Samples and pairs.** The 2^d assignments of the variables in product order over a
///   variable order (A then B unless `variableOrder` says otherwise), and every unordered pair of
///   them once, the earlier as source and the later as base — so the test runs one way per pair.
///   (The published code takes the order of a Python set of variable names, which depends on the
///   process's string hashing; `groundings_reference.py` records the order each formula got.)
/// - **A valid placement for a node.** A non-empty set of units of one hidden layer such that, for
///   every pair, the network's output bit on the base input with those units taken from the source
///   (``InterchangeOutcomes``) equals the formula's output on the base with the node set to its
///   value on the source: a single-node interchange intervention with accuracy 1.
/// - **A mapping.** One valid placement per mapped node, the placements disjoint; a *minimal*
///   mapping is one no other mapping is contained in node by node. Because a node's validity does
///   not depend on the others' placements, a mapping is minimal exactly when each placement is a
///   minimal valid placement of its node (a valid placement of a node inside another would give a
///   smaller mapping, still disjoint), so minimal mappings are the disjoint choices among the
///   nodes' minimal placements — counted by a search over nodes, not by filtering every mapping.
///   A formula with no node to map has one (empty) mapping, as in the published code.
public struct FormulaMappings: Sendable {
    public let formula: BooleanFormula
    /// Positions in the formula of the mapped nodes, ascending by id.
    public let mappedNodes: [Int]
    /// Per mapped node, its minimal valid placements (indices into the outcomes' placements).
    public let minimalPlacements: [[InterchangeOutcomes.Placement]]

    /// - Parameters:
    ///   - variableOrder: the order of the variables the samples are enumerated in (a permutation
    ///     of 0 ..< d; nil for 0, 1, …).
    public init(formula: BooleanFormula, outcomes: InterchangeOutcomes, variableOrder: [Int]? = nil) {
        let d = outcomes.inputCount
        let order = variableOrder ?? Array(0..<d)
        // Sample k assigns the bits of k, most significant first, to the variables in `order`;
        // its network input row has input i's bit at position d − 1 − i.
        let rows = 1 << d
        var assignments: [[Int]] = []
        for k in 0..<rows {
            var x = [Int](repeating: 0, count: d)
            for (t, variable) in order.enumerated() { x[variable] = (k >> (d - 1 - t)) & 1 }
            assignments.append(x)
        }
        let row = assignments.map { x in x.enumerated().reduce(0) { $0 | $1.element << (d - 1 - $1.offset) } }
        let values = assignments.map { formula.values($0) }
        self.formula = formula
        self.mappedNodes = formula.mappedNodes
        var minimal: [[InterchangeOutcomes.Placement]] = []
        for n in mappedNodes {
            var valid: [InterchangeOutcomes.Placement] = []
            for (p, placement) in outcomes.placements.enumerated() {
                var holds = true
                pairs: for i in 0..<rows {
                    for j in (i + 1)..<max(i + 1, rows) {
                        let expected = formula.evaluate(assignments[j], override: (n, values[i][n]))
                        if outcomes.outcome(p, source: row[i], base: row[j]) != expected { holds = false; break pairs }
                    }
                }
                if holds { valid.append(placement) }
            }
            minimal.append(valid.filter { a in
                !valid.contains { b in b.layer == a.layer && b.units != a.units && b.units & ~a.units == 0 }
            })
        }
        self.minimalPlacements = minimal
    }

    /// The number of minimal mappings.
    public func count() -> Int {
        var total = 0
        visit { _ in total += 1; return true }
        return total
    }

    /// The minimal mappings, each a placement per mapped node (in ``mappedNodes``'s order), at most `limit`.
    public func list(limit: Int = 100_000) -> [[InterchangeOutcomes.Placement]] {
        var out: [[InterchangeOutcomes.Placement]] = []
        visit { m in
            out.append(m)
            return out.count < limit
        }
        return out
    }

    /// Visits every disjoint choice of minimal placements; `body` returns false to stop.
    func visit(_ body: ([InterchangeOutcomes.Placement]) -> Bool) {
        var chosen: [InterchangeOutcomes.Placement] = []
        var used: [Int: UInt64] = [:]
        var going = true
        func extend(_ k: Int) {
            guard going else { return }
            if k == mappedNodes.count { going = body(chosen); return }
            for placement in minimalPlacements[k] where (used[placement.layer] ?? 0) & placement.units == 0 {
                used[placement.layer, default: 0] |= placement.units
                chosen.append(placement)
                extend(k + 1)
                chosen.removeLast()
                used[placement.layer, default: 0] &= ~placement.units
                guard going else { return }
            }
        }
        extend(0)
    }
}
