import Dispatch
import Foundation
import SalmonNetworks

/// Exhaustive circuit enumeration for small MLPs, with work shared between circuits.
///
/// Enumeration rule (REFERENCES.md, "Identifiability of circuits"): every layer after the input
/// keeps a non-empty subset of its nodes, in every combination except the one where all nodes are
/// kept; for each combination and each pair of adjacent layers, the edge masks are all 0/1
/// matrices supported on (kept upper nodes × kept lower nodes) with at least one edge in every row
/// and every column. For [2, 3, 3, 1] that is 3,000 candidates; [2, 4, 4, 1] 1,067,648; [2, 5, 5, 1]
/// 1,247,432,400 (``candidateCount(sizes:)``).
///
/// Evaluation shares work: an edge mask is a choice, for each kept upper node j, of the non-empty
/// set R_j of lower nodes it reads, with the R_j covering the kept lower nodes. Node j's
/// activation depends only on R_j, so it is computed once per (j, R_j) — by adding one term to the
/// sum for R_j without its highest node — and reused by every circuit that makes the same choice;
/// in the last hidden layer each node's contribution to the output is precomputed the same way, and
/// a circuit costs one vector addition and one test. Rows are the distinct validation inputs, in
/// SIMD lanes (at most 8). Sums run in ascending node order, then the bias is added, as a dot
/// product followed by the bias does.
///
/// Order: circuits are visited in a fixed order — per layer, node subsets by increasing bitmask;
/// per upper node in increasing index, its input subset by increasing bitmask — and perfect
/// circuits are listed in that order, whatever the number of workers.
public struct CircuitEnumerator: Sendable {
    public let model: MLP
    public let validation: CircuitValidation
    /// Store at most this many perfect circuits (their count is always exact).
    public var keepLimit: Int
    /// When set, a uniform sample of the perfect circuits is also kept (``CircuitCensus/sample``):
    /// the `size` with the smallest ``Circuit/sampleKey(seed:)`` (bottom-k sampling by a seeded
    /// hash, Cohen & Kaplan, "Summarizing data using bottom-k sketches", PODC 2007), listed by key
    /// — all of them, by key, when there are at most `size`. The sample is a function of the
    /// circuits and the seed alone, not of the workers or the order.
    public var sample: (size: Int, seed: UInt64)?

    /// The most candidates an enumeration takes on unless asked for more: 10¹¹, about 20
    /// core-minutes at the 8 · 10⁷ candidates per core-second measured on [2, 5, 5, 1]
    /// (1,247,432,400 candidates in 15.5 CPU s). [2, 4, 4, 4, 1] (4.4 · 10¹⁰) fits; [2, 6, 6, 1]
    /// (5.2 · 10¹²) and [2, 8, 8, 1] (4.7 · 10²¹, which would never end) do not.
    public static let defaultMaximumCandidates = 1e11

    /// - Parameters:
    ///   - maximumCandidates: refuse a model with more candidate circuits than this
    ///     (``candidateCount(sizes:)``), rather than start an enumeration that would not end.
    /// - Throws: ``MethodError`` when the model has more than one output, a layer wider than 16,
    ///   more candidates than `maximumCandidates`, or more than 8 distinct validation rows.
    public init(model: MLP, validation: CircuitValidation, keepLimit: Int = 100_000,
                maximumCandidates: Double = defaultMaximumCandidates) throws {
        let sizes = model.sizes
        guard sizes.last == 1 else { throw MethodError("circuit enumeration needs a single output node; the model has \(sizes.last ?? 0)") }
        guard sizes.count >= 3 else { throw MethodError("circuit enumeration needs at least one hidden layer") }
        guard sizes.allSatisfy({ $0 <= 16 }) else { throw MethodError("circuit enumeration is limited to layers of at most 16 nodes; sizes are \(sizes)") }
        let candidates = Self.candidateCount(sizes: sizes)
        guard candidates <= maximumCandidates else {
            throw MethodError("sizes \(sizes) have \(String(format: "%.3g", candidates)) candidate circuits, more than the limit of \(String(format: "%.3g", maximumCandidates))")
        }
        guard validation.targets.count <= 8, validation.inputs.shape[1] == sizes[0] else {
            throw MethodError("circuit validation needs at most 8 distinct rows of \(sizes[0]) inputs")
        }
        self.model = model
        self.validation = validation
        self.keepLimit = keepLimit
    }

