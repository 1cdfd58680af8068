import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// A method family as the audit engine reaches it: the one seam between the engine and every
/// interpretability method (DESIGN.md, "The seam: claim families and subjects").
///
/// A family owns its method names and decodes its own `method:` block into typed parameters
/// (strict keys); declares its statistics, each with a direction and whether it is measured
/// against a reference; declares what it needs of the subject, which the spec's validation
/// checks against what the model can give; and evaluates one unit at one site by fitting its
/// method once, returning each requested statistic with how it is resampled. The engine
/// (``UnitEvaluator``, ``AuditAssembler``, ``AuditPlan``) never names a family or a method.
///
/// A new family is a folder in `SalmonMethods` (audit-unaware), a folder under
/// `SalmonAudit/Claims` holding its type, and one line in ``ClaimFamilies/registered``.
public protocol ClaimFamily: Sendable {
    /// The family's name in messages (`probe`, `attribution`).
    var name: String { get }
    /// The method names the family owns, as a spec writes them (`logistic-probe`, `gradient`).
    var methods: [String] { get }
    /// What the family's claims do with their sites.
    var siteRole: SiteRole { get }
    /// Decodes the parameters of `method` from its `method:` mapping (which also holds `name`).
    /// Keys the method does not take are errors naming the nearest valid key.
    /// - Throws: ``SpecError`` naming the field.
    func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters
    /// The statistics `method` offers; the first is the claim's default.
    func statistics(of method: String) -> [ClaimStatistic]
    /// What a claim of this family needs from the subject (checked by ``AuditSpec/validate()``).
    func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement>
    /// The family's own rules for a claim in a spec, beyond its requirements.
    /// - Throws: ``SpecError`` naming the field (`field` is the claim's path, e.g. `claims[2]`).
    func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws
    /// The evaluator of `claim` on `subject`, made once per run and shared by every unit.
    func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator
    /// Report notes from the diagnostics its evaluations reported, summed over every unit of the
    /// audit (for example, probe fits that stopped before converging).
    func notes(diagnostics: [String: Double]) -> [String]
    /// Whether the claim's method draws random numbers (cross-validation folds, a probe's
    /// initialization, SmoothGrad's noise), so that `resampling.methodSeeds` repeats it with
    /// independent streams and the method's own randomness enters the interval.
    func isRandom(_ claim: ClaimSpec) -> Bool
    /// The estimator-level null families (``NullSpec/Family/isEstimatorLevel``) the family's
    /// evaluator applies when ``ClaimContext/standIn`` is one of their null units; its claims are
    /// tested against these and no claim of another family is.
    var estimatorNulls: Set<String> { get }
    /// The estimator-level null families `claim` is tested against: ``estimatorNulls`` unless the
    /// claim's parameters leave a family nothing to vary (a neuron ablation that removes no units).
    func estimatorNulls(of claim: ClaimSpec) -> Set<String>
    /// The sites `claim` reads besides its own (a transcoder reads a layer's input to reconstruct
    /// its output at the claim's site): captured for every unit and given to the evaluator in
    /// ``ClaimContext/activations(at:)``. Empty for most claims.
    func readSites(of claim: ClaimSpec) -> [String]
}

extension ClaimFamily {
    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {}
    public func notes(diagnostics: [String: Double]) -> [String] { [] }
    public func isRandom(_ claim: ClaimSpec) -> Bool { false }
    public var estimatorNulls: Set<String> { [] }
    public func estimatorNulls(of claim: ClaimSpec) -> Set<String> { estimatorNulls }
    public func readSites(of claim: ClaimSpec) -> [String] { [] }

    /// The statistic `name` of `method`, if the method offers it.
    public func statistic(_ name: String, of method: String) -> ClaimStatistic? {
        statistics(of: method).first { $0.name == name }
    }
}

/// What a family's claims do with the sites they name.
public enum SiteRole: Sendable, Hashable {
    /// The method reads the model's activations at each site: every site is its own measurement,
    /// with its own method stream (`seed → "method" → claim → site`) and bootstrap.
    case measurement
    /// The method reads the whole network (inputs to outputs); a site names only the stage at
    /// which the site-dependent null families randomize the network. A trained network's value is
    /// the same at every site (computed once; one method stream `seed → "method" → claim` and one
    /// bootstrap), and the claim is tested against the site-independent families once, at its first site.
    case randomizationStage
}

/// One claim's method, ready to evaluate units: built once per run by its family.
public protocol ClaimEvaluator: Sendable {
    /// Fits the method once on `unit` at `site` and returns each of `statistics` (names the
    /// method offers) with how it is resampled; nil when the unit has no value there (trained
    /// network 0 under a statistic measured against it).
    /// - Parameter context: the unit's activations (for families that read them), the method's
    ///   random stream and the subject.
    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation?
}

/// What an evaluator is given for one unit at one site.
public struct ClaimContext: Sendable {
    public var unit: AuditUnit
    /// The unit the subject evaluates `unit` as (``AuditSubject/standIn(_:)``): `unit` itself,
    /// except in a calibration run, where a trained unit stands for one more null draw. An
    /// evaluator that applies estimator-level nulls reads its variant from here.
    public var standIn: AuditUnit
    public var site: String
    /// The activations `[evaluation rows, width]` at `site` when the family requires them.
    public var activations: Tensor?
    /// The unit's activations at every site any claim reads (with ``activations``'s site among them).
    public var unitActivations: [String: Tensor]
    /// The method's stream: the same for every unit, so trained and null models meet identical
    /// folds, control labels and noise, and stay exchangeable under the null.
    public var stream: RandomStream
    public var subject: any AuditSubject
    /// What the unit's claims share (networks, maps): each is computed once per unit.
    public var memo: UnitMemo

    public init(unit: AuditUnit, site: String, activations: Tensor?, stream: RandomStream, subject: any AuditSubject,
                memo: UnitMemo = UnitMemo(), unitActivations: [String: Tensor] = [:]) {
        self.unit = unit
        self.unitActivations = unitActivations
        standIn = subject.standIn(unit)
        self.site = site
        self.activations = activations
        self.stream = stream
        self.subject = subject
        self.memo = memo
    }

    /// The unit's activations at `site`, one of the sites the claim reads (``ClaimFamily/readSites(of:)``).
    public func activations(at site: String) throws -> Tensor {
        guard let a = unitActivations[site] else { throw AuditError("\(unit): site '\(site)' produced no activations") }
        return a
    }

    /// The network the unit names at the context's site, made from trained network `base`
    /// (``AuditSubject/network(_:site:base:)``), made once per unit, stage and base: a null model
    /// of a site-dependent family has one network per site, any other unit one network.
    public func network(base: Int) throws -> any AttributableModel {
        var stage = ""
        if case .null(let family, _) = unit, AuditPlan.siteDependentFamilies.contains(family) { stage = site }
        return try memo.value("network|\(stage)|\(base)") { try subject.network(unit, site: site, base: base) }
    }

    /// The stage key of the network at the context's site (see ``network(base:)``), for keys of
    /// values computed from that network.
    public func networkKey(base: Int) -> String {
        if case .null(let family, _) = unit, AuditPlan.siteDependentFamilies.contains(family) { return "\(site)|\(base)" }
        return "|\(base)"
    }
}
