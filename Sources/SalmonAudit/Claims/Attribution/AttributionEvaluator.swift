import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// An attribution claim on one unit at one site (see ``AttributionFamily`` for the statistics).
struct AttributionEvaluator: ClaimEvaluator {
    let claim: ClaimSpec
    let method: AttributionMethod
    let statistic: AttributionFamily.Statistic
    /// The similarity measure (for `similarityToTrained`).
    let measure: AttributionSimilarity
    let curveSteps: Int
    /// Trained network 0's prepared maps per method stream and site, shared by every unit of the
    /// run (the site matters only for a subject whose "trained" network depends on it, such as
    /// ``OneMoreNullDraw`` standing in a cascade stage for it).
    let anchors = MemoTable<AnchorKey, AttributionSimilarity.Prepared>()

    struct AnchorKey: Hashable, Sendable {
        var stream: RandomStream
        var site: String
    }

    /// The statistic for the context's unit at its site: per-input scores (NaN-free), resampled as
    /// a mean; nil for trained network 0 under `similarityToTrained` (the anchor).
    ///
    /// A unit's networks and maps come from its ``UnitMemo``, keyed by the method, its stream and
    /// the network, so the claims of one method that differ only in their statistic or similarity
    /// measure compute the maps once per unit.
    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        let unit = context.unit, site = context.site, subject = context.subject, stream = context.stream
        let (inputs, targets) = try subject.attributionData(claim: claim)
        if case .trained(let s) = unit, statistic == .similarityToTrained && s == 0 { return nil }
        let perExample: [Double]
        var diagnostics: [String: Double]
        switch statistic {
        case .similarityToTrained:
            // Keyed by the run's stream: with several method seeds, run r compares with network 0's
            // map drawn with the same noise r (common random numbers within a run).
            let anchor = try anchors.value(AnchorKey(stream: stream, site: site)) {
                let trained = try subject.network(.trained(seed: 0), site: site, base: 0)
                return try measure.prepare(try maps(trained, inputs: inputs, targets: targets, stream: stream).values, rows: targets.count)
            }
            let values: [Double]
            (values, diagnostics) = try maps(context, base: 0, inputs: inputs, targets: targets)
            let perRow = try measure.compare(anchor, with: values)
            diagnostics["attribution.undefinedRows"] = Double(perRow.count { $0.isNaN })
            perExample = perRow.map { $0.isNaN ? 0 : $0 }
        case .deletionAUC, .insertionAUC:
            let kind: FeatureRemovalCurve.Kind = statistic == .deletionAUC ? .deletion : .insertion
            let baseIndex: Int
            switch unit {
            case .trained(let s): baseIndex = s
            case .null(_, let index): baseIndex = index % subject.trainedSeeds
            }
            let base = try subject.network(.trained(seed: baseIndex), site: site, base: baseIndex)
            let values: [Double]
            (values, diagnostics) = try maps(context, base: baseIndex, inputs: inputs, targets: targets)
            let curve = FeatureRemovalCurve.evaluate(kind, model: base, inputs: inputs, targets: targets, maps: values, steps: curveSteps)
            if let r = curve.areas.firstIndex(where: { !$0.isFinite }) {
                throw AuditError("\(unit), claim \(claim.name) at \(site): the \(kind.rawValue) curve of input \(r) is not finite (the network's output overflowed)")
            }
            perExample = curve.areas
        }
        let measurement = ClaimMeasurement(value: Descriptive.mean(perExample), resampling: .meanOfScores(perExample))
        return ClaimEvaluation(measurements: Dictionary(uniqueKeysWithValues: statistics.map { ($0, measurement) }),
                               diagnostics: diagnostics)
    }

    /// The unit's maps at the context's site, of its network made from trained network `base`:
    /// computed once per unit for every claim with the same method, stream and network.
    func maps(_ context: ClaimContext, base: Int, inputs: Tensor, targets: [Int]) throws -> (values: [Double], diagnostics: [String: Double]) {
        let key = "attribution.maps|\(method)|\(context.stream.key)|\(context.networkKey(base: base))"
        let made: Maps = try context.memo.value(key) {
            let model = try context.network(base: base)
            let (values, diagnostics) = try maps(model, inputs: inputs, targets: targets, stream: context.stream)
            return Maps(values: values, diagnostics: diagnostics)
        }
        return (made.values, made.diagnostics)
    }

    struct Maps: Sendable {
        var values: [Double]
        var diagnostics: [String: Double]
    }

    /// The maps `[n · d]` of `model` and the diagnostics worth summing over units.
    func maps(_ model: any AttributableModel, inputs: Tensor, targets: [Int], stream: RandomStream) throws -> (values: [Double], diagnostics: [String: Double]) {
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
