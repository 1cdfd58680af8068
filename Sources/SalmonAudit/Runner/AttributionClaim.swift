import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// An attribution claim of an audit: a method (``AttributionMethod``) explaining, for every
/// evaluation input, the logit of its label, and one of three statistics computed per input and
/// averaged — so the trained estimate is a mean of per-input scores and gets the fast bootstrap
/// over inputs (and the two-level bootstrap over seeds × inputs).
///
/// The statistics (Adebayo et al., "Sanity checks for saliency maps", NeurIPS 2018; Petsiuk, Das &
/// Saenko, "RISE", BMVC 2018):
/// - ``Statistic/similarityToTrained`` (larger = more structure): the similarity (`method.similarity`,
///   Spearman's ρ of |maps| by default) between a model's map and **trained network 0's** map, per
///   input. Trained seeds 1 … K_t − 1 give the estimate (how similar two independently trained
///   networks' maps are); null model k, always made from trained network 0, gives a null value.
///   Trained network 0 is the anchor and has no value itself. *Distinguishable* means randomizing
///   the weights moves the map further than retraining from another seed does: the method is
///   sensitive to the parameters. A *dead salmon* is a method whose map survives randomization —
///   Adebayo et al.'s failure of the model-parameter randomization test.
///   Guarantee: given network 0, the K_t − 1 trained values and the null values are exchangeable
///   when the retrained seeds are draws from the null family's distribution — exactly so for
///   `random-init` with a method that ignores training (calibration in `AttributionAuditTests`) —
///   and every null draw averages K_t − 1 null models, so the Monte Carlo p-value is exact then.
/// - ``Statistic/deletionAUC`` (smaller = more structure) and ``Statistic/insertionAUC`` (larger):
///   faithfulness. For trained network s, the area under the curve of its own target-class
///   probability as the features its own map ranks highest are deleted (set to 0), or inserted
///   into an all-zero input (``FeatureRemovalCurve``). For null model k, made from trained network
///   b = k mod K_t, the same area **on network b**, but in the order of the null model's map:
///   does the trained map guide better than a randomized model's map to what the trained network
///   uses? Ties (a map that ignores the model) count against the claim.
///
/// Streams: the method draws (SmoothGrad's noise) from `seed → "method" → claim` for every model
/// and site, so all maps of a claim share their noise (common random numbers), and a trained
/// network's maps are the same at every site. Sites matter only to the null models of the
/// site-dependent families (the randomization stage).
///
/// Undefined values: a map that is constant on an input (a ReLU network whose units are all off
/// there has a zero gradient) has no Spearman ranks, and a zero map no cosine. Such a similarity
/// counts as 0 — no agreement, which is all a map without information can have — for trained and
/// null models alike (so exchangeability is kept, and every input stays in the bootstrap), and is
/// counted in the diagnostic `attribution.undefinedRows`, which the report's notes print.
public struct AttributionClaim: Sendable {
    /// The statistics an attribution claim can test.
    public enum Statistic: String, Sendable, CaseIterable {
        case similarityToTrained
        case deletionAUC
        case insertionAUC

        /// Whether larger values mean more structure.
        public var direction: ExplanationStatistic.Direction { self == .deletionAUC ? .smaller : .larger }
    }

    public let claim: ClaimSpec
    public let method: AttributionMethod
    public let statistic: Statistic
    /// The similarity measure (for ``Statistic/similarityToTrained``).
    public let measure: AttributionSimilarity

    /// The claim's method and statistic.
    /// - Throws: ``SpecError`` when the claim is not an attribution claim or its settings do not
    ///   suit maps of `features` features.
    public init(_ claim: ClaimSpec, features: Int) throws {
        guard claim.method.isAttribution, let statistic = Statistic(rawValue: claim.statistic) else {
            throw SpecError(field: "claims.\(claim.name)", "not an attribution claim")
        }
        self.claim = claim
        self.statistic = statistic
        method = Self.method(claim.method)
        measure = try claim.method.similarityMeasure(features: features, field: "claims.\(claim.name).method")
    }

    /// The attribution method a spec names: Integrated Gradients with a zero baseline,
    /// Gauss–Legendre nodes and completeness refinement to 1 %; occlusion of single features by 0.
    public static func method(_ spec: MethodSpec) -> AttributionMethod {
        switch spec.name {
        case "absolute-gradient": return .gradient(absolute: true)
        case "gradient-times-input": return .gradientTimesInput
        case "integrated-gradients": return .integratedGradients(steps: spec.steps)
        case "smoothgrad": return .smoothGrad(noiseLevel: spec.noiseLevel, samples: spec.samples)
        case "occlusion": return .occlusion()
        case "guided-backprop": return .guidedBackprop
        default: return .gradient()
        }
    }

