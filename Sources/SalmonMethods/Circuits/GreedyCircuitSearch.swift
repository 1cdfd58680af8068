import SalmonNetworks
import SalmonStatistics

/// Circuit search for networks too large to enumerate: greedy pruning in the manner of ACDC
/// (Conmy et al., "Towards automated circuit discovery for mechanistic interpretability",
/// NeurIPS 2023). Starting from the whole network, repeatedly remove the component whose removal
/// hurts faithfulness least, as long as faithfulness stays at or above `threshold`; stop when every
/// further removal would fall below it.
///
/// Components are edges or nodes of an MLP, or attention heads and MLP blocks of a transformer;
/// removing one is an ablation — zero, mean (the unit's mean over the data) or resample (its value
/// on another input) — through the forward pass's hooks (``Hooks/nodeMasks``,
/// ``Hooks/nodeFills``, ``Hooks/edgeMasks``). Faithfulness is the circuit's task accuracy divided
/// by the full network's.
///
/// Restarts visit the components in orders shuffled by `seed → "greedy-circuit" → restart`, and ties
/// (equal faithfulness) go to the component earlier in that order, so restarts can end in different
/// circuits; all of them are returned with their pairwise Jaccard overlaps. Cost: O(C²) forward
/// passes per restart for C components.
public struct GreedyCircuitSearch: Sendable {
    /// How a removed unit is replaced.
    public enum Ablation: String, Sendable, Codable, CaseIterable {
        case zero, mean, resample
    }

    /// What can be removed, and how to run the network without a set of them.
    public struct Problem: Sendable {
        /// Component names, e.g. `layers.0.post[2]`, `W1[1,0]`, `blocks.1.attn.heads[3]`, `blocks.0.mlp`.
        public var components: [String]
        /// Per example, 1 when the network with the given components removed answers it
        /// correctly, else 0.
        public var correctness: @Sendable (Set<Int>) -> [Double]
        /// Per component, its class of exchangeable components — the hidden units of one MLP
        /// layer, the heads of one transformer block (an MLP block is alone in its class):
        /// components that training numbers arbitrarily, so that circuits of different networks
        /// compare up to a relabeling within each class (``alignedOverlap(_:_:)``). Nil when no
        /// such symmetry is declared (weights as components).
        public var exchangeableClasses: [Int]?

        public init(components: [String], exchangeableClasses: [Int]? = nil, correctness: @escaping @Sendable (Set<Int>) -> [Double]) {
            precondition(exchangeableClasses == nil || exchangeableClasses?.count == components.count, "one class per component")
            self.components = components
            self.exchangeableClasses = exchangeableClasses
            self.correctness = correctness
        }

        /// The Jaccard overlap of two circuits (kept components) maximized over every relabeling
        /// of the components within their exchangeable classes: Σ_c min(|A ∩ c|, |B ∩ c|) shared,
        /// since a permutation of a class can map any subset of it onto any other of the same size
        /// and classes permute independently; over |A| + |B| − shared. 1 for two empty circuits.
        /// Nil when the problem declares no classes.
        public func alignedOverlap(_ a: Set<Int>, _ b: Set<Int>) -> Double? {
            guard let classes = exchangeableClasses else { return nil }
            if a.isEmpty && b.isEmpty { return 1 }
            var countA: [Int: Int] = [:], countB: [Int: Int] = [:]
            for i in a where classes.indices.contains(i) { countA[classes[i], default: 0] += 1 }
            for i in b where classes.indices.contains(i) { countB[classes[i], default: 0] += 1 }
            let shared = countA.reduce(0) { $0 + min($1.value, countB[$1.key] ?? 0) }
            return Double(shared) / Double(a.count + b.count - shared)
        }

        /// Task accuracy of the network with the given components removed.
        public func accuracy(_ removed: Set<Int>) -> Double {
            let c = correctness(removed)
            return c.isEmpty ? 0 : c.reduce(0, +) / Double(c.count)
        }
    }

    public var threshold: Double
    public var restarts: Int
    public var seed: UInt64

    public init(threshold: Double = 0.99, restarts: Int = 5, seed: UInt64 = 1) {
        self.threshold = threshold
        self.restarts = restarts
        self.seed = seed
    }

    /// One restart's circuit.
    public struct Found: Sendable, Codable, Equatable {
        public var restart: Int
        /// Indices of the components kept, ascending.
        public var kept: [Int]
        public var faithfulness: Double
        public var evaluations: Int
    }

    public struct Result: Sendable, Codable, Equatable {
        public var components: [String]
        public var fullAccuracy: Double
        public var circuits: [Found]
        /// Distinct circuits among the restarts.
        public var distinct: Int
        /// Mean Jaccard overlap of the kept sets over pairs of restarts (nil with one restart).
        public var meanJaccard: Double?
    }

