import SalmonMethods
import SalmonStatistics

/// Probes and representation geometry read from the activations at a site: logistic, ridge and
/// MLP probes (k-fold cross-validated, with control tasks after Hewitt & Liang 2019) and the
/// correlation of the top principal components with the label.
///
/// Statistics (all larger = more structure): `accuracy`, `controlAccuracy`, `selectivity`
/// (accuracy − control accuracy) for the classifying probes — means of per-example scores,
/// resampled as such; `r2` for the ridge probe — resampled by rows (SSE and the total sum of
/// squares recomputed on each resample, no refit); `maxAbsCorrelation` for PCA — the method
/// refitted on each resample — against a binary label (`pca-label-correlation`) or a real-valued
/// target (`pca-target-correlation`).
public struct ProbeFamily: ClaimFamily {
    /// The family's methods.
    public enum Method: String, CaseIterable, Sendable {
        case logistic = "logistic-probe"
        case ridge = "ridge-probe"
        case mlp = "mlp-probe"
        case pca = "pca-label-correlation"
        /// The same statistic against a real-valued target from a file (a valence score, a
        /// confound such as the number of word pieces).
        case pcaTarget = "pca-target-correlation"
    }

    public init() {}

    public var name: String { "probe" }
    public var methods: [String] { Method.allCases.map(\.rawValue) }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try ProbeParameters(method: try Self.method(method), from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        guard let m = Method(rawValue: method) else { return [] }
        switch m {
        case .logistic, .mlp:
            return [ClaimStatistic("accuracy", direction: .larger, summary: "cross-validated accuracy of the probe"),
                    ClaimStatistic("controlAccuracy", direction: .larger, summary: "cross-validated accuracy on the control task"),
                    ClaimStatistic("selectivity", direction: .larger, summary: "accuracy − control accuracy (Hewitt & Liang 2019)")]
        case .ridge:
            return [ClaimStatistic("r2", direction: .larger, summary: "cross-validated R² of the ridge probe")]
        case .pca, .pcaTarget:
            return [ClaimStatistic("maxAbsCorrelation", direction: .larger, summary: "largest |correlation| of a top principal component with the \(m == .pca ? "label" : "target")")]
        }
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> {
        [.activations, [.ridge, .pcaTarget].contains(Method(rawValue: claim.method.name)) ? .realValuedTargets : .classLabels]
    }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        try claim.method.parameters(as: ProbeParameters.self).validate(field: field + ".method")
        if ["controlAccuracy", "selectivity"].contains(claim.statistic) && claim.controlTypes == nil {
            throw SpecError(field: field + ".controlTypes", "statistic '\(claim.statistic)' needs control types ('concepts' or a .npy file)")
        }
        if [.ridge, .pcaTarget].contains(Method(rawValue: claim.method.name)) && claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types serve the classifying probes' controlAccuracy and selectivity; " + (Method(rawValue: claim.method.name) == .ridge ? "the ridge probe reports r2 only" : "\(claim.method.name) correlates components with a real-valued target"))
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        let p = try claim.method.parameters(as: ProbeParameters.self)
        let estimator: ProbeEvaluator.Estimator
        switch try Self.method(claim.method.name) {
        case .logistic:
            estimator = .probe(Probe(.logistic(LogisticRegression(inverseRegularization: p.C, tolerance: p.tolerance)), folds: p.folds))
        case .ridge: estimator = .probe(Probe(.ridge(RidgeRegression(alpha: p.alpha)), folds: p.folds))
        case .mlp: estimator = .probe(Probe(.mlp(MLPProbe(hidden: p.hidden, epochs: p.epochs)), folds: p.folds))
        case .pca, .pcaTarget: estimator = .pca(PrincipalComponentCorrelation(components: p.components))
        }
        return ProbeEvaluator(claim: claim, estimator: estimator)
    }

    public func notes(diagnostics: [String: Double]) -> [String] {
        let nonConverged = (diagnostics["task.foldsNotConverged"] ?? 0) + (diagnostics["control.foldsNotConverged"] ?? 0)
        guard nonConverged > 0 else { return [] }
        return ["\(Int(nonConverged)) probe fits (folds) stopped before the convergence tolerance (iteration limit or line search); their predictions are used as they are"]
    }

    /// The probes draw their folds (and the MLP probe its initialization and minibatches); PCA draws nothing.
    public func isRandom(_ claim: ClaimSpec) -> Bool { ![.pca, .pcaTarget].contains(Method(rawValue: claim.method.name)) }

    static func method(_ name: String) throws -> Method {
        guard let m = Method(rawValue: name) else { throw SpecError(field: "method.name", "'\(name)' is not a probe-family method") }
        return m
    }
}