    /// The number of a×b 0/1 matrices with at least one 1 in every row and every column, by
    /// inclusion–exclusion over empty columns: Σᵢ (−1)ⁱ C(b, i) (2^(b−i) − 1)^a.
    public static func coveringMatrices(rows a: Int, columns b: Int) -> Double {
        var total = 0.0
        for i in 0...b {
            let term = binomial(b, i) * pow(pow(2, Double(b - i)) - 1, Double(a))
            total += i % 2 == 0 ? term : -term
        }
        return total
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0 && k <= n else { return 0 }
        var r = 1.0
        for i in 0..<k { r = r * Double(n - i) / Double(i + 1) }
        return r
    }

    /// The number of candidate circuits of an MLP with these layer sizes (exact below 2⁵³).
    public static func candidateCount(sizes: [Int]) -> Double {
        precondition(sizes.count >= 2, "at least an input and an output layer")
        // Sum over kept-node counts per layer (after the input) of the choices of subsets times
        // the covering edge masks between consecutive layers; minus the all-kept combination.
        func recurse(_ layer: Int, _ lowerKept: Int, _ allFull: Bool) -> Double {
            if layer == sizes.count { return allFull ? 0 : 1 }
            var total = 0.0
            for k in 1...sizes[layer] {
                let ways = binomial(sizes[layer], k) * coveringMatrices(rows: k, columns: lowerKept)
                total += ways * recurse(layer + 1, k, allFull && k == sizes[layer])
            }
            return total
        }
        return recurse(1, sizes[0], true)
    }

    /// Enumerates and evaluates every candidate circuit, using `jobs` threads.
    public func run(jobs: Int = 1) -> CircuitCensus {
        let sizes = model.sizes
        let layers = model.layers
        let m = validation.targets.count
        // Each input node's activation over the distinct rows.
        var columns = [SIMD8<Float>](repeating: .zero, count: sizes[0])
        for i in 0..<sizes[0] { for r in 0..<m { columns[i][r] = validation.inputs[r, i] } }
        let inputActs = columns
        var targets = SIMD8<Float>(repeating: -1), weights = SIMD8<Float>.zero
        for r in 0..<m { targets[r] = validation.targets[r]; weights[r] = Float(validation.weights[r]) }
        let needed = Float(validation.threshold * validation.weights.reduce(0, +))
        let context = Context(sizes: sizes, weights: layers.map { $0.weight.scalars }, biases: layers.map { $0.bias.scalars },
                              hidden: model.hiddenActivation, output: model.outputActivation,
                              targets: targets, rowWeights: weights, needed: needed,
                              keepLimit: keepLimit, sampleSize: sample.map { max(0, $0.size) } ?? 0, sampleSeed: sample?.seed)
        // Parallel over the first hidden layer's (node subset, edge mask) choices.
        let firstChoices = context.choices(upperWidth: sizes[1], lowerKept: (1 << UInt64(sizes[0])) - 1)
        let ledger = StoredPrefix(count: firstChoices.count, keepLimit: keepLimit)
        let partials = ParallelMap.run(count: firstChoices.count, jobs: jobs) { c -> PartialCensus in
            var state = SearchState(context: context, index: c, ledger: ledger)
            state.runFirstLayer(firstChoices[c], inputActs: inputActs)
            if ledger.isFilled(before: c) { state.result.perfect = [] }
            ledger.finish(c, stored: state.result.perfect.count)
            return state.result
        }
        var census = CircuitCensus(sizes: sizes, candidates: 0, perfectCount: 0, perfect: [])
        for partial in partials {
            census.candidates += partial.candidates
            census.perfectCount += partial.perfectCount
        }
        for partial in partials { for circuit in partial.perfect where census.perfect.count < keepLimit { census.perfect.append(circuit) } }
        if let sample {
            var pool = SampleReservoir(size: max(0, sample.size))
            for partial in partials { pool.merge(partial.reservoir) }
            census.sample = pool.sorted().map(\.circuit)
        }
        return census
    }
}

