import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// A subject whose "trained" models are more draws from a null family: trained network s is null
/// model `index + s` of `family` (the audit's own nulls of that family being 0 … K−1,
/// exchangeable with them).
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

    public var trainedSeeds: Int { base.trainedSeeds }
    public func sites(for claim: ClaimSpec) -> [String] { base.sites(for: claim) }
    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        try base.activations(standIn(unit), sites: sites)
    }
    public func network(_ unit: AuditUnit, site: String, base b: Int) throws -> any AttributableModel {
        try base.network(standIn(unit), site: site, base: b)
    }
    public func attributionData(claim: ClaimSpec) throws -> (inputs: Tensor, targets: [Int]) {
        try base.attributionData(claim: claim)
    }
    public func attributionMaps(_ unit: AuditUnit) throws -> (values: [Double], shape: [Int], source: String) {
        try base.attributionMaps(standIn(unit))
    }
    public func splicedLogProbabilities(_ unit: AuditUnit, site: String, rows: [Int], replacement: [Float]?) throws -> Tensor {
        try base.splicedLogProbabilities(standIn(unit), site: site, rows: rows, replacement: replacement)
    }
    public func trueFeatureDirections(_ unit: AuditUnit, site: String) throws -> Tensor {
        try base.trueFeatureDirections(standIn(unit), site: site)
    }
    public func activationPatching(_ unit: AuditUnit, site: String) throws -> ActivationPatching {
        try base.activationPatching(standIn(unit), site: site)
    }
    public func patchingRuns(_ unit: AuditUnit, site: String) throws -> any PatchingRuns {
        try base.patchingRuns(standIn(unit), site: site)
    }
    public func labelledRows(_ subset: String) throws -> (inputs: Tensor, labels: [Int]) {
        try base.labelledRows(subset)
    }
    public func ablatableNetwork(_ unit: AuditUnit, site: String) throws -> any AblatableNetwork {
        try base.ablatableNetwork(standIn(unit), site: site)
    }
    public func circuitProblem(_ unit: AuditUnit, site: String, ablation: GreedyCircuitSearch.Ablation, stream: RandomStream) throws -> GreedyCircuitSearch.Problem {
        try base.circuitProblem(standIn(unit), site: site, ablation: ablation, stream: stream)
    }
    public func interventionRuns(_ unit: AuditUnit, site: String, variable: String) throws -> (training: any InterventionRuns, evaluation: any InterventionRuns) {
        try base.interventionRuns(standIn(unit), site: site, variable: variable)
    }

    /// The null model standing in for `unit` (itself when it is a null model).
    public func standIn(_ unit: AuditUnit) -> AuditUnit {
        if case .trained(let s) = unit { return .null(family: family, index: index + s) }
        return unit
    }
    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        try base.probeData(claim: claim, activations: activations)
    }
    public var dataHash: String { base.dataHash }
    public var evaluationHash: String { base.evaluationHash }
    public var modelDescription: String { "null models \(index)… of \(family), standing in for the trained models (calibration)" }

    /// The calibration experiment's spec: a small planted-concepts MLP, one claim (`method`, a YAML
    /// mapping such as `{name: logistic-probe, folds: 3}`) at one site against K random-init nulls,
    /// so that a single test decides and "distinguishable" should come out at rate α. `statistic`
    /// (default: the method's first) and `trainedSeeds` (K_t) serve attribution claims, whose
    /// `similarityToTrained` needs K_t ≥ 2. `hidden` is the width of the one hidden layer;
    /// `methodSeeds` sets `resampling.methodSeeds`; `family` is the null family (random-init by default).
    public static func calibrationSpec(seed: UInt64, method: String, K: Int, statistic: String? = nil,
                                       trainedSeeds: Int = 1, hidden: Int = 6, methodSeeds: Int? = nil,
                                       family: String = "random-init", site: String = "layers.0.post") throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: calibration
            seed: \(seed)
            model:
              task: planted-concepts
              taskOptions: {examples: 40, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
              hidden: [\(hidden)]
              training: {epochs: 1, seeds: \(trainedSeeds)}
              evaluationExamples: 150
            claims:
              - {name: c, method: \(method), sites: [\(site)]\(statistic.map { ", statistic: \($0)" } ?? "")}
            nulls:
              - {family: \(family), K: \(K)}
            resampling: {bootstrap: 100, interval: percentile\(methodSeeds.map { ", methodSeeds: \($0)" } ?? "")}
            """, file: "calibration spec")
    }
}
