import Foundation
import SalmonNetworks
import SalmonStatistics

/// Interchange-intervention pairs for one causal variable: per pair a base and a source sequence,
/// and the answer the high-level model gives on the base with the variable set to its value on the
/// source (`correct`), contrasted with the other answer (`wrong`).
public struct InterchangePairs: Sendable, Equatable {
    public var base: [[Int]]
    public var source: [[Int]]
    public var correct: [Int]
    public var wrong: [Int]

    public init(base: [[Int]], source: [[Int]], correct: [Int], wrong: [Int]) {
        self.base = base
        self.source = source
        self.correct = correct
        self.wrong = wrong
    }

    public var count: Int { base.count }

    /// The pairs `rows`, in that order.
    public func subset(_ rows: [Int]) -> InterchangePairs {
        InterchangePairs(base: rows.map { base[$0] }, source: rows.map { source[$0] }, correct: rows.map { correct[$0] },
                         wrong: rows.map { wrong[$0] })
    }
}

/// How an alignment map is fitted: minibatch Adam (no weight decay) on the mean of
/// softplus(−LD) over the pairs, LD the logit difference correct − wrong of the intervened run at
/// the last position (the two-answer cross-entropy); minibatches in a fresh order each epoch.
public struct AlignmentTraining: Sendable, Equatable, Hashable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double

    public init(epochs: Int = 20, batchSize: Int = 64, learningRate: Double = 0.01) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
    }
}

/// Distributed alignment search on a transformer (Geiger et al. 2024, "Finding alignments between
/// interpretable causal variables and distributed neural representations", CLeaR): an alignment map
/// (``AlignmentMap``) is trained, with the model frozen, so that swapping the first k aligned
/// coordinates of one site at one position from a source run into a base run makes the model give
/// the answer the high-level model gives when its causal variable takes the source's value. Its
/// statistic is the interchange-intervention accuracy (IIA) on held-out pairs: the fraction whose
/// intervened run ranks the counterfactual answer above the other one (LD > 0; chance ½ for a
/// binary variable's two answers).
///
/// Deterministic given the map's initialization and the training stream (minibatch order).
public struct DistributedAlignmentSearch: Sendable {
    public let model: Transformer
    /// A site a forward pass replaces: `embed` or `blocks.i.{attn.out, mlp.hidden, mlp.out, resid}`.
    public let site: String
    /// The position whose activation is intervened on.
    public let position: Int
    /// The sequences' length.
    public let length: Int

    /// - Throws: ``MethodError`` for a site a forward pass does not replace or a position outside the sequence.
    public init(model: Transformer, site: String, position: Int, length: Int) throws {
        let c = model.configuration
        guard (1...c.context).contains(length) else {
            throw MethodError("interchange intervention: sequences of \(length) tokens on a model of context \(c.context)")
        }
        try PatchingComponent.position(site: site, position: position).check(layers: c.layers, heads: c.heads, length: length)
        self.model = model
        self.site = site
        self.position = position
        self.length = length
    }

    /// The width of the site (d for the residual stream, the MLP width for `mlp.hidden`).
    public var width: Int { site.hasSuffix("mlp.hidden") ? model.configuration.hidden : model.configuration.dimension }

    /// The runs of `sequences` with the site captured: its whole tensor `[count·length, width]`.
    func siteTensor(_ sequences: [[Int]]) throws -> Tensor {
        try check(sequences)
        let pass = model.forward(tokens: sequences.flatMap { $0 }, batch: sequences.count, length: length, hooks: Hooks(capture: [site]))
        guard let value = pass.captured[site] else { throw MethodError("interchange intervention: site \(site) was not captured") }
        return value
    }

    private func check(_ sequences: [[Int]]) throws {
        let v = model.configuration.vocabulary
        for (r, s) in sequences.enumerated() {
            guard s.count == length else { throw MethodError("interchange intervention: sequence \(r) has \(s.count) tokens, expected \(length)") }
            if let t = s.first(where: { !(0..<v).contains($0) }) {
                throw MethodError("interchange intervention: sequence \(r) holds token \(t), outside the vocabulary 0 … \(v - 1)")
            }
        }
    }

    /// The site's activations at the intervened position, `count × width` row-major in `Double`.
    public func activations(_ sequences: [[Int]]) throws -> [Double] {
        rows(of: try siteTensor(sequences), count: sequences.count)
    }

    func rows(of tensor: Tensor, count: Int) -> [Double] {
        let w = width
        var out = [Double](repeating: 0, count: count * w)
        for b in 0..<count {
            let o = (b * length + position) * w
            for j in 0..<w { out[b * w + j] = Double(tensor.scalars[o + j]) }
        }
        return out
    }

    /// The base runs' site tensor with the intervened position's rows replaced by `values`.
    func patched(_ tensor: Tensor, values: [Double], count: Int) -> Tensor {
        var t = tensor
        let w = width
        for b in 0..<count {
            let o = (b * length + position) * w
            for j in 0..<w { t.scalars[o + j] = Float(values[b * w + j]) }
        }
        return t
    }

    /// The base and source runs of `pairs`, ready to fit and score maps on (``InterventionRuns``).
    /// - Throws: ``MethodError`` for pairs of the wrong length, tokens outside the vocabulary or
    ///   answers that are not tokens.
    public func runs(_ pairs: InterchangePairs) throws -> TransformerInterventionRuns {
        try checkAnswers(pairs)
        let baseTensor = try siteTensor(pairs.base)
        return TransformerInterventionRuns(search: self, pairs: pairs, baseTensor: baseTensor,
                                           base: rows(of: baseTensor, count: pairs.count), source: try activations(pairs.source))
    }

