import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Neuron ablation (``NeuronAblation``) as claims: "these units memorize" — removing the units of
/// a hidden layer that a score picks changes the network's accuracy on a stated subset of the
/// data. The claim's site is the layer's activation: an MLP's `layers.ℓ.post`, or the hidden
/// units of a transformer block's MLP, `blocks.ℓ.mlp.hidden` (after the GELU; a unit is removed at
/// every position); its method says which units (`score`, `select`, `count`) and on which rows
/// (`subset`). A transformer is judged by its next-token prediction at the last position.
///
/// Scores: `fourier-ipr` — Doshi et al. 2023's inverse participation ratio of the unit's weights'
/// Fourier spectrum (``FourierParticipation``; a one-hidden-layer MLP on `modular-addition-one-hot`,
/// exponent `exponent`, default 2; low = memorizing), and `weight-norm` — the Euclidean norm of the
/// unit's incoming and outgoing weights together (the magnitude-pruning criterion).
///
/// Subsets (rows with their labels): `evaluation` (held out; a transformer's with their clean
/// answers), `training`, `training-clean` (the training rows whose label is true) and
/// `training-corrupted` (those whose label was replaced, `taskOptions.corruption` > 0, on
/// `modular-addition-one-hot` for an MLP or `modular-addition` for a transformer): accuracy on
/// corrupted labels is memorization.
///
/// Statistics, each the mean over the subset's rows of a per-row score (resampled as such):
/// `accuracyChange` = accuracy with the units removed − accuracy with them (larger: removal
/// helps), `accuracyDrop` = its negative (larger: removal hurts), `ablatedAccuracy`.
///
/// The method-level null `random-units` (``estimatorNulls``) keeps trained network k mod K_t and
/// removes `count` units drawn uniformly at random from the layer (from the claim's method stream
/// `→ "random-units" → k`): is the score's choice better than chance, on the same network? Model
/// nulls (random-init, moment-redraw, permuted-labels, …) run the whole procedure — scores,
/// selection, removal — on each null network.
public struct NeuronAblationFamily: ClaimFamily {
    public init() {}