    /// Runs every restart.
    /// - Throws: ``MethodError`` when the full network's accuracy is 0 (faithfulness undefined).
    public func run(_ problem: Problem) throws -> Result {
        let full = problem.accuracy([])
        guard full > 0 else { throw MethodError("the full network has accuracy 0 on the data; faithfulness is undefined") }
        let c = problem.components.count
        var found: [Found] = []
        for r in 0..<restarts {
            var order = Array(0..<c)
            var s = RandomStream(seed: seed, path: ["greedy-circuit", .index(r)])
            order.shuffle(using: &s)
            var removed = Set<Int>(), evaluations = 1, faithfulness = 1.0
            while true {
                var best: (index: Int, value: Double)?
                for i in order where !removed.contains(i) {
                    var trial = removed
                    trial.insert(i)
                    let value = problem.accuracy(trial) / full
                    evaluations += 1
                    if value >= threshold, best == nil || value > best!.value { best = (i, value) }
                }
                guard let chosen = best else { break }
                removed.insert(chosen.index)
                faithfulness = chosen.value
            }
            found.append(Found(restart: r, kept: (0..<c).filter { !removed.contains($0) }, faithfulness: faithfulness,
                               evaluations: evaluations))
        }
        var jaccard = 0.0, pairs = 0
        for a in 0..<found.count {
            for b in (a + 1)..<max(a + 1, found.count) {
                let x = Set(found[a].kept), y = Set(found[b].kept)
                let union = x.union(y).count
                jaccard += union == 0 ? 1 : Double(x.intersection(y).count) / Double(union)
                pairs += 1
            }
        }
        return Result(components: problem.components, fullAccuracy: full, circuits: found,
                      distinct: Set(found.map(\.kept)).count, meanJaccard: pairs > 0 ? jaccard / Double(pairs) : nil)
    }

    // MARK: Problems

    /// Per row, whether the output matches its target (1) or not (0): a rounded single output, or
    /// the argmax of several (the first, on ties).
    static func correctness(_ output: Tensor, targets: [Float]) -> [Double] {
        let n = targets.count, k = output.count / max(n, 1)
        return (0..<n).map { i in
            if k == 1 { return output.scalars[i].rounded(.toNearestOrEven) == targets[i] ? 1 : 0 }
            var best = 0
            for j in 1..<k where output.scalars[i * k + j] > output.scalars[i * k + best] { best = j }
            return Float(best) == targets[i] ? 1 : 0
        }
    }

    /// The fill for an ablation at a site whose clean values are `values` `[rows, width]`.
    static func fill(_ values: Tensor, ablation: Ablation, stream: RandomStream) -> Tensor? {
        let width = values.shape.last ?? 1, rows = values.count / max(width, 1)
        switch ablation {
        case .zero: return nil
        case .mean:
            var mean = [Float](repeating: 0, count: width)
            for i in 0..<rows { for j in 0..<width { mean[j] += values.scalars[i * width + j] / Float(rows) } }
            return Tensor(shape: values.shape, scalars: (0..<values.count).map { mean[$0 % width] })
        case .resample:
            var s = stream
            var order = Array(0..<rows)
            order.shuffle(using: &s)
            var out = values
            for i in 0..<rows { for j in 0..<width { out.scalars[i * width + j] = values.scalars[order[i] * width + j] } }
            return out
        }
    }

    /// Hidden units of an MLP (`layers.i.post`, every layer but the last) as components.
    public static func mlpNodes(_ model: MLP, inputs: Tensor, targets: [Float], ablation: Ablation,
                                stream: RandomStream = RandomStream(seed: 1, path: ["resample"])) -> Problem {
        let hiddenLayers = model.layers.count - 1
        let sites = (0..<hiddenLayers).map { "layers.\($0).post" }
        let clean = model.forward(inputs, hooks: Hooks(capture: Set(sites))).captured
        var fills: [String: Tensor] = [:]
        for (i, site) in sites.enumerated() {
            if let values = clean[site], let f = fill(values, ablation: ablation, stream: stream.derived(index: i)) { fills[site] = f }
        }
        var names: [String] = [], location: [(String, Int)] = [], classes: [Int] = []
        for (l, site) in sites.enumerated() {
            for u in 0..<model.layers[l].outFeatures { names.append("\(site)[\(u)]"); location.append((site, u)); classes.append(l) }
        }
        let widths = Dictionary(uniqueKeysWithValues: sites.enumerated().map { ($1, model.layers[$0].outFeatures) })
        let units = location, siteFills = fills
        return Problem(components: names, exchangeableClasses: classes) { removed -> [Double] in
            var masks: [String: [Float]] = [:]
            for site in sites { masks[site] = [Float](repeating: 1, count: widths[site] ?? 0) }
            for r in removed { masks[units[r].0]?[units[r].1] = 0 }
            let out = model.forward(inputs, hooks: Hooks(nodeMasks: masks, nodeFills: siteFills)).output
            return correctness(out, targets: targets)
        }
    }