    /// Per pair, LD = logit(correct) − logit(wrong) at the last position of the base run with the
    /// site at ``position`` set to the map's intervention.
    /// - Throws: ``MethodError`` for pairs of the wrong length or tokens outside the vocabulary,
    ///   or a map of another width.
    public func logitDifferences(_ map: some AlignmentMap, pairs: InterchangePairs) throws -> [Double] {
        guard map.dimension == width else { throw MethodError("interchange intervention: a map of width \(map.dimension) at \(site), whose width is \(width)") }
        return try runs(pairs).logitDifferences(map)
    }

    private func checkAnswers(_ pairs: InterchangePairs) throws {
        let v = model.configuration.vocabulary
        guard pairs.source.count == pairs.count, pairs.correct.count == pairs.count, pairs.wrong.count == pairs.count, pairs.count >= 1 else {
            throw MethodError("interchange intervention: expected one source, correct and wrong answer per base (\(pairs.count)), found \(pairs.source.count), \(pairs.correct.count), \(pairs.wrong.count)")
        }
        try MethodError.requireIndices(["correct answer": pairs.correct, "wrong answer": pairs.wrong], below: v,
                                       method: "interchange intervention", kind: "token", range: "the vocabulary")
    }

    /// IIA: the fraction of logit differences above 0 (over `rows`, all by default; a bootstrap passes a resample).
    public static func interchangeAccuracy(_ differences: [Double], rows: [Int]? = nil) -> Double {
        let rows = rows ?? Array(differences.indices)
        guard !rows.isEmpty else { return .nan }
        return Double(rows.reduce(0) { $0 + (differences[$1] > 0 ? 1 : 0) }) / Double(rows.count)
    }

    /// The mean two-answer loss softplus(−LD) of `map` on `pairs` and its parameter gradient.
    public func lossAndGradient(_ map: some AlignmentMap, pairs: InterchangePairs) throws -> (loss: Double, gradient: [Double]) {
        try runs(pairs).lossAndGradient(map)
    }

    /// Fits `map` to `pairs` (see ``AlignmentTraining``); minibatch orders from `stream`.
    /// - Returns: the fitted map and the mean training loss of each epoch.
    /// - Throws: ``MethodError`` for malformed pairs or a map of another width.
    public func fit<Map: AlignmentMap>(_ map: Map, pairs: InterchangePairs, training: AlignmentTraining,
                                       stream: RandomStream) throws -> (map: Map, losses: [Double]) {
        guard map.dimension == width else { throw MethodError("interchange intervention: a map of width \(map.dimension) at \(site), whose width is \(width)") }
        return try runs(pairs).fit(map, training: training, stream: stream)
    }
}

/// A transformer's interchange-intervention runs (``DistributedAlignmentSearch/runs(_:)``): the
/// base runs' whole site tensor, and the rows at the intervened position of base and source.
public struct TransformerInterventionRuns: InterventionRuns {
    let search: DistributedAlignmentSearch
    let pairs: InterchangePairs
    /// The base runs' site tensor, `[count · length, width]`.
    let baseTensor: Tensor
    public let base: [Double]
    public let source: [Double]

    public var width: Int { search.width }
    public var count: Int { pairs.count }

    /// The base runs' site tensor and pairs restricted to `rows` (the whole tensor for all rows in order).
    private func batch(_ rows: [Int]) -> (tensor: Tensor, pairs: InterchangePairs) {
        if rows.count == count && rows.elementsEqual(0..<count) { return (baseTensor, pairs) }
        let stride = search.length * width
        var tensor = Tensor(zeros: [rows.count * search.length, width])
        for (k, r) in rows.enumerated() {
            for t in 0..<stride { tensor.scalars[k * stride + t] = baseTensor.scalars[r * stride + t] }
        }
        return (tensor, pairs.subset(rows))
    }

    public func logitDifferences(rows: [Int], values: [Double]) -> [Double] {
        let (tensor, sub) = batch(rows)
        let hooks = Hooks(replace: [search.site: search.patched(tensor, values: values, count: rows.count)])
        let logits = search.model.forward(tokens: sub.base.flatMap { $0 }, batch: rows.count, length: search.length, hooks: hooks).logits
        return ActivationPatching.logitDifferences(logits, batch: rows.count, length: search.length, correct: sub.correct, wrong: sub.wrong)
    }

    public func lossAndValueGradient(rows: [Int], values: [Double]) -> (loss: Double, gradient: [Double]) {
        let (tensor, sub) = batch(rows)
        let n = rows.count, length = search.length, vocabulary = search.model.configuration.vocabulary, site = search.site
        let hooks = Hooks(capture: [site], replace: [site: search.patched(tensor, values: values, count: n)])
        let pass = search.model.forward(tokens: sub.base.flatMap { $0 }, batch: n, length: length, hooks: hooks)
        let ld = ActivationPatching.logitDifferences(pass.logits, batch: n, length: length, correct: sub.correct, wrong: sub.wrong)
        let (loss, slopes) = Self.softplusLoss(ld)
        var logitsGradient = Tensor(zeros: pass.logits.shape)
        for b in 0..<n {
            let row = (b * length + length - 1) * vocabulary
            logitsGradient.scalars[row + sub.correct[b]] += Float(slopes[b])
            logitsGradient.scalars[row + sub.wrong[b]] -= Float(slopes[b])
        }
        let siteGradient = search.model.backward(pass, logitsGradient: logitsGradient).sites[site] ?? Tensor(zeros: tensor.shape)
        return (loss, search.rows(of: siteGradient, count: n))
    }
}
