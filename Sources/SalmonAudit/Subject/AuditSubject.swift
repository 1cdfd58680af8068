import SalmonMethods
import SalmonNetworks

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
    /// A hash of the data the audit reads (evaluation inputs, labels, weights), for provenance.
    var dataHash: String { get }
    /// A one-line description of the model for reports.
    var modelDescription: String { get }
}

/// The method a claim names, built from its spec (every probe-family method reads `ProbeData`).
enum ClaimMethod: Sendable {
    case probe(Probe)
    case pca(PrincipalComponentCorrelation)

    init(_ spec: MethodSpec) {
        switch spec.name {
        case "ridge-probe": self = .probe(Probe(.ridge(RidgeRegression(alpha: spec.alpha)), folds: spec.folds))
        case "mlp-probe": self = .probe(Probe(.mlp(MLPProbe(hidden: spec.hidden, epochs: spec.epochs)), folds: spec.folds))
        case "pca-label-correlation": self = .pca(PrincipalComponentCorrelation(components: spec.components))
        default:
            self = .probe(Probe(.logistic(LogisticRegression(inverseRegularization: spec.C, tolerance: spec.tolerance)), folds: spec.folds))
        }
    }

    var name: String {
        switch self {
        case .probe(let p): return p.name
        case .pca(let p): return p.name
        }
    }

    func explain(_ data: ProbeData, stream: RandomStream) throws -> Explanation {
        switch self {
        case .probe(let p): return try p.explain(data, stream: stream)
        case .pca(let p): return try p.explain(data, stream: stream)
        }
    }
}

import SalmonStatistics
