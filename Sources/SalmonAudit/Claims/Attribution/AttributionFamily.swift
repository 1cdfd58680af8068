import SalmonMethods
import SalmonStatistics

/// Attribution methods as claims (``AttributionMethod``): a map explaining, for every evaluation
/// input, the logit of its label, and one of three statistics computed per input and averaged —
/// so the trained estimate is a mean of per-input scores and gets the fast bootstrap over inputs
/// (and the two-level bootstrap over seeds × inputs).
///
/// The statistics (Adebayo et al., "Sanity checks for saliency maps", NeurIPS 2018; Petsiuk, Das &
/// Saenko, "RISE", BMVC 2018):
/// - `similarityToTrained` (larger = more structure; measured against trained network 0): the
///   similarity (`similarity`, Spearman's ρ of |maps| by default) between a model's map and
///   **trained network 0's** map, per input. Trained seeds 1 … K_t − 1 give the estimate (how
///   similar two independently trained networks' maps are); null model k, always made from trained
///   network 0, gives a null value. *Distinguishable* means randomizing the weights moves the map
///   further than retraining from another seed does: the method is sensitive to the parameters. A
///   *dead salmon* is a method whose map survives randomization — Adebayo et al.'s failure of the
///   model-parameter randomization test. Guarantee: given network 0, the K_t − 1 trained values and
///   the null values are exchangeable when the retrained seeds are draws from the null family's
///   distribution — exactly so for `random-init` with a method that ignores training (calibration
///   in `AttributionAuditTests`) — and every null draw averages K_t − 1 null models.
/// - `deletionAUC` (smaller = more structure) and `insertionAUC` (larger): faithfulness. For
///   trained network s, the area under the curve of its own target-class probability as the
///   features its own map ranks highest are deleted (set to 0), or inserted into an all-zero input
///   (``FeatureRemovalCurve``). For null model k, made from trained network b = k mod K_t, the same
///   area **on network b**, but in the order of the null model's map: does the trained map guide
///   better than a randomized model's map to what the trained network uses? Ties (a map that
///   ignores the model) count against the claim.
///
/// Sites name the randomization stage (``SiteRole/randomizationStage``). The method draws
/// (SmoothGrad's noise) from `seed → "method" → claim` for every model and site, so all maps of a
/// claim share their noise (common random numbers).
///
/// Undefined values: a map that is constant on an input (a ReLU network whose units are all off
/// there has a zero gradient) has no Spearman ranks, and a zero map no cosine. Such a similarity
/// counts as 0 — no agreement, which is all a map without information can have — for trained and
/// null models alike (so exchangeability is kept, and every input stays in the bootstrap), and is
/// counted in the diagnostic `attribution.undefinedRows`, which the report's notes print.
public struct AttributionFamily: ClaimFamily {
    /// The family's methods.
    public enum Method: String, CaseIterable, Sendable {
        case gradient
        case absoluteGradient = "absolute-gradient"
        case gradientTimesInput = "gradient-times-input"
        case integratedGradients = "integrated-gradients"
        case smoothGrad = "smoothgrad"
        case occlusion
        case guidedBackprop = "guided-backprop"

        /// The method with its parameters: Integrated Gradients with a zero baseline, Gauss–Legendre
        /// nodes and completeness refinement to 1 %; occlusion of single features by 0.
        func attribution(_ p: AttributionParameters) -> AttributionMethod {
            switch self {
            case .gradient: return .gradient()
            case .absoluteGradient: return .gradient(absolute: true)
            case .gradientTimesInput: return .gradientTimesInput
            case .integratedGradients: return .integratedGradients(steps: p.steps)
            case .smoothGrad: return .smoothGrad(noiseLevel: p.noiseLevel, samples: p.samples)
            case .occlusion: return .occlusion()
            case .guidedBackprop: return .guidedBackprop
            }
        }
    }

    /// The statistics an attribution claim can test.
    public enum Statistic: String, CaseIterable, Sendable {
        case similarityToTrained
        case deletionAUC
        case insertionAUC