/// What the enumeration shares between workers (read-only).
struct Context: Sendable {
    let sizes: [Int]
    let weights: [[Float]]
    let biases: [[Float]]
    let hidden: Activation
    let output: Activation
    let targets: SIMD8<Float>
    let rowWeights: SIMD8<Float>
    let needed: Float
    let keepLimit: Int
    /// The bottom-k sample's size and seed (nil: no sample).
    let sampleSize: Int
    let sampleSeed: UInt64?

    /// One choice for an upper layer: kept nodes and, per kept node in increasing order, its input set.
    struct Choice: Sendable {
        var kept: UInt64
        var rows: [UInt64]
    }

    /// Every (kept subset, covering edge mask) for an upper layer over `lowerKept`, in the
    /// enumeration order (kept subsets by increasing bitmask; per kept node, in increasing index,
    /// its input set by increasing bitmask).
    func choices(upperWidth: Int, lowerKept: UInt64) -> [Choice] {
        var out: [Choice] = []
        for kept in UInt64(1)..<(UInt64(1) << UInt64(upperWidth)) {
            let count = kept.nonzeroBitCount
            var rows = [UInt64](repeating: 0, count: count)
            func assign(_ t: Int, _ union: UInt64) {
                if t == count {
                    if union == lowerKept { out.append(Choice(kept: kept, rows: rows)) }
                    return
                }
                var s: UInt64 = 0
                while true {
                    s = (s &- lowerKept) & lowerKept  // the next submask of lowerKept, increasing
                    if s == 0 { break }
                    rows[t] = s
                    assign(t + 1, union | s)
                }
            }
            assign(0, 0)
        }
        return out
    }

    @inline(__always)
    func activate(_ v: SIMD8<Float>, _ a: Activation) -> SIMD8<Float> {
        switch a {
        case .identity: return v
        case .relu: return pointwiseMax(v, .zero)
        case .leakyReLU(let slope): return v.replacing(with: v * slope, where: v .< 0)
        default:
            var out = v
            for i in 0..<8 { out[i] = a.apply(v[i]) }
            return out
        }
    }

    var leafTest: LeafTest {
        LeafTest(output: output, targets: targets, rowWeights: rowWeights, needed: needed)
    }
}

/// The perfect-circuit test on an output pre-activation, specialized for (leaky) ReLU and
/// identity outputs: LeakyReLU with slope a ∈ [0, 1] is max(x, a·x), two vector operations.
struct LeafTest: Sendable {
    let slope: Float
    /// 0 identity, 1 (leaky) ReLU, 2 any other activation (element by element).
    let kind: UInt8
    let output: Activation
    let targets: SIMD8<Float>
    let rowWeights: SIMD8<Float>
    let needed: Float

    init(output: Activation, targets: SIMD8<Float>, rowWeights: SIMD8<Float>, needed: Float) {
        self.output = output
        self.targets = targets
        self.rowWeights = rowWeights
        self.needed = needed
        switch output {
        case .identity: kind = 0; slope = 1
        case .relu: kind = 1; slope = 0
        case .leakyReLU(let a) where a >= 0 && a <= 1: kind = 1; slope = a
        default: kind = 2; slope = 0
        }
    }

    @inline(__always)
    func isPerfect(_ pre: SIMD8<Float>) -> Bool {
        var y = pre
        if kind == 1 {
            y = pointwiseMax(pre, pre * slope)
        } else if kind == 2 {
            for i in 0..<8 { y[i] = output.apply(pre[i]) }
        }
        let correct = SIMD8<Float>.zero.replacing(with: rowWeights, where: Self.roundedHalfEven(y) .== targets)
        return correct.sum() > needed
    }

