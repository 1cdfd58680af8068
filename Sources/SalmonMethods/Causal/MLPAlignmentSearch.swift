import SalmonNetworks
import SalmonStatistics

/// Distributed alignment search on an ``MLP``'s hidden layer — the setting of Geiger et al. 2024
/// ("Finding alignments between interpretable causal variables and distributed neural
/// representations", CLeaR), whose hierarchical-equality network is an MLP on vectors
/// (``SyntheticTasks/hierarchicalEqualityVectors(examples:dimension:stream:)``): an alignment map
/// is fitted, with the network frozen, so that swapping the first k aligned coordinates of the
/// layer's row from a source input into a base input makes the network give the counterfactual
/// answer. The fitting and IIA are ``InterventionRuns``' (shared with the transformer's
/// ``DistributedAlignmentSearch``); the answers are output classes, LD = output[correct] − output[wrong].
public struct MLPAlignmentSearch: Sendable {
    public let model: MLP
    /// A hidden layer's row: `layers.ℓ.pre` or `layers.ℓ.post`, ℓ below the output layer.
    public let site: String

    /// - Throws: ``MethodError`` for a site that is not a hidden layer's.
    public init(model: MLP, site: String) throws {
        guard let (name, unit) = MLPActivationPatching.component(site), unit == nil,
              let l = Int(name.split(separator: ".")[1]), (0..<(model.layers.count - 1)).contains(l) else {
            throw MethodError("interchange intervention on an MLP: a hidden layer's row, layers.0–\(model.layers.count - 2).{pre, post}; found '\(site)'")
        }
        self.model = model
        self.site = site
    }

    /// The layer's width.
    public var width: Int { model.layers[Int(site.split(separator: ".")[1]) ?? 0].outFeatures }

    /// The site's rows of `inputs`, `rows × width` in `Double`.
    public func activations(_ inputs: Tensor) -> [Double] {
        (model.forward(inputs, hooks: Hooks(capture: [site])).captured[site]?.scalars ?? []).map(Double.init)
    }

    /// The runs of base inputs `base` with sources `source` (row r of each a pair) and the
    /// counterfactual answers (output classes).
    /// - Throws: ``MethodError`` when the inputs are not rows of the network's input width, the
    ///   counts differ, there are no pairs, or an answer is not an output class.
    public func runs(base: Tensor, source: Tensor, correct: [Int], wrong: [Int]) throws -> MLPInterventionRuns {
        let inWidth = model.layers[0].inFeatures, classes = model.layers[model.layers.count - 1].outFeatures
        for (name, t) in [("base", base), ("source", source)] {
            guard t.rank == 2, t.shape[1] == inWidth else {
                throw MethodError("interchange intervention: the \(name) inputs have shape \(t.shape), expected [pairs, \(inWidth)]")
            }
        }
        let n = base.shape[0]
        guard n >= 1, source.shape[0] == n, correct.count == n, wrong.count == n else {
            throw MethodError("interchange intervention: expected one source, correct and wrong answer per base (\(n)), found \(source.shape[0]), \(correct.count), \(wrong.count)")
        }
        try MethodError.requireIndices(["correct answer": correct, "wrong answer": wrong], below: classes,
                                       method: "interchange intervention", kind: "class", range: "the network's")
        return MLPInterventionRuns(search: self, inputs: base, correct: correct, wrong: wrong,
                                   base: activations(base), source: activations(source))
    }
}

/// An MLP's interchange-intervention runs (``MLPAlignmentSearch/runs(base:source:correct:wrong:)``).
public struct MLPInterventionRuns: InterventionRuns {
    let search: MLPAlignmentSearch
    /// The base inputs, `[count, in]`.
    let inputs: Tensor
    let correct: [Int], wrong: [Int]
    public let base: [Double]
    public let source: [Double]

    public var width: Int { search.width }
    public var count: Int { correct.count }

    private func run(rows: [Int], values: [Double], capture: Bool) -> (pass: ForwardPass, differences: [Double]) {
        let x = rows.count == count && rows.elementsEqual(0..<count) ? inputs : inputs.rows(rows)
        let replacement = Tensor(shape: [rows.count, width], scalars: values.map(Float.init))
        let hooks = Hooks(capture: capture ? [search.site] : [], replace: [search.site: replacement])
        let pass = search.model.forward(x, hooks: hooks)
        return (pass, MLPActivationPatching.differences(pass.output, correct: rows.map { correct[$0] }, wrong: rows.map { wrong[$0] }))
    }

    public func logitDifferences(rows: [Int], values: [Double]) -> [Double] {
        run(rows: rows, values: values, capture: false).differences
    }

    public func lossAndValueGradient(rows: [Int], values: [Double]) -> (loss: Double, gradient: [Double]) {
        let (pass, ld) = run(rows: rows, values: values, capture: true)
        let (loss, slopes) = Self.softplusLoss(ld)
        let classes = pass.output.shape[1]
        var outputGradient = Tensor(zeros: pass.output.shape)
        for (k, r) in rows.enumerated() {
            outputGradient.scalars[k * classes + correct[r]] += Float(slopes[k])
            outputGradient.scalars[k * classes + wrong[r]] -= Float(slopes[k])
        }
        let g = search.model.backward(pass, outputGradient: outputGradient).sites[search.site]
        return (loss, g?.scalars.map(Double.init) ?? [Double](repeating: 0, count: rows.count * width))
    }
}
