import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// What an audit is run on: it yields, for any unit (trained seed or null model), the activations
/// at the claimed sites on the evaluation inputs, and the probe targets of each claim.
///
/// Implementations are pure functions of the spec and the unit's address, so units can run in any
/// order, on any worker or shard.
public protocol AuditSubject: Sendable {
    /// K_t, the number of trained models.
    var trainedSeeds: Int { get }
    /// The sites claim `claim` is tested at.
    func sites(for claim: ClaimSpec) -> [String]
    /// The activations (`[evaluation rows, width]`) at `sites` of the model `unit` names.
    func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor]
    /// The probe's input for `claim` on `activations`.
    func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData
    /// A hash of everything the units read — data, trained weights, supplied activations — for
    /// provenance and to refuse reusing records made from anything else.
    var dataHash: String { get }
    /// A hash of the evaluation data alone (inputs, labels, control types): what a baseline must
    /// share with the result it gates, whose trained model may have changed.
    var evaluationHash: String { get }
    /// A one-line description of the model for reports.
    var modelDescription: String { get }
    /// The network `unit` names as an attribution claim at `site` sees it: trained network s, or
    /// null model k of its family made from trained network `base` (for the site-dependent
    /// families, at the stage `site` names).
    func network(_ unit: AuditUnit, site: String, base: Int) throws -> any AttributableModel
    /// The inputs an attribution claim explains and, per input, the output index it explains.
    func attributionData(claim: ClaimSpec) throws -> (inputs: Tensor, targets: [Int])
    /// The attribution maps of the model `unit` names, for a subject made of map files
    /// (``AttributionMapSubject``): the values (row-major), their shape and the file.
    func attributionMaps(_ unit: AuditUnit) throws -> (values: [Double], shape: [Int], source: String)
    /// The unit this subject evaluates `unit` as: `unit` itself, except for a subject whose trained
    /// models are more null draws (``OneMoreNullDraw``).
    func standIn(_ unit: AuditUnit) -> AuditUnit
    /// The log-probabilities over the outputs `[rows.count, outputs]` of the model `unit` names on
    /// the evaluation rows `rows`, with its activation at `site` (at the position the subject reads
    /// its sites) replaced by `replacement` (`rows.count × width`, row-major; nil: unchanged). For a
    /// family that keeps the trained network, the model is trained network k mod K_t.
    /// (``ClaimRequirement/splicedOutputs``: an SAE's loss recovered and KL score.)
    func splicedLogProbabilities(_ unit: AuditUnit, site: String, rows: [Int], replacement: [Float]?) throws -> Tensor
    /// The directions of the task's true features at `site` of the model `unit` names
    /// (`[features, width]`, row i feature i), where the site is a linear image of the features
    /// (``ClaimRequirement/groundTruth``: an SAE's ground-truth recovery). For a family that keeps
    /// the trained network, the model is trained network k mod K_t.
    func trueFeatureDirections(_ unit: AuditUnit, site: String) throws -> Tensor
    /// The clean and corrupted runs of the model `unit` names (at `site`'s stage, for a
    /// site-dependent family) on the subject's counterfactual pairs, ready to patch components
    /// (``ClaimRequirement/counterfactualPairs``: activation-patching claims).
    func activationPatching(_ unit: AuditUnit, site: String) throws -> ActivationPatching
    /// The clean and corrupted runs activation patching reads, for any network: a transformer's
    /// ``activationPatching(_:site:)``, an MLP's ``MLPActivationPatching``.
    func patchingRuns(_ unit: AuditUnit, site: String) throws -> any PatchingRuns
    /// The rows of a named subset of the task's data with their labels, the same for every unit:
    /// `evaluation`, `training`, `training-clean`, `training-corrupted` (neuron-ablation claims).
    func labelledRows(_ subset: String) throws -> (inputs: Tensor, labels: [Int])
    /// The network whose units a neuron-ablation claim removes, for `unit` at `site` (an MLP's
    /// `layers.ℓ.post`, a transformer's `blocks.ℓ.mlp.hidden`; for a family that keeps the trained
    /// network, trained network k mod K_t). Its inputs are those of ``labelledRows(_:)``.
    func ablatableNetwork(_ unit: AuditUnit, site: String) throws -> any AblatableNetwork
    /// The components of the model `unit` names (at `site`'s stage for a site-dependent family;
    /// for a family that keeps the trained network, trained network k mod K_t), each removable by
    /// `ablation` (resampling from `stream`), with the accuracy of the network without a set of
    /// them on the evaluation rows (``ClaimRequirement/circuitComponents``: circuit discovery).
    func circuitProblem(_ unit: AuditUnit, site: String, ablation: GreedyCircuitSearch.Ablation, stream: RandomStream) throws -> GreedyCircuitSearch.Problem
    /// The interchange-intervention runs of the model `unit` names at `site` (a transformer's
    /// `SITE@p`, an MLP's hidden layer) on the training and evaluation pairs of the task's causal
    /// variable `variable` (``ClaimRequirement/interchangePairs``: distributed alignment search).
    func interventionRuns(_ unit: AuditUnit, site: String, variable: String) throws -> (training: any InterventionRuns, evaluation: any InterventionRuns)
}