        var declared: ClaimStatistic {
            switch self {
            case .similarityToTrained:
                return ClaimStatistic(rawValue, direction: .larger, reference: .trainedNetworkZero,
                                      summary: "per-input similarity of the map to trained network 0's map")
            case .deletionAUC:
                return ClaimStatistic(rawValue, direction: .smaller, summary: "area under the class probability as the map's top features are deleted")
            case .insertionAUC:
                return ClaimStatistic(rawValue, direction: .larger, summary: "area under the class probability as the map's top features are inserted")
            }
        }
    }

    public init() {}

    public var name: String { "attribution" }
    public var methods: [String] { Method.allCases.map(\.rawValue) }
    public var siteRole: SiteRole { .randomizationStage }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try AttributionParameters(method: try Self.method(method), from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        Method(rawValue: method) == nil ? [] : Statistic.allCases.map(\.declared)
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> {
        var needs: Set<ClaimRequirement> = [.network, .explainedOutputs]
        if claim.statistic == Statistic.similarityToTrained.rawValue { needs.insert(.trainedSeeds(atLeast: 2)) }
        return needs
    }

    /// Labels as targets on built-in tasks, ReLU networks for guided backprop, sites that name
    /// layers (and are given for a loaded model), no control types.
    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        try claim.method.parameters(as: AttributionParameters.self).validate(field: field + ".method")
        let model = spec.model
        if model.task != nil && claim.target != "label" {
            throw SpecError(field: field + ".target", "an attribution claim explains the logit of each input's label; expected 'label', found '\(claim.target)'")
        }
        if Method(rawValue: claim.method.name) == .guidedBackprop && model.activation != "relu" && model.task != nil {
            throw SpecError(field: field + ".method", "guided-backprop is defined for ReLU networks; model.activation is '\(model.activation)'")
        }
        if model.stateDict != nil && claim.sites == nil {
            throw SpecError(field: field + ".sites", "an attribution claim on a model loaded from a state dict needs its sites (layers.ℓ.post, the randomization stages)")
        }
        for site in claim.sites ?? [] where AuditPlan.layer(of: site) == nil {
            throw SpecError(field: field + ".sites", "an attribution claim's sites name layers (layers.ℓ.pre or layers.ℓ.post: the randomization stage), found '\(site)'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to attribution methods")
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        let p = try claim.method.parameters(as: AttributionParameters.self)
        guard let statistic = Statistic(rawValue: claim.statistic) else {
            throw SpecError(field: "claims.\(claim.name).statistic", "not an attribution statistic: '\(claim.statistic)'")
        }
        let features = try subject.attributionData(claim: claim).inputs.shape[1]
        return AttributionEvaluator(claim: claim, method: try Self.method(claim.method.name).attribution(p), statistic: statistic,
                                    measure: try p.similarityMeasure(features: features, field: "claims.\(claim.name).method"),
                                    curveSteps: p.curveSteps)
    }

    public func notes(diagnostics: [String: Double]) -> [String] {
        var notes: [String] = []
        if let undefined = diagnostics["attribution.undefinedRows"], undefined > 0 {
            notes.append("\(Int(undefined)) (model, input) map similarities were undefined (a constant map has no ranks, a zero map no direction) and count as 0, no agreement")
        }
        if let gaps = diagnostics["attribution.completenessAboveTolerance"], gaps > 0 {
            notes.append("\(Int(gaps)) Integrated Gradients maps kept a completeness gap above the 1 % tolerance after 64× step refinement")
        }
        return notes
    }

    /// SmoothGrad draws its noise; the other methods are deterministic.
    public func isRandom(_ claim: ClaimSpec) -> Bool { Method(rawValue: claim.method.name) == .smoothGrad }

    static func method(_ name: String) throws -> Method {
        guard let m = Method(rawValue: name) else { throw SpecError(field: "method.name", "'\(name)' is not an attribution method") }
        return m
    }
}
