import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// The parameters of `edge-attribution-circuit` (``EdgeCircuitDiscovery``): the circuit's size —
/// `edges` (the top n edges by |EAP score|) or `threshold` (the fewest top edges whose
/// faithfulness reaches it; 0.9 when neither is given) — and whether circuits of different
/// networks are compared up to relabeled heads (`align`, for `overlapWithTrained`).
public struct EdgeCircuitParameters: MethodParameters, Equatable, Codable {
    public var edges: Int?
    public var threshold: Double?
    public var align: Bool = true

    enum CodingKeys: String, CodingKey, CaseIterable { case edges, threshold, align }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"] + CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        edges = try c.decodeIfPresent(Int.self, forKey: .edges)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        align = try c.decodeIfPresent(Bool.self, forKey: .align) ?? align
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(edges, forKey: .edges)
        try c.encodeIfPresent(threshold, forKey: .threshold)
        try c.encode(align, forKey: .align)
    }

    /// The size the discovery is asked for.
    var size: EdgeCircuitDiscovery.Size {
        if let edges { return .edges(edges) }
        return .faithfulness(threshold ?? 0.9)
    }

    /// A key naming the size, for memo tables.
    var sizeKey: String { edges.map { "edges=\($0)" } ?? "threshold=\(threshold ?? 0.9)" }

    /// Checks the parameters against a transformer of `layers` blocks and `heads` heads.
    func validate(field: String, layers: Int, heads: Int) throws {
        if edges != nil && threshold != nil {
            throw SpecError(field: field + ".edges", "give the circuit's size as 'edges' or as 'threshold', not both")
        }
        let total = EdgeAttributionPatching.edges(layers: layers, heads: heads).count
        if let edges, !(1...total).contains(edges) {
            throw SpecError(field: field + ".edges", "expected 1 … \(total) edges (the residual graph of \(layers) blocks of \(heads) heads has \(total)), found \(edges)")
        }
        if let threshold, !(threshold > 0 && threshold <= 1) {
            throw SpecError(field: field + ".threshold", "expected a faithfulness threshold in (0, 1], found \(threshold)")
        }
    }
}

/// `edge-attribution-circuit` on one unit (the site names its randomization stage): the circuit
/// EAP finds on the subject's clean/corrupted pairs, and its statistics (``CircuitDiscoveryFamily``).
struct EdgeCircuitEvaluator: ClaimEvaluator {
    let claim: String
    let parameters: EdgeCircuitParameters
    /// Trained network 0's circuit per site (`overlapWithTrained`'s anchor), shared by every unit.
    let anchors = MemoTable<String, Set<EdgeAttributionPatching.Edge>>()

    /// The discovery and its circuit on the context's unit, once per unit, network stage and size.
    func circuit(_ context: ClaimContext) throws -> (EdgeCircuitDiscovery, EdgeCircuitDiscovery.Result) {
        // The runs activation-patching claims of the unit share (the same memo key).
        let runs = try context.memo.value("patchingRuns|\(context.networkKey(base: 0))") {
            try context.subject.patchingRuns(context.unit, site: context.site)
        }
        guard let patching = runs as? ActivationPatching else {
            throw AuditError("claim \(claim): edge-attribution circuits are made of a transformer's residual-graph edges")
        }
        return try context.memo.value("edge-circuit|\(parameters.sizeKey)|\(context.networkKey(base: 0))") {
            try Self.discover(patching, size: parameters.size, unit: context.unit, claim: claim)
        }
    }

    static func discover(_ patching: ActivationPatching, size: EdgeCircuitDiscovery.Size, unit: AuditUnit,
                         claim: String) throws -> (EdgeCircuitDiscovery, EdgeCircuitDiscovery.Result) {
        let discovery = EdgeCircuitDiscovery(patching)
        do { return (discovery, try discovery.discover(size: size)) } catch let e as MethodError {
            throw AuditError("\(unit), claim \(claim): \(e.message)")
        }
    }

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        if case .trained(0) = context.unit, statistics == ["overlapWithTrained"] { return nil }
        let (discovery, found) = try circuit(context)
        let reason = ClaimResampling.none(reason: "the circuit search is not re-run on resampled pairs")
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            let value: Double
            switch name {
            case "faithfulness":
                if let random = context.randomCircuit(size: found.kept.count, of: discovery.edges.count) {
                    value = try discovery.faithfulness(keeping: random)
                } else {
                    value = found.faithfulness
                }
            case "circuitFraction":
                value = Double(found.kept.count) / Double(discovery.edges.count)
            case "overlapWithTrained":
                let anchor = try anchors.value(context.site) {
                    let patching = try context.subject.activationPatching(.trained(seed: 0), site: context.site)
                    let (d, r) = try Self.discover(patching, size: parameters.size, unit: .trained(seed: 0), claim: claim)
                    return Set(r.kept.map { d.edges[$0] })
                }
                let c = discovery.patching.model.configuration
                let overlap: EdgeCircuitOverlap
                do { overlap = try EdgeCircuitOverlap(layers: c.layers, heads: c.heads, alignsHeads: parameters.align) } catch let e as MethodError {
                    throw AuditError("claim \(claim): \(e.message)")
                }
                value = overlap.overlap(anchor, Set(found.kept.map { discovery.edges[$0] }))
            default:
                throw AuditError("edge-attribution-circuit has no statistic '\(name)'")
            }
            guard value.isFinite else {
                throw AuditError("\(context.unit), claim \(claim): \(name) is undefined (the clean and corrupted runs have the same mean logit difference)")
            }
            measurements[name] = ClaimMeasurement(value: value, resampling: reason)
        }
        return ClaimEvaluation(measurements: measurements, diagnostics: ["circuit.evaluations": Double(found.evaluations)])
    }
}