    /// One unit's result at one site: the per-input scores (NaN-free) and its value, or nothing
    /// (trained network 0 under ``Statistic/similarityToTrained``).
    struct Evaluation {
        var perExample: [Double]
        var diagnostics: [String: Double]
    }

    /// The statistic for `unit` at `site`.
    /// - Returns: nil for trained network 0 under ``Statistic/similarityToTrained`` (the anchor).
    func evaluate(_ unit: AuditUnit, site: String, subject: any AuditSubject, seed: UInt64,
                  anchors: TrainedMapCache) throws -> Evaluation? {
        let (inputs, targets) = try subject.attributionData(claim: claim)
        let stream = RandomStream(seed: seed, path: ["method", .label(claim.name)])
        if case .trained(let s) = unit, claim.isAnchoredOnTrainedNetworkZero && s == 0 { return nil }
        switch statistic {
        case .similarityToTrained:
            let model = try subject.network(unit, site: site, base: 0)
            let anchor = try anchors.prepared(claim: claim.name) {
                let trained = try subject.network(.trained(seed: 0), site: site, base: 0)
                return try measure.prepare(try maps(trained, inputs: inputs, targets: targets, stream: stream).values, rows: targets.count)
            }
            let (values, diagnostics) = try maps(model, inputs: inputs, targets: targets, stream: stream)
            let perRow = try measure.compare(anchor, with: values)
            var d = diagnostics
            d["attribution.undefinedRows"] = Double(perRow.count { $0.isNaN })
            return Evaluation(perExample: perRow.map { $0.isNaN ? 0 : $0 }, diagnostics: d)
        case .deletionAUC, .insertionAUC:
            let kind: FeatureRemovalCurve.Kind = statistic == .deletionAUC ? .deletion : .insertion
            let trainedCount = subject.trainedSeeds
            let baseIndex: Int
            switch unit {
            case .trained(let s): baseIndex = s
            case .null(_, let index): baseIndex = index % trainedCount
            }
            let base = try subject.network(.trained(seed: baseIndex), site: site, base: baseIndex)
            let model = unit.isTrained ? base : try subject.network(unit, site: site, base: baseIndex)
            let (values, diagnostics) = try maps(model, inputs: inputs, targets: targets, stream: stream)
            let curve = FeatureRemovalCurve.evaluate(kind, model: base, inputs: inputs, targets: targets, maps: values,
                                                     steps: claim.method.curveSteps)
            if let r = curve.areas.firstIndex(where: { !$0.isFinite }) {
                throw AuditError("\(unit), claim \(claim.name) at \(site): the \(kind.rawValue) curve of input \(r) is not finite (the network's output overflowed)")
            }
            return Evaluation(perExample: curve.areas, diagnostics: diagnostics)
        }
    }

    /// The maps `[n · d]` of `model` and the diagnostics worth summing over units.
    func maps(_ model: MLP, inputs: Tensor, targets: [Int], stream: RandomStream) throws -> (values: [Double], diagnostics: [String: Double]) {
        let input = try AttributionInput(model: model, inputs: inputs, target: .perRow(targets))
        let explanation = try Attribution(method).explain(input, stream: stream)
        guard let map = explanation.map else { throw AuditError("claim \(claim.name): \(method.name) produced no map") }
        if let i = map.values.firstIndex(where: { !$0.isFinite }) {
            throw AuditError("claim \(claim.name): \(method.name) gave a non-finite attribution (input \(i / max(1, inputs.shape[1])), feature \(i % max(1, inputs.shape[1])))")
        }
        var diagnostics: [String: Double] = [:]
        if let gap = explanation.diagnostics["completenessGap.relative"], let tolerance = explanation.diagnostics["completenessGap.tolerance"],
           !(gap <= tolerance) {
            diagnostics["attribution.completenessAboveTolerance"] = 1
        }
        return (map.values, diagnostics)
    }
}

/// Trained network 0's prepared maps, per claim, computed once per process and shared
/// by every unit that compares with them (a pure function of the spec, so recomputing one in
/// another process or shard gives the same values).
final class TrainedMapCache: @unchecked Sendable {
    private let lock = NSLock()
    private var prepared: [String: AttributionSimilarity.Prepared] = [:]

    func prepared(claim key: String, make: () throws -> AttributionSimilarity.Prepared) throws -> AttributionSimilarity.Prepared {
        lock.lock()
        let cached = prepared[key]
        lock.unlock()
        if let cached { return cached }
        let made = try make()
        lock.lock()
        prepared[key] = made
        lock.unlock()
        return made
    }
}