    /// Round half to even without SSE4.1's `roundps` (Swift's generic `rounded` becomes eight `rint`
    /// calls on baseline x86-64): adding and subtracting 1.5·2²³ leaves the nearest integer, ties to
    /// even, for |x| < 2²² under the default rounding mode; larger values take the exact library path.
    @inline(__always)
    static func roundedHalfEven(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let limit = SIMD8<Float>(repeating: 4_194_304)
        if any((x .>= limit) .| (x .<= -limit)) { return x.rounded(.toNearestOrEven) }
        return (x + magic) - magic
    }
}

/// Leaf counters of the inner loop.
struct LeafCounts {
    var candidates = 0
    var perfect = 0
}

/// A worker's partial census.
struct PartialCensus: Sendable {
    var candidates: Double = 0
    var perfectCount: Double = 0
    var perfect: [Circuit] = []
    var reservoir = SampleReservoir(size: 0)
}

/// The circuits with the `size` smallest sample keys seen so far: entries are appended when below
/// the threshold, and every time there are 2·size of them the smallest `size` are kept and the
/// threshold becomes the largest kept key — nothing above it can be among the smallest `size`.
struct SampleReservoir: Sendable {
    let size: Int
    var entries: [(key: UInt64, circuit: Circuit)] = []
    var threshold = UInt64.max

    init(size: Int) { self.size = size }

    /// Whether a circuit with this key could still be in the sample.
    @inline(__always) func admits(_ key: UInt64) -> Bool { size > 0 && key < threshold }

    mutating func insert(_ key: UInt64, _ circuit: @autoclosure () -> Circuit) {
        guard admits(key) else { return }
        entries.append((key, circuit()))
        if entries.count >= 2 * size { compact() }
    }

    mutating func compact() {
        entries.sort { $0.key < $1.key }
        if entries.count > size { entries.removeLast(entries.count - size) }
        if entries.count == size, let last = entries.last { threshold = last.key }
    }

    mutating func merge(_ other: SampleReservoir) {
        for e in other.entries { insert(e.key, e.circuit) }
    }

    /// The sample, by increasing key.
    func sorted() -> [(key: UInt64, circuit: Circuit)] {
        var copy = self
        copy.compact()
        return copy.entries
    }
}

/// One worker's depth-first search below one first-layer choice.
/// How many perfect circuits the finished leading work items stored: once the items before item i
/// are all finished and stored `keepLimit` between them, item i's circuits cannot be among the
/// first `keepLimit` and it stops storing them. That bounds the memory of an enumeration with
/// millions of perfect circuits to a few keep limits (the running items') without changing which
/// circuits are kept.
final class StoredPrefix: @unchecked Sendable {
    private var stored: [Int?]
    private var prefixEnd = 0, prefixSum = 0
    private let keepLimit: Int
    private let lock = NSLock()

    init(count: Int, keepLimit: Int) {
        stored = Array(repeating: nil, count: count)
        self.keepLimit = keepLimit
    }

    func finish(_ i: Int, stored count: Int) {
        lock.lock(); defer { lock.unlock() }
        stored[i] = count
        while prefixEnd < stored.count, let c = stored[prefixEnd] {
            prefixSum += c
            prefixEnd += 1
        }
    }

    /// Whether the items before `i` are known to fill the keep limit by themselves.
    func isFilled(before i: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return prefixEnd <= i && prefixSum >= keepLimit
    }
}

struct SearchState {
    let context: Context
    var result = PartialCensus()
    /// This work item's index, and what the items before it stored.
    let index: Int
    let ledger: StoredPrefix?
    /// Set once the items before this one fill the keep limit: nothing more is stored.
    var prefixFilled = false
    /// The circuit being built: kept nodes per layer after the input, and each kept node's inputs.
    var nodes: [UInt64]
    var rows: [[UInt64]]

