import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Neuron ablation (``NeuronAblation``) as claims: "these units memorize" — removing the units of
/// a hidden layer that a score picks changes the network's accuracy on a stated subset of the
/// data. The claim's site is the layer's activation `layers.ℓ.post`; its method says which units
/// (`score`, `select`, `count`) and on which rows (`subset`).
///
/// Scores: `fourier-ipr` — Doshi et al. 2023's inverse participation ratio of the unit's weights'
/// Fourier spectrum (``FourierParticipation``; a one-hidden-layer MLP on `modular-addition-one-hot`,
/// exponent `exponent`, default 2; low = memorizing), and `weight-norm` — the Euclidean norm of the
/// unit's incoming and outgoing weights together (the magnitude-pruning criterion).
///
/// Subsets (rows with their labels): `evaluation` (held out), `training`, `training-clean` (the
/// training rows whose label is true) and `training-corrupted` (those whose label was replaced,
/// `taskOptions.corruption` > 0): accuracy on corrupted labels is memorization.
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

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.network] }

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
        guard let task = spec.model.task, spec.model.transformer == nil, spec.model.convolutions == nil else {
            throw SpecError(field: field + ".method", "neuron-ablation removes units of an MLP trained here on a built-in task (model.task with model.hidden)")
        }
        guard p.count >= 0 else { throw SpecError(field: field + ".method.count", "expected a number of units to remove (0: none, the network's own accuracy), found \(p.count)") }
        if p.count == 0, !spec.nulls.contains(where: { !(NullSpec.Family(rawValue: $0.family)?.isEstimatorLevel ?? false) }) {
            throw SpecError(field: field + ".method.count", "a claim that removes no units is tested against model nulls only (random-init, moment-redraw, …), and this spec has none")
        }
        guard (1...8).contains(p.exponent) else { throw SpecError(field: field + ".method.exponent", "expected an exponent r in 1 … 8, found \(p.exponent)") }
        let hidden = spec.model.hidden
        for site in AuditPlan.sites(for: claim, in: spec) {
            guard let layer = AuditPlan.layer(of: site), site.hasSuffix(".post"), layer < hidden.count else {
                throw SpecError(field: "claims.\(claim.name).sites", "neuron-ablation removes the units of a hidden layer's activation, layers.0–\(hidden.count - 1).post; found '\(site)'")
            }
            guard p.count <= hidden[layer] else {
                throw SpecError(field: field + ".method.count", "layer \(layer) has \(hidden[layer]) units; found count \(p.count)")
            }
        }
        if p.score == .fourierIPR {
            guard task == ModelSpec.BuiltInTask.modularAdditionOneHot.rawValue, hidden.count == 1 else {
                throw SpecError(field: field + ".method.score", "fourier-ipr scores a one-hidden-layer MLP on modular-addition-one-hot (Doshi et al. 2023); this model is '\(task)' with \(hidden.count) hidden layer\(hidden.count == 1 ? "" : "s")")
            }
        }
        if p.subset == .trainingCorrupted && !((spec.model.taskOptions.corruption ?? 0) > 0) {
            throw SpecError(field: field + ".method.subset", "training-corrupted needs corrupted training labels (model.taskOptions.corruption > 0)")
        }
        if p.subset == .trainingCorrupted || p.subset == .trainingClean, task != ModelSpec.BuiltInTask.modularAdditionOneHot.rawValue {
            throw SpecError(field: field + ".method.subset", "\(p.subset.rawValue) splits training labels by corruption, which the task modular-addition-one-hot records; '\(task)' does not")
        }
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.gaussianActivations.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'gaussian-activations' redraws activations, but the neuron-ablation claim \(claim.name) runs the network itself; audit it against random-units or model nulls")
        }
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
        guard let layer = AuditPlan.layer(of: context.site) else { throw AuditError("claim \(claim): '\(context.site)' names no layer") }
        let subject = context.subject
        var base = 0
        if case .null(_, let k) = context.standIn { base = k % max(subject.trainedSeeds, 1) }
        guard let model = try context.network(base: base) as? MLP else {
            throw AuditError("claim \(claim): neuron ablation needs an MLP; this subject (\(subject.modelDescription)) is not one")
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
        let intact = try context.memo.value("ablation.intact|\(parameters.subset.rawValue)|\(context.networkKey(base: base))") {
            ablation.correctness(inputs: rows.inputs, labels: rows.labels, ablating: [])
        }
        let ablated = ablation.correctness(inputs: rows.inputs, labels: rows.labels, ablating: units)
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
    static func scores(_ model: MLP, layer: Int, parameters: NeuronAblationParameters) throws -> [Double] {
        switch parameters.score {
        case .fourierIPR:
            let p = model.layers[model.layers.count - 1].outFeatures
            do {
                return try FourierParticipation(length: max(p, 2), exponent: parameters.exponent).modularAdditionScores(model)
            } catch let e as MethodError { throw AuditError(e.message) }
        case .weightNorm:
            let incoming = model.layers[layer], outgoing = model.layers[layer + 1]
            let inWidth = incoming.inFeatures, width = incoming.outFeatures
            return (0..<width).map { k in
                var sum = 0.0
                for j in 0..<inWidth { sum += Double(incoming.weight.scalars[k * inWidth + j]).squared }
                for i in 0..<outgoing.outFeatures { sum += Double(outgoing.weight.scalars[i * width + k]).squared }
                return sum.squareRoot()
            }
        }
    }
}

private extension Double {
    var squared: Double { self * self }
}
