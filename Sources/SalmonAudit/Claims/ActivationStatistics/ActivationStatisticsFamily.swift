import SalmonMethods
import SalmonStatistics

/// Summary statistics of the activations at a site (``ActivationStatistics``) as claims: does
/// the trained layer respond more strongly (`meanActivation`, larger = more structure), or leave
/// fewer units dead (`deadUnitFraction`, smaller = more structure), than its null models?
///
/// `meanActivation` is a mean of per-example scores and is resampled as such; `deadUnitFraction`
/// is recomputed on each resample of rows (a unit is dead in a resample when it is off on every
/// resampled row). The method is deterministic and reads no target.
public struct ActivationStatisticsFamily: ClaimFamily {
    public init() {}

    public var name: String { "activation-statistics" }
    public var methods: [String] { ["activation-statistics"] }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try ActivationStatisticsParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        ActivationStatistics().statistics.map { ClaimStatistic($0.name, direction: $0.direction, summary: $0.summary) }
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.activations] }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        let p = try claim.method.parameters(as: ActivationStatisticsParameters.self)
        guard p.threshold.isFinite else { throw SpecError(field: field + ".method.threshold", "expected a finite number, found \(p.threshold)") }
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "activation-statistics reads no target (it summarizes the activations alone); remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to activation statistics")
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        ActivationStatisticsEvaluator(method: ActivationStatistics(threshold: try claim.method.parameters(as: ActivationStatisticsParameters.self).threshold))
    }
}

/// The parameters of `activation-statistics`.
public struct ActivationStatisticsParameters: MethodParameters, Equatable, Decodable {
    /// An activation at most this value counts as "off" (default 0: a ReLU unit's zero).
    public var threshold: Double = 0

    enum CodingKeys: String, CodingKey, CaseIterable { case threshold }

    public init(threshold: Double = 0) { self.threshold = threshold }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"] + CodingKeys.allCases.map(\.rawValue))
        threshold = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Double.self, forKey: .threshold) ?? 0
    }
}

/// `activation-statistics` on one unit at one site.
struct ActivationStatisticsEvaluator: ClaimEvaluator {
    let method: ActivationStatistics

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        guard let activations = context.activations else { throw AuditError("\(context.unit): site '\(context.site)' produced no activations") }
        let explanation = try method.explain(activations, stream: context.stream)
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            let value = try ExplanationStatistic(name, direction: .larger, summary: "").value(in: explanation)
            if let scores = explanation.perExample[name] {
                measurements[name] = ClaimMeasurement(value: value, resampling: .meanOfScores(scores))
            } else if name == "deadUnitFraction" {
                let units = try ActiveUnits(activations, threshold: method.threshold)
                measurements[name] = ClaimMeasurement(value: value, resampling: .rows(count: units.rows) { units.deadFraction(over: $0) })
            } else {
                throw AuditError("activation-statistics has no resampling for '\(name)'")
            }
        }
        return ClaimEvaluation(measurements: measurements)
    }
}