    init(context: Context, index: Int = 0, ledger: StoredPrefix? = nil) {
        self.context = context
        self.index = index
        self.ledger = ledger
        if context.sampleSeed != nil { result.reservoir = SampleReservoir(size: context.sampleSize) }
        nodes = [UInt64](repeating: 0, count: context.sizes.count - 1)
        rows = context.sizes.dropFirst().map { [UInt64](repeating: 0, count: $0) }
    }

    /// Sums Σ_{i ∈ R} W[j, i]·a_i for every R ⊆ lowerKept (index = R as a bitmask), in ascending
    /// node order: sum(R) = sum(R without its highest node) + W[j, high]·a_high.
    func subsetSums(matrix: Int, node j: Int, lowerKept: UInt64, acts: [SIMD8<Float>]) -> [SIMD8<Float>] {
        let width = context.sizes[matrix]
        var sums = [SIMD8<Float>](repeating: .zero, count: 1 << width)
        let w = context.weights[matrix]
        var s: UInt64 = 0
        repeat {
            s = (s &- lowerKept) & lowerKept
            if s == 0 { break }
            let high = 63 - s.leadingZeroBitCount
            let rest = s & ~(UInt64(1) << UInt64(high))
            sums[Int(s)] = sums[Int(rest)] + w[j * width + high] * acts[high]
        } while true
        return sums
    }

    mutating func runFirstLayer(_ choice: Context.Choice, inputActs: [SIMD8<Float>]) {
        if context.sizes.count == 3 {
            // One hidden layer: the first layer is the last hidden layer.
            lastHidden(choice: choice, lowerActs: inputActs, allFull: true)
        } else {
            apply(layer: 1, choice: choice, lowerActs: inputActs, allFull: true)
        }
    }

    /// Records `choice` for layer `layer` and returns its nodes' activations (zero for nodes not kept):
    /// act(Σ_{i ∈ R_j} W[j, i]·a_i + b_j), summed in ascending i.
    mutating func activations(layer: Int, choice: Context.Choice, lowerActs: [SIMD8<Float>]) -> [SIMD8<Float>] {
        let width = context.sizes[layer], lowerWidth = context.sizes[layer - 1]
        nodes[layer - 1] = choice.kept
        var acts = [SIMD8<Float>](repeating: .zero, count: width)
        var t = 0
        for j in 0..<width {
            guard choice.kept >> UInt64(j) & 1 == 1 else { rows[layer - 1][j] = 0; continue }
            let r = choice.rows[t]
            rows[layer - 1][j] = r
            var sum = SIMD8<Float>.zero
            var bits = r
            while bits != 0 {
                let i = bits.trailingZeroBitCount
                sum += context.weights[layer - 1][j * lowerWidth + i] * lowerActs[i]
                bits &= bits - 1
            }
            acts[j] = context.activate(sum + context.biases[layer - 1][j], context.hidden)
            t += 1
        }
        return acts
    }

    /// Fixes layer `layer` (a hidden layer before the last) by `choice` and continues below it.
    mutating func apply(layer: Int, choice: Context.Choice, lowerActs: [SIMD8<Float>], allFull: Bool) {
        let width = context.sizes[layer]
        let full = allFull && choice.kept == (UInt64(1) << UInt64(width)) - 1
        let acts = activations(layer: layer, choice: choice, lowerActs: lowerActs)
        if layer + 1 == context.sizes.count - 2 {
            for kept in UInt64(1)..<(UInt64(1) << UInt64(context.sizes[layer + 1])) {
                lastHiddenLayer(kept: kept, lowerKept: choice.kept, lowerActs: acts, allFull: full)
            }
        } else {
            for next in context.choices(upperWidth: context.sizes[layer + 1], lowerKept: choice.kept) {
                apply(layer: layer + 1, choice: next, lowerActs: acts, allFull: full)
            }
        }
    }