    public var name: String { "neuron-ablation" }
    public var methods: [String] { ["neuron-ablation"] }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try NeuronAblationParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        [ClaimStatistic("accuracyChange", direction: .larger,
                        summary: "accuracy on the subset with the chosen units removed minus accuracy with them"),
         ClaimStatistic("accuracyDrop", direction: .larger,
                        summary: "accuracy on the subset with the chosen units minus accuracy without them"),
         ClaimStatistic("ablatedAccuracy", direction: .larger,
                        summary: "accuracy on the subset with the chosen units removed")]
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.ablatableUnits] }

    public var estimatorNulls: Set<String> { [NullSpec.Family.randomUnits.rawValue] }

    /// `random-units` varies which units are removed; a claim that removes none (`count: 0`, the
    /// network's own accuracy) is tested against model nulls only.
    public func estimatorNulls(of claim: ClaimSpec) -> Set<String> {
        (try? claim.method.parameters(as: NeuronAblationParameters.self))?.count == 0 ? [] : estimatorNulls
    }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        let p = try claim.method.parameters(as: NeuronAblationParameters.self)
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "neuron-ablation reads the labels of its subset (method.subset); remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to neuron ablation")
        }
        guard let task = spec.model.task, spec.model.convolutions == nil else {
            throw SpecError(field: field + ".method", "neuron-ablation removes units of an MLP or a transformer trained here on a built-in task (model.task with model.hidden or model.transformer)")
        }
        guard p.count >= 0 else { throw SpecError(field: field + ".method.count", "expected a number of units to remove (0: none, the network's own accuracy), found \(p.count)") }
        if p.count == 0, !spec.nulls.contains(where: { !(NullSpec.Family(rawValue: $0.family)?.isEstimatorLevel ?? false) }) {
            throw SpecError(field: field + ".method.count", "a claim that removes no units is tested against model nulls only (random-init, moment-redraw, …), and this spec has none")
        }
        guard (1...8).contains(p.exponent) else { throw SpecError(field: field + ".method.exponent", "expected an exponent r in 1 … 8, found \(p.exponent)") }
        let (pattern, hidden) = Self.ablatableLayers(spec)
        for site in AuditPlan.sites(for: claim, in: spec) {
            guard let layer = Self.layer(of: site), site == pattern(layer), layer < hidden.count else {
                let range = pattern(0).hasPrefix("blocks") ? "a block's MLP, blocks.0–\(hidden.count - 1).mlp.hidden" : "a hidden layer's activation, layers.0–\(hidden.count - 1).post"
                throw SpecError(field: "claims.\(claim.name).sites", "neuron-ablation removes the units of \(range); found '\(site)'")
            }
            guard p.count <= hidden[layer] else {
                throw SpecError(field: field + ".method.count", "\(pattern(layer)) has \(hidden[layer]) units; found count \(p.count)")
            }
        }
        if p.score == .fourierIPR {
            if spec.model.transformer != nil {
                throw SpecError(field: field + ".method.score", "fourier-ipr scores a one-hidden-layer MLP on modular-addition-one-hot (Doshi et al. 2023); a transformer's units are scored by weight-norm")
            }
            guard task == ModelSpec.BuiltInTask.modularAdditionOneHot.rawValue, hidden.count == 1 else {
                throw SpecError(field: field + ".method.score", "fourier-ipr scores a one-hidden-layer MLP on modular-addition-one-hot (Doshi et al. 2023); this model is '\(task)' with \(hidden.count) hidden layer\(hidden.count == 1 ? "" : "s")")
            }
        }
        if p.subset == .trainingCorrupted && !((spec.model.taskOptions.corruption ?? 0) > 0) {
            throw SpecError(field: field + ".method.subset", "training-corrupted needs corrupted training labels (model.taskOptions.corruption > 0)")
        }
        let recordsCorruption: [String] = [ModelSpec.BuiltInTask.modularAdditionOneHot, .modularAddition].map(\.rawValue)
        if p.subset == .trainingCorrupted || p.subset == .trainingClean, !recordsCorruption.contains(task) {
            throw SpecError(field: field + ".method.subset", "\(p.subset.rawValue) splits training labels by corruption, which the tasks modular-addition-one-hot and modular-addition record; '\(task)' does not")
        }
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.gaussianActivations.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'gaussian-activations' redraws activations, but the neuron-ablation claim \(claim.name) runs the network itself; audit it against random-units or model nulls")
        }
    }

    /// The sites whose units a spec's model can lose — an MLP's `layers.ℓ.post`, a transformer's
    /// `blocks.ℓ.mlp.hidden` — and each layer's width.
    static func ablatableLayers(_ spec: AuditSpec) -> (site: (Int) -> String, widths: [Int]) {
        if let shape = spec.model.transformer {
            return ({ "blocks.\($0).mlp.hidden" }, Array(repeating: shape.hidden ?? 4 * shape.dimension, count: shape.layers))
        }
        return ({ "layers.\($0).post" }, spec.model.hidden)
    }

    /// ℓ in `layers.ℓ.post` or `blocks.ℓ.mlp.hidden`; nil for any other site.
    static func layer(of site: String) -> Int? {
        let parts = site.split(separator: ".")
        if parts.count == 4, parts[0] == "blocks", parts[2] == "mlp", parts[3] == "hidden", let l = Int(parts[1]), l >= 0 { return l }
        guard let l = AuditPlan.layer(of: site), site.hasSuffix(".post") else { return nil }
        return l
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        NeuronAblationEvaluator(claim: claim.name, parameters: try claim.method.parameters(as: NeuronAblationParameters.self))
    }
}

/// The parameters of `neuron-ablation`.
public struct NeuronAblationParameters: MethodParameters, Equatable, Codable {
    /// How units are scored.
    public enum Score: String, Codable, Sendable, CaseIterable {
        case fourierIPR = "fourier-ipr"
        case weightNorm = "weight-norm"
    }

    /// The labelled rows accuracy is measured on.
    public enum Subset: String, Codable, Sendable, CaseIterable {
        case evaluation
        case training
        case trainingClean = "training-clean"
        case trainingCorrupted = "training-corrupted"
    }

    public var score: Score = .fourierIPR
    /// Which end of the score's order is removed.
    public var select: NeuronAblation.Selection = .lowest
    /// The number of units removed.
    public var count: Int = 0
    public var subset: Subset = .evaluation
    /// `fourier-ipr`'s exponent r.
    public var exponent: Int = 2

