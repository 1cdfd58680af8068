import SalmonMethods
import SalmonNetworks

/// Activation patching (``ActivationPatching``, ``MLPActivationPatching``) as claims: "this
/// component carries the answer". Each site of the claim names a component — on a transformer a
/// head `blocks.i.attn.heads.h`, a site that a forward pass replaces (`embed`,
/// `blocks.i.{attn.out, mlp.hidden, mlp.out, resid}`), or one position of one, `SITE@p`; on an
/// MLP a hidden layer `layers.ℓ.pre|post` or one of its units `layers.ℓ.post[i]` — and its statistic is the logit difference it recovers when the
/// clean run's activation is patched into the corrupted run,
/// `logitDifferenceRecovered` = (LD̄_patched − LD̄_corrupt)/(LD̄_clean − LD̄_corrupt) over the
/// subject's clean/corrupted pairs (``AuditSubject/activationPatching(_:site:)``), larger = more
/// of the behaviour runs through the component. Every model — trained and null — is patched on
/// the same pairs with its own clean and corrupted runs, so the values are exchangeable under a
/// null. Resampled over the pairs (the ratio of means recomputed on each resample). The method is
/// deterministic and reads no target.
///
/// A component may also be an edge of the residual graph, `WRITER->READER` (writers `embed`,
/// `blocks.i.attn.heads.h`, `blocks.i.mlp`; readers `blocks.j.attn.in`, `blocks.j.mlp.in`,
/// `logits`): the writer's clean output patched into what that reader alone reads. The method
/// `edge-attribution-patching` scores edges to first order from one backward pass
/// (``EdgeAttributionPatching``; Syed et al. 2023): `attributedRecovered`, the first-order estimate
/// of the edge's `logitDifferenceRecovered`, resampled over the pairs in the same way.
///
/// On a random network LD̄_clean − LD̄_corrupt is small and the ratio can be far outside [0, 1]
/// (as an SAE's loss recovered is); the null distribution shows it, and the rank test is valid
/// whatever its spread — but has little power (`Reports/reproductions/induction-circuit.md`).
/// `logitDifferenceRestored` divides by the root-mean-square per-pair clean–corrupt difference
/// instead (``ActivationPatching/restored(patched:clean:corrupted:rows:)``): about the recovered
/// fraction on a network that does the task, well conditioned on one that does not.
public struct ActivationPatchingFamily: ClaimFamily {
    public init() {}

    public var name: String { "activation-patching" }
    public var methods: [String] { ["activation-patching", "edge-attribution-patching"] }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try ActivationPatchingParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        if method == "edge-attribution-patching" {
            return [ClaimStatistic("attributedRecovered", direction: .larger,
                                   summary: "the first-order (EAP) estimate of the logit difference the edge's clean activation restores, over LD_clean − LD_corrupt")]
        }
        return [ClaimStatistic("logitDifferenceRecovered", direction: .larger,
                               summary: "(LD_patched − LD_corrupt)/(LD_clean − LD_corrupt): the logit difference the component's clean activation restores"),
                ClaimStatistic("logitDifferenceRestored", direction: .larger,
                               summary: "(LD_patched − LD_corrupt)/RMS(LD_clean − LD_corrupt): the logit difference restored in units of the per-pair root-mean-square clean–corrupt difference (well conditioned on random networks)")]
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.counterfactualPairs] }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "activation-patching reads no target (its answers come with the clean/corrupted pairs); remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to activation patching")
        }
        if claim.method.name == "edge-attribution-patching" {
            for site in AuditPlan.sites(for: claim, in: spec) {
                guard case .edge? = PatchingComponent(parsing: site) else {
                    throw SpecError(field: "claims.\(claim.name).sites", "edge-attribution-patching scores edges, WRITER->READER (embed->blocks.0.attn.in, blocks.0.attn.heads.1->logits, …); found '\(site)'")
                }
            }
        }
        if spec.model.task != nil && spec.model.transformer == nil && !spec.model.isFileModel {
            // An MLP's components: a hidden layer's row or one of its units.
            let hidden = spec.model.hidden
            for site in AuditPlan.sites(for: claim, in: spec) {
                guard let (name, unit) = MLPActivationPatching.component(site), let l = AuditPlan.layer(of: name), l < hidden.count else {
                    throw SpecError(field: "claims.\(claim.name).sites", "an MLP's components are its hidden layers, layers.0–\(hidden.count - 1).{pre, post}, and their units, layers.ℓ.post[i]; found '\(site)'")
                }
                if let unit, unit >= hidden[l] {
                    throw SpecError(field: "claims.\(claim.name).sites", "\(name) has units 0 … \(hidden[l] - 1); found '\(site)'")
                }
            }
        }
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.gaussianActivations.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'gaussian-activations' redraws activations, but the activation-patching claim \(claim.name) runs the network itself; audit it against model nulls (random-init, moment-redraw, cascading, …)")
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        ActivationPatchingEvaluator(claim: claim.name, attribution: claim.method.name == "edge-attribution-patching")
    }
}