    /// The first hidden layer is also the last (one hidden layer): its choice is made by the caller.
    mutating func lastHidden(choice: Context.Choice, lowerActs: [SIMD8<Float>], allFull: Bool) {
        let L = context.sizes.count - 1
        let width = context.sizes[L - 1]
        guard !(allFull && choice.kept == (UInt64(1) << UInt64(width)) - 1) else { return }
        let acts = activations(layer: L - 1, choice: choice, lowerActs: lowerActs)
        var sum = SIMD8<Float>.zero
        for j in 0..<width where choice.kept >> UInt64(j) & 1 == 1 { sum += context.weights[L - 1][j] * acts[j] }
        result.candidates += 1
        if context.leafTest.isPerfect(sum + context.biases[L - 1][0]) { recordPerfect(outputReads: choice.kept) }
    }

    /// The last hidden layer with kept nodes `kept` over the fixed layer below: every covering edge
    /// mask, with shared work. Node j's contribution to the output, w_out[j]·act(Σ_{i∈R} W[j,i]·a_i
    /// + b_j), is tabulated once for every input set R; a circuit is then a choice of R_j per kept
    /// node, covering `lowerKept`, and costs one vector addition at the innermost level.
    mutating func lastHiddenLayer(kept: UInt64, lowerKept: UInt64, lowerActs: [SIMD8<Float>], allFull: Bool) {
        let L = context.sizes.count - 1
        let width = context.sizes[L - 1], lowerWidth = context.sizes[L - 2]
        guard !(allFull && kept == (UInt64(1) << UInt64(width)) - 1) else { return }
        nodes[L - 2] = kept
        let keptNodes = (0..<width).filter { kept >> UInt64($0) & 1 == 1 }
        for j in 0..<width { rows[L - 2][j] = 0 }
        // contributions[t][R] for the t-th kept node.
        let tableSize = 1 << lowerWidth
        var contributions = [SIMD8<Float>](repeating: .zero, count: keptNodes.count * tableSize)
        for (t, j) in keptNodes.enumerated() {
            let sums = subsetSums(matrix: L - 2, node: j, lowerKept: lowerKept, acts: lowerActs)
            let bias = context.biases[L - 2][j], w = context.weights[L - 1][j]
            var s: UInt64 = 0
            while true {
                s = (s &- lowerKept) & lowerKept
                if s == 0 { break }
                contributions[t * tableSize + Int(s)] = w * context.activate(sums[Int(s)] + bias, context.hidden)
            }
        }
        let outputBias = SIMD8<Float>(repeating: context.biases[L - 1][0])
        let keptMask = UInt64(keptNodes.reduce(0) { $0 | (1 << $1) })
        var choice = [UInt64](repeating: 0, count: keptNodes.count)
        var counts = LeafCounts()
        let test = context.leafTest
        var found: [[UInt64]] = []
        if !prefixFilled, ledger?.isFilled(before: index) == true {
            prefixFilled = true
            result.perfect = []
        }
        let room = prefixFilled ? 0 : context.keepLimit - result.perfect.count
        // Sampling: the key is a sum of per-word terms (``Circuit/sampleKey(seed:)``), so the terms
        // of everything but this layer's rows are added once here and each perfect circuit adds its
        // kept nodes' rows; circuits whose key cannot enter the sample are never built.
        var sampleBase: UInt64 = 0
        var rowPositions: [Int] = []
        if let seed = context.sampleSeed {
            var n = nodes, e = rows
            n[L - 1] = 1
            e[L - 1] = [keptMask]
            for j in keptNodes { e[L - 2][j] = 0 }
            sampleBase = Circuit(nodes: n, edges: e).sampleKeySum(seed: seed, skippingRowsOf: L - 2, nodes: keptNodes)
            let offset = n.count + context.sizes.dropFirst().prefix(L - 2).reduce(0, +)
            rowPositions = keptNodes.map { offset + $0 }
        }
        var reservoir = result.reservoir
        result.reservoir = SampleReservoir(size: 0)   // leaves `reservoir` the only reference (no copy on write)
        let sampleSeed = context.sampleSeed
        contributions.withUnsafeBufferPointer { table in
            choice.withUnsafeMutableBufferPointer { current in
                guard let tableBase = table.baseAddress, let choiceBase = current.baseAddress else { return }
                Self.walk(0, keptNodes.count - 1, lowerKept, 0, outputBias, tableBase, tableSize, choiceBase, test, &counts) { chosen in
                    if let seed = sampleSeed {
                        var sum = sampleBase
                        for t in 0..<rowPositions.count { sum &+= Circuit.sampleTerm(seed: seed, position: rowPositions[t], word: chosen[t]) }
                        let key = Circuit.finalizeSampleKey(sum)
                        if reservoir.admits(key) {
                            var e = rows
                            e[L - 1] = [keptMask]
                            for t in 0..<keptNodes.count { e[L - 2][keptNodes[t]] = chosen[t] }
                            var n = nodes
                            n[L - 1] = 1
                            reservoir.insert(key, Circuit(nodes: n, edges: e))
                        }
                    }
                    if found.count < room {
                        found.append(Array(UnsafeBufferPointer(start: chosen, count: keptNodes.count)))
                    }
                }
            }
        }
        result.reservoir = reservoir
        result.candidates += Double(counts.candidates)
        result.perfectCount += Double(counts.perfect)
        for rowsOfKept in found {
            for (t, j) in keptNodes.enumerated() { rows[L - 2][j] = rowsOfKept[t] }
            storePerfect(outputReads: keptMask, sampled: true)
        }
    }