extension AuditSubject {
    public func network(_ unit: AuditUnit, site: String, base: Int) throws -> any AttributableModel {
        throw AuditError("attribution claims need a network; this subject (\(modelDescription)) has none")
    }

    public func attributionData(claim: ClaimSpec) throws -> (inputs: Tensor, targets: [Int]) {
        throw AuditError("attribution claims need a network; this subject (\(modelDescription)) has none")
    }

    public func attributionMaps(_ unit: AuditUnit) throws -> (values: [Double], shape: [Int], source: String) {
        throw AuditError("supplied-maps claims need map files (model.maps); this subject (\(modelDescription)) has none")
    }

    public func standIn(_ unit: AuditUnit) -> AuditUnit { unit }

    public func splicedLogProbabilities(_ unit: AuditUnit, site: String, rows: [Int], replacement: [Float]?) throws -> Tensor {
        throw AuditError("splicing a reconstruction into the forward pass needs a transformer trained here; this subject (\(modelDescription)) cannot")
    }

    public func trueFeatureDirections(_ unit: AuditUnit, site: String) throws -> Tensor {
        throw AuditError("true feature directions need a built-in task that knows them (planted-concepts, toy-superposition); this subject (\(modelDescription)) has none")
    }

    public func activationPatching(_ unit: AuditUnit, site: String) throws -> ActivationPatching {
        throw AuditError("activation patching needs clean and corrupted inputs (a transformer trained here on a sequence task, or an MLP on hierarchical-equality-vectors); this subject (\(modelDescription)) has none")
    }

    public func patchingRuns(_ unit: AuditUnit, site: String) throws -> any PatchingRuns {
        try activationPatching(unit, site: site)
    }

    public func circuitProblem(_ unit: AuditUnit, site: String, ablation: GreedyCircuitSearch.Ablation, stream: RandomStream) throws -> GreedyCircuitSearch.Problem {
        throw AuditError("circuit discovery needs a network trained here whose components can be ablated; this subject (\(modelDescription)) has none")
    }

    public func interventionRuns(_ unit: AuditUnit, site: String, variable: String) throws -> (training: any InterventionRuns, evaluation: any InterventionRuns) {
        throw AuditError("interchange interventions need a network trained here on a task with causal variables (hierarchical-equality, hierarchical-equality-vectors); this subject (\(modelDescription)) has none")
    }

    public func labelledRows(_ subset: String) throws -> (inputs: Tensor, labels: [Int]) {
        throw AuditError("labelled subsets of the data need a network trained here on a built-in task; this subject (\(modelDescription)) has none")
    }

    public func ablatableNetwork(_ unit: AuditUnit, site: String) throws -> any AblatableNetwork {
        throw AuditError("neuron ablation needs an MLP or a transformer trained here on a built-in task; this subject (\(modelDescription)) has none")
    }
}

extension AuditSubject {
    /// The activations at `sites` of the model `unit` names, for a subject whose models are made
    /// by `model(unit, site)` and read by `capture`: one model for a trained unit or a
    /// site-independent family, and one per site for the site-dependent families (whose model
    /// depends on the site: the cascade stage, the layer re-initialized alone).
    func activations<Model>(_ unit: AuditUnit, sites: Set<String>, model: (AuditUnit, String) throws -> Model,
                            capture: (Model, Set<String>) -> [String: Tensor]) throws -> [String: Tensor] {
        guard !sites.isEmpty else { return [:] }
        if case .null(let family, _) = unit, AuditPlan.siteDependentFamilies.contains(family) {
            var out: [String: Tensor] = [:]
            for site in sites { out[site] = capture(try model(unit, site), [site])[site] }
            return out
        }
        return capture(try model(unit, ""), sites)
    }
}

extension AuditSubject {
    /// The recipe a `permuted-labels` null network is retrained with: `model.training`, with the
    /// family's `epochs` when the spec gives them.
    static func retrainingPlan(_ spec: AuditSpec) -> TrainingSpec {
        let family = spec.nulls.first { $0.family == NullSpec.Family.permutedLabels.rawValue }
        return family?.retrainingPlan(spec.model.training) ?? spec.model.training
    }
}

/// Dense ids for labels or types: the distinct values in ascending order become 0, 1, 2, … —
/// so labels {1, 2} are two classes, not three with an empty one, and {0, 10⁹} cost two weights.
func denseIDs(_ values: [Int]) -> (ids: [Int], count: Int) {
    let distinct = Array(Set(values)).sorted()
    var index: [Int: Int] = [:]
    for (i, v) in distinct.enumerated() { index[v] = i }
    return (values.map { index[$0] ?? 0 }, distinct.count)
}
