import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Interchange interventions (``DistributedAlignmentSearch``, ``MLPAlignmentSearch``) as claims:
/// "the network holds the causal variable V at this site". On a transformer each site names one
/// position of a site a forward pass replaces, `SITE@p`; on an MLP (`hierarchical-equality-vectors`)
/// a hidden layer, `layers.ℓ.pre|post`; an alignment map — a rotation (`map: rotation`, DAS) or a RevNet
/// (`map: revnet`, Sutter et al. 2025) — is fitted on the subject's training pairs for the
/// variable, and the statistic is its interchange-intervention accuracy on the held-out pairs,
/// `interchangeAccuracy` (larger = the intervention makes the network answer as the high-level
/// model does with V taken from the source). Resampled over the held-out pairs (the fitted map
/// kept: the interval is the evaluation's uncertainty, the map's own variation enters through
/// `resampling.methodSeeds`).
///
/// Every model — trained and null — is fitted from the same map initialization and minibatch
/// order (the claim's method stream), on the same pairs, so the values are exchangeable under a
/// model null. The estimator-level null `untrained-map` keeps the trained network and leaves the
/// map at a random initialization of its kind (`stream → "untrained-map" → k`): whether training
/// the map finds more than a random map does. The dilemma the family exists to show: a map
/// expressive enough reaches high IIA on random networks as well (Sutter et al. 2025), so an IIA
/// means something only against the same map on null networks.
public struct InterchangeInterventionFamily: ClaimFamily {
    public init() {}

    public var name: String { "interchange-intervention" }
    public var methods: [String] { ["distributed-alignment-search"] }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try AlignmentSearchParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        [ClaimStatistic("interchangeAccuracy", direction: .larger,
                        summary: "IIA: the fraction of held-out pairs whose intervened run ranks the counterfactual answer above the other")]
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.interchangePairs] }

    public var estimatorNulls: Set<String> { [NullSpec.Family.untrainedMap.rawValue] }

    public func isRandom(_ claim: ClaimSpec) -> Bool { true }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        let p = try claim.method.parameters(as: AlignmentSearchParameters.self)
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "distributed-alignment-search reads no target (its answers come with the interchange pairs of method.variable); remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to interchange interventions")
        }
        let onVectors = spec.model.task == ModelSpec.BuiltInTask.hierarchicalEqualityVectors.rawValue
        guard spec.model.task == ModelSpec.BuiltInTask.hierarchicalEquality.rawValue || onVectors else {
            throw SpecError(field: field + ".method.variable", "interchange interventions need a task with causal variables; hierarchical-equality (a transformer) and hierarchical-equality-vectors (an MLP) have left and right, '\(spec.model.task ?? "a model from files")' has none")
        }
        guard ["left", "right"].contains(p.variable) else {
            throw SpecError(field: field + ".method.variable", "hierarchical-equality's variables are left (a = b) and right (c = d); found '\(p.variable)'")
        }
        guard p.epochs >= 1 && p.epochs <= 100_000 else { throw SpecError(field: field + ".method.epochs", "expected 1 … 100,000, found \(p.epochs)") }
        guard p.batchSize >= 1 else { throw SpecError(field: field + ".method.batchSize", "expected at least 1, found \(p.batchSize)") }
        guard p.learningRate > 0 && p.learningRate.isFinite else {
            throw SpecError(field: field + ".method.learningRate", "expected a positive learning rate, found \(p.learningRate)")
        }
        if p.map == .rotation && (p.hidden != nil || p.couplings != nil) {
            throw SpecError(field: field + ".method", "hidden and couplings shape a RevNet map (map: revnet), not a rotation")
        }
        guard (1...4096).contains(p.hidden ?? AlignmentSearchParameters.defaultHidden) else {
            throw SpecError(field: field + ".method.hidden", "expected 1 … 4096 hidden units per coupling network, found \(p.hidden ?? 0)")
        }
        guard (1...64).contains(p.couplings ?? AlignmentSearchParameters.defaultCouplings) else {
            throw SpecError(field: field + ".method.couplings", "expected 1 … 64 coupling layers, found \(p.couplings ?? 0)")
        }
        if onVectors {
            let hidden = spec.model.hidden
            for site in AuditPlan.sites(for: claim, in: spec) {
                guard let l = AuditPlan.layer(of: site), l < hidden.count else {
                    throw SpecError(field: "claims.\(claim.name).sites", "an interchange intervention on an MLP acts at a hidden layer, layers.0–\(hidden.count - 1).{pre, post}; found '\(site)'")
                }
                guard (1...hidden[l]).contains(p.dimensions) else {
                    throw SpecError(field: field + ".method.dimensions", "expected 1 … \(hidden[l]) aligned dimensions (the width of \(site)), found \(p.dimensions)")
                }
                if p.map == .revnet && hidden[l] < 2 {
                    throw SpecError(field: "claims.\(claim.name).sites", "a RevNet splits the site's coordinates in two halves; \(site) has width \(hidden[l])")
                }
            }
        }
        let shape = spec.model.transformer ?? TransformerShape()
        for site in AuditPlan.sites(for: claim, in: spec) where !onVectors {
            guard case .position(let name, _)? = PatchingComponent(parsing: site) else {
                throw SpecError(field: "claims.\(claim.name).sites", "an interchange intervention acts at one position of a site, SITE@p (blocks.0.resid@1, say); found '\(site)'")
            }
            let width = name.hasSuffix("mlp.hidden") ? (shape.hidden ?? 4 * shape.dimension) : shape.dimension
            guard (1...width).contains(p.dimensions) else {
                throw SpecError(field: field + ".method.dimensions", "expected 1 … \(width) aligned dimensions (the width of \(name)), found \(p.dimensions)")
            }
            if p.map == .revnet && width < 2 {
                throw SpecError(field: "claims.\(claim.name).sites", "a RevNet splits the site's coordinates in two halves; \(name) has width \(width)")
            }
        }
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.gaussianActivations.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'gaussian-activations' redraws activations, but the interchange-intervention claim \(claim.name) runs the network itself; audit it against untrained-map or model nulls")
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        AlignmentSearchEvaluator(claim: claim.name, parameters: try claim.method.parameters(as: AlignmentSearchParameters.self))
    }
}