    /// The shared-work inner loop: chooses the input set of the t-th kept node of the last hidden
    /// layer, adds its tabulated contribution, and recurses; the last node takes every set that
    /// completes the cover (what is still missing, plus any subset of what is covered, non-empty).
    /// `onPerfect` sees the chosen sets of a perfect circuit (rare; everything else stays in registers).
    static func walk(_ t: Int, _ last: Int, _ lowerKept: UInt64, _ union: UInt64, _ partial: SIMD8<Float>,
                     _ table: UnsafePointer<SIMD8<Float>>, _ tableSize: Int, _ choice: UnsafeMutablePointer<UInt64>,
                     _ test: LeafTest, _ counts: inout LeafCounts, _ onPerfect: (UnsafeMutablePointer<UInt64>) -> Void) {
        let row = table + t * tableSize
        if t == last {
            let missing = lowerKept & ~union
            let free = lowerKept & union
            var extra: UInt64 = 0
            while true {
                let r = missing | extra
                if r != 0 {
                    counts.candidates += 1
                    if test.isPerfect(partial + row[Int(r)]) {
                        counts.perfect += 1
                        choice[t] = r
                        onPerfect(choice)
                    }
                }
                extra = (extra &- free) & free
                if extra == 0 { break }
            }
            return
        }
        var s: UInt64 = 0
        while true {
            s = (s &- lowerKept) & lowerKept
            if s == 0 { break }
            choice[t] = s
            walk(t + 1, last, lowerKept, union | s, partial + row[Int(s)], table, tableSize, choice, test, &counts, onPerfect)
        }
    }

    mutating func recordPerfect(outputReads: UInt64) {
        result.perfectCount += 1
        storePerfect(outputReads: outputReads)
    }

    /// Keeps the current circuit (if there is room, or if it enters the sample), its last hidden
    /// layer's rows already set.
    /// `sampled`: the circuit was already offered to the sample.
    mutating func storePerfect(outputReads: UInt64, sampled: Bool = false) {
        let L = context.sizes.count - 1
        var n = nodes, e = rows
        n[L - 1] = 1
        e[L - 1] = [outputReads]
        if !sampled, let seed = context.sampleSeed {
            let circuit = Circuit(nodes: n, edges: e)
            result.reservoir.insert(circuit.sampleKey(seed: seed), circuit)
        }
        guard !prefixFilled, result.perfect.count < context.keepLimit else { return }
        result.perfect.append(Circuit(nodes: n, edges: e))
    }
}