    enum CodingKeys: String, CodingKey, CaseIterable { case score, select, count, subset, exponent }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"] + CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let path = SpecError.path(decoder.codingPath)
        func named<T: RawRepresentable & CaseIterable>(_ key: CodingKeys, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let raw = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let value = T(rawValue: raw) else {
                throw SpecError(field: path + ".\(key.rawValue)", "expected \(T.allCases.map(\.rawValue).joined(separator: ", ")), found '\(raw)'")
            }
            return value
        }
        score = try named(.score, Score.self) ?? score
        select = try named(.select, NeuronAblation.Selection.self) ?? select
        subset = try named(.subset, Subset.self) ?? subset
        guard let count = try c.decodeIfPresent(Int.self, forKey: .count) else {
            throw SpecError(field: path + ".count", "neuron-ablation needs the number of units to remove (count)")
        }
        self.count = count
        exponent = try c.decodeIfPresent(Int.self, forKey: .exponent) ?? exponent
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(score.rawValue, forKey: .score)
        try c.encode(select.rawValue, forKey: .select)
        try c.encode(count, forKey: .count)
        try c.encode(subset.rawValue, forKey: .subset)
        try c.encode(exponent, forKey: .exponent)
    }
}

/// `neuron-ablation` on one unit at one site.
struct NeuronAblationEvaluator: ClaimEvaluator {
    let claim: String
    let parameters: NeuronAblationParameters

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        guard let layer = NeuronAblationFamily.layer(of: context.site) else { throw AuditError("claim \(claim): '\(context.site)' names no layer") }
        let subject = context.subject
        var base = 0
        if case .null(_, let k) = context.standIn { base = k % max(subject.trainedSeeds, 1) }
        let model = try context.memo.value("ablation.network|\(context.networkKey(base: base))") {
            try subject.ablatableNetwork(context.unit, site: context.site)
        }
        let ablation: NeuronAblation
        do { ablation = try NeuronAblation(model: model, layer: layer) } catch let e as MethodError { throw AuditError("claim \(claim): \(e.message)") }
        let units: [Int]
        if case .null(let family, let k) = context.standIn, family == NullSpec.Family.randomUnits.rawValue {
            units = NeuronAblation.randomUnits(width: ablation.width, count: parameters.count, stream: context.stream.derived("random-units", .index(k)))
        } else {
            // Claims on the same network with the same score share it (computed once per unit).
            let scores = try context.memo.value("ablation.scores|\(parameters.score.rawValue)|\(parameters.exponent)|\(layer)|\(context.networkKey(base: base))") {
                try Self.scores(model, layer: layer, parameters: parameters)
            }
            if let bad = scores.firstIndex(where: { !$0.isFinite }) {
                throw AuditError("\(context.unit), claim \(claim): the \(parameters.score.rawValue) score of unit \(bad) is not finite")
            }
            units = NeuronAblation.units(scores: scores, count: parameters.count, selection: parameters.select)
        }
        let rows = try subject.labelledRows(parameters.subset.rawValue)
        guard !rows.labels.isEmpty else { throw AuditError("claim \(claim): the subset \(parameters.subset.rawValue) has no rows") }
        let intact: [Double], ablated: [Double]
        do {
            intact = try context.memo.value("ablation.intact|\(parameters.subset.rawValue)|\(layer)|\(context.networkKey(base: base))") {
                try ablation.correctness(inputs: rows.inputs, labels: rows.labels, ablating: [])
            }
            ablated = try ablation.correctness(inputs: rows.inputs, labels: rows.labels, ablating: units)
        } catch let e as MethodError { throw AuditError("\(context.unit), claim \(claim): \(e.message)") }
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            let scores: [Double]
            switch name {
            case "accuracyChange": scores = zip(ablated, intact).map { $0 - $1 }
            case "accuracyDrop": scores = zip(ablated, intact).map { $1 - $0 }
            case "ablatedAccuracy": scores = ablated
            default: throw AuditError("neuron-ablation has no statistic '\(name)'")
            }
            measurements[name] = ClaimMeasurement(value: Descriptive.mean(scores), resampling: .meanOfScores(scores))
        }
        return ClaimEvaluation(measurements: measurements)
    }

    /// Each unit's score in hidden layer `layer` of `model`.
    static func scores(_ network: any AblatableNetwork, layer: Int, parameters: NeuronAblationParameters) throws -> [Double] {
        switch parameters.score {
        case .fourierIPR:
            guard let model = network as? MLP else { throw AuditError("fourier-ipr scores the units of a one-hidden-layer MLP on modular-addition-one-hot") }
            let p = model.layers[model.layers.count - 1].outFeatures
            do {
                return try FourierParticipation(length: max(p, 2), exponent: parameters.exponent).modularAdditionScores(model)
            } catch let e as MethodError { throw AuditError(e.message) }
        case .weightNorm:
            return network.unitWeightNorms(layer: layer)
        }
    }
}
