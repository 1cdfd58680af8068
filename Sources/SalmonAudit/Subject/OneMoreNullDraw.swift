import SalmonMethods
import SalmonNetworks

/// A subject whose "trained" model is one more draw from a null family: null model `index` of
/// `family` (the audit's own nulls of that family being 0 … K−1, exchangeable with it).
///
/// This is the calibration experiment for the whole audit: under it every claim is a dead salmon
/// by construction, so "distinguishable" must come out at rate α (REFERENCES.md; the audit
/// calibration test and `salmon-bench audit-calibration`).
public struct OneMoreNullDraw: AuditSubject {
    public let base: any AuditSubject
    public let family: String
    public let index: Int

    public init(base: any AuditSubject, family: String = "random-init", index: Int) {
        self.base = base
        self.family = family
        self.index = index
    }

    public var trainedSeeds: Int { 1 }
    public func sites(for claim: ClaimSpec) -> [String] { base.sites(for: claim) }
    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        try base.activations(unit.isTrained ? .null(family: family, index: index) : unit, sites: sites)
    }
    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        try base.probeData(claim: claim, activations: activations)
    }
    public var dataHash: String { base.dataHash }
    public var evaluationHash: String { base.evaluationHash }
    public var modelDescription: String { "null model \(index) of \(family), standing in for the trained model (calibration)" }

    /// The calibration experiment's spec: a small planted-concepts MLP, one claim (`method`, a YAML
    /// mapping such as `{name: logistic-probe, folds: 3}`) at one site against K random-init nulls,
    /// so that a single test decides and "distinguishable" should come out at rate α.
    public static func calibrationSpec(seed: UInt64, method: String, K: Int) throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: calibration
            seed: \(seed)
            model:
              task: planted-concepts
              taskOptions: {examples: 40, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
              hidden: [6]
              training: {epochs: 1}
              evaluationExamples: 150
            claims:
              - {name: c, method: \(method), sites: [layers.0.post]}
            nulls:
              - {family: random-init, K: \(K)}
            resampling: {bootstrap: 100, interval: percentile}
            """, file: "calibration spec")
    }
}