/// The parameters of `activation-patching`: none yet (the pairs come from the subject).
public struct ActivationPatchingParameters: MethodParameters, Equatable, Decodable {
    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"])
    }
}

/// `activation-patching` on one unit at one site (a component).
struct ActivationPatchingEvaluator: ClaimEvaluator {
    let claim: String
    /// Edge attribution patching's first-order scores in place of patched runs.
    let attribution: Bool

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        // The clean and corrupted runs of the unit's network, once per unit and network stage.
        let runs = try context.memo.value("patchingRuns|\(context.networkKey(base: 0))") {
            try context.subject.patchingRuns(context.unit, site: context.site)
        }
        let (clean, corrupted) = (runs.cleanDifferences, runs.corruptedDifferences)
        // Per sequence, what the statistic is a ratio of means of: the patched runs' logit
        // differences, or EAP's first-order changes; and the ratio over a set of sequences.
        // Per statistic, the ratio over a set of sequences (nil: all) of per-sequence values: the
        // patched runs' logit differences, or EAP's first-order changes.
        var ratios: [String: @Sendable ([Int]?) -> Double] = [:]
        if attribution {
            guard case .edge(let edge)? = PatchingComponent(parsing: context.site) else { throw AuditError("claim \(claim): '\(context.site)' is not an edge") }
            guard let patching = runs as? ActivationPatching else { throw AuditError("claim \(claim): edge attribution patching scores a transformer's residual-graph edges") }
            let eap = try context.memo.value("eap|\(context.networkKey(base: 0))") { EdgeAttributionPatching(patching) }
            let scores: [Double]
            do { scores = try eap.sequenceScores(edge) } catch let e as MethodError { throw AuditError("claim \(claim): \(e.message)") }
            ratios["attributedRecovered"] = { EdgeAttributionPatching.attributedRecovered(scores: scores, clean: clean, corrupted: corrupted, rows: $0) }
        } else {
            let patched = try context.memo.value("patched|\(context.site)|\(context.networkKey(base: 0))") {
                do { return try runs.patchedDifferences(component: context.site) } catch let e as MethodError {
                    throw AuditError("\(context.unit), claim \(claim): \(e.message)")
                }
            }
            ratios["logitDifferenceRecovered"] = { ActivationPatching.recovered(patched: patched, clean: clean, corrupted: corrupted, rows: $0) }
            ratios["logitDifferenceRestored"] = { ActivationPatching.restored(patched: patched, clean: clean, corrupted: corrupted, rows: $0) }
        }
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            guard let ratio = ratios[name] else { throw AuditError("\(attribution ? "edge-attribution-patching" : "activation-patching") has no statistic '\(name)'") }
            let value = ratio(nil)
            guard value.isFinite else {
                let why = name == "logitDifferenceRestored" ? "every pair's clean and corrupted runs have the same logit difference"
                    : "the clean and corrupted runs have the same mean logit difference"
                throw AuditError("\(context.unit), claim \(claim) at \(context.site): \(name) is undefined (\(why))")
            }
            measurements[name] = ClaimMeasurement(value: value, resampling: .rows(count: clean.count) { ratio(Array($0)) })
        }
        return ClaimEvaluation(measurements: measurements)
    }
}