/// The parameters of `distributed-alignment-search`.
public struct AlignmentSearchParameters: MethodParameters, Equatable, Codable {
    public enum Map: String, Codable, Sendable, CaseIterable {
        case rotation
        case revnet
    }

    static let defaultHidden = 32
    static let defaultCouplings = 4

    /// The causal variable (hierarchical-equality: `left`, `right`).
    public var variable: String = ""
    public var map: Map = .rotation
    /// k, the aligned coordinates swapped from the source.
    public var dimensions: Int = 1
    public var epochs: Int = 10
    public var batchSize: Int = 64
    /// Adam's step (default 0.01 for a rotation, 0.001 for a RevNet).
    public var learningRate: Double = 0.01
    /// A RevNet's coupling-network width and its number of coupling layers.
    public var hidden: Int?
    public var couplings: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case variable, map, dimensions, epochs, batchSize, learningRate, hidden, couplings }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"] + CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let path = SpecError.path(decoder.codingPath)
        guard let variable = try c.decodeIfPresent(String.self, forKey: .variable) else {
            throw SpecError(field: path + ".variable", "distributed-alignment-search needs the causal variable to align (variable: left or right)")
        }
        self.variable = variable
        if let raw = try c.decodeIfPresent(String.self, forKey: .map) {
            guard let m = Map(rawValue: raw) else {
                throw SpecError(field: path + ".map", "expected rotation or revnet, found '\(raw)'")
            }
            map = m
        }
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions) ?? dimensions
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? (map == .rotation ? 0.01 : 0.001)
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden)
        couplings = try c.decodeIfPresent(Int.self, forKey: .couplings)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variable, forKey: .variable)
        try c.encode(map.rawValue, forKey: .map)
        try c.encode(dimensions, forKey: .dimensions)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        if map == .revnet {
            try c.encode(hidden ?? Self.defaultHidden, forKey: .hidden)
            try c.encode(couplings ?? Self.defaultCouplings, forKey: .couplings)
        }
    }
}

/// `distributed-alignment-search` on one unit at one `SITE@p`.
struct AlignmentSearchEvaluator: ClaimEvaluator {
    let claim: String
    let parameters: AlignmentSearchParameters

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        let runs = try context.subject.interventionRuns(context.standIn, site: context.site, variable: parameters.variable)
        var mapStream = context.stream.derived("map")
        var untrained = false
        if case .null(let family, let k) = context.standIn, family == NullSpec.Family.untrainedMap.rawValue {
            mapStream = context.stream.derived("untrained-map", .index(k))
            untrained = true
        }
        let differences: [Double]
        let width = runs.training.width
        do {
            let training = AlignmentTraining(epochs: parameters.epochs, batchSize: parameters.batchSize, learningRate: parameters.learningRate)
            switch parameters.map {
            case .rotation:
                var map = RotationAlignment(dimension: width, intervened: parameters.dimensions, stream: mapStream)
                if !untrained { map = try runs.training.fit(map, training: training, stream: context.stream.derived("order")).map }
                differences = try runs.evaluation.logitDifferences(map)
            case .revnet:
                let (center, scale) = Self.standardization(runs.training.base, width: width)
                var map = RevNetAlignment(dimension: width, intervened: parameters.dimensions,
                                          hidden: parameters.hidden ?? AlignmentSearchParameters.defaultHidden,
                                          couplings: parameters.couplings ?? AlignmentSearchParameters.defaultCouplings,
                                          center: center, scale: scale, stream: mapStream)
                if !untrained { map = try runs.training.fit(map, training: training, stream: context.stream.derived("order")).map }
                differences = try runs.evaluation.logitDifferences(map)
            }
        } catch let e as MethodError {
            throw AuditError("\(context.unit), claim \(claim) at \(context.site): \(e.message)")
        }
        if let bad = differences.firstIndex(where: { !$0.isFinite }) {
            throw AuditError("\(context.unit), claim \(claim) at \(context.site): the intervened run of pair \(bad) gave a non-finite logit difference")
        }
        let correct = differences.map { $0 > 0 ? 1.0 : 0.0 }
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            guard name == "interchangeAccuracy" else { throw AuditError("distributed-alignment-search has no statistic '\(name)'") }
            measurements[name] = ClaimMeasurement(value: Descriptive.mean(correct), resampling: .meanOfScores(correct))
        }
        return ClaimEvaluation(measurements: measurements)
    }

    /// Per coordinate, the mean and standard deviation of `rows × width` values (a constant
    /// coordinate gets scale 1: it carries nothing to standardize).
    static func standardization(_ values: [Double], width: Int) -> (center: [Double], scale: [Double]) {
        let n = values.count / max(width, 1)
        var center = [Double](repeating: 0, count: width), scale = center
        for j in 0..<width {
            var mean = 0.0
            for r in 0..<n { mean += values[r * width + j] }
            mean /= Double(max(n, 1))
            var ss = 0.0
            for r in 0..<n { ss += (values[r * width + j] - mean) * (values[r * width + j] - mean) }
            let sd = (ss / Double(max(n, 1))).squareRoot()
            center[j] = mean
            scale[j] = sd > 1e-12 ? sd : 1
        }
        return (center, scale)
    }
}