    /// Every weight of an MLP as a component, with the circuit semantics of Méloux et al.: edge
    /// ablation is zero ablation, and a hidden node that no edge from a kept node reaches is removed
    /// (node mask 0, so its bias no longer reaches the output) — every result is a circuit in the
    /// sense of ``CircuitEnumerator``.
    public static func mlpEdges(_ model: MLP, inputs: Tensor, targets: [Float]) -> Problem {
        var names: [String] = [], location: [(Int, Int, Int)] = []
        for (l, layer) in model.layers.enumerated() {
            for o in 0..<layer.outFeatures { for i in 0..<layer.inFeatures { names.append("W\(l)[\(o),\(i)]"); location.append((l, o, i)) } }
        }
        let edges = location
        return Problem(components: names) { removed -> [Double] in
            var masks: [Int: Tensor] = [:]
            for (l, layer) in model.layers.enumerated() { masks[l] = Tensor(repeating: 1, shape: [layer.outFeatures, layer.inFeatures]) }
            for r in removed { let (l, o, i) = edges[r]; masks[l]?[o, i] = 0 }
            // A node is kept when an edge reaches it from a kept node (inputs are always kept).
            var nodeMasks: [String: [Float]] = [:]
            var below = [Float](repeating: 1, count: model.layers[0].inFeatures)
            for l in 0..<(model.layers.count - 1) {
                let layer = model.layers[l]
                let kept: [Float] = (0..<layer.outFeatures).map { o in
                    (0..<layer.inFeatures).contains { below[$0] != 0 && (masks[l]?[o, $0] ?? 1) != 0 } ? 1 : 0
                }
                nodeMasks["layers.\(l).post"] = kept
                below = kept
            }
            return correctness(model.forward(inputs, hooks: Hooks(nodeMasks: nodeMasks, edgeMasks: masks)).output, targets: targets)
        }
    }

    /// Attention heads (zero ablation of the head's output, the only head ablation the forward
    /// pass supports) and whole MLP blocks (zero, mean or resample on `blocks.i.mlp.out`) of a
    /// transformer, judged by next-token accuracy at the last position.
    public static func transformerComponents(_ model: Transformer, tokens: [Int], batch: Int, length: Int, targets: [Int],
                                             ablation: Ablation, stream: RandomStream = RandomStream(seed: 1, path: ["resample"])) -> Problem {
        let c = model.configuration
        let mlpSites = (0..<c.layers).map { "blocks.\($0).mlp.out" }
        let clean = model.forward(tokens: tokens, batch: batch, length: length, hooks: Hooks(capture: Set(mlpSites))).captured
        var fills: [String: Tensor] = [:]
        for (i, site) in mlpSites.enumerated() {
            if let values = clean[site] {
                // Resample whole sequences: reshape to [batch, length·d] so rows are sequences.
                let flat = values.reshaped([batch, values.count / batch])
                if let f = fill(flat, ablation: ablation, stream: stream.derived(index: i)) { fills[site] = f.reshaped(values.shape) }
            }
        }
        var names: [String] = [], classes: [Int] = []
        var kinds: [(isHead: Bool, layer: Int, head: Int)] = []
        for l in 0..<c.layers {
            for h in 0..<c.heads { names.append("blocks.\(l).attn.heads[\(h)]"); kinds.append((true, l, h)); classes.append(2 * l) }
            names.append("blocks.\(l).mlp"); kinds.append((false, l, 0)); classes.append(2 * l + 1)
        }
        let parts = kinds, blockFills = fills
        return Problem(components: names, exchangeableClasses: classes) { removed -> [Double] in
            var masks: [String: [Float]] = [:]
            for l in 0..<c.layers { masks["blocks.\(l).attn.heads"] = [Float](repeating: 1, count: c.heads) }
            for r in removed {
                let k = parts[r]
                if k.isHead { masks["blocks.\(k.layer).attn.heads"]?[k.head] = 0 } else {
                    masks["blocks.\(k.layer).mlp.out"] = [Float](repeating: 0, count: c.dimension)
                }
            }
            let pass = model.forward(tokens: tokens, batch: batch, length: length, hooks: Hooks(nodeMasks: masks, nodeFills: blockFills))
            let v = c.vocabulary
            return (0..<batch).map { b in
                let row = (b * length + length - 1) * v
                var best = 0
                for j in 1..<v where pass.logits.scalars[row + j] > pass.logits.scalars[row + best] { best = j }
                return best == targets[b] ? 1 : 0
            }
        }
    }
}
