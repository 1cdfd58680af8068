import SalmonMethods
import SalmonStatistics

/// A probe-family claim on one unit at one site: the method fitted once on the site's activations.
struct ProbeEvaluator: ClaimEvaluator {
    enum Estimator: Sendable {
        case probe(Probe)
        case pca(PrincipalComponentCorrelation)

        func explain(_ data: ProbeData, stream: RandomStream) throws -> Explanation {
            switch self {
            case .probe(let p): return try p.explain(data, stream: stream)
            case .pca(let p): return try p.explain(data, stream: stream)
            }
        }
    }

    let claim: ClaimSpec
    let estimator: Estimator

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        guard let activations = context.activations else { throw AuditError("\(context.unit): site '\(context.site)' produced no activations") }
        let data = try context.subject.probeData(claim: claim, activations: activations)
        let explanation = try estimator.explain(data, stream: context.stream)
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            let statistic = ExplanationStatistic(name, direction: .larger, summary: "")
            let value = try statistic.value(in: explanation)
            measurements[name] = ClaimMeasurement(value: value, resampling: resampling(name, explanation: explanation, data: data,
                                                                                       statistic: statistic, stream: context.stream))
        }
        return ClaimEvaluation(measurements: measurements, diagnostics: explanation.diagnostics)
    }

    /// Per-example scores for means (accuracy, selectivity); rows for R² (SSE over the total sum of
    /// squares, recomputed on each resample); otherwise the method refitted on resampled rows with
    /// the same stream.
    private func resampling(_ name: String, explanation: Explanation, data: ProbeData, statistic: ExplanationStatistic,
                            stream: RandomStream) -> ClaimResampling {
        if let scores = explanation.perExample[name] { return .meanOfScores(scores) }
        if name == "r2", let errors = explanation.perExample["squaredError"], let targets = explanation.perExample["target"] {
            return .rows(count: errors.count) { rows in
                var sse = 0.0, sum = 0.0
                for i in rows { sse += errors[i]; sum += targets[i] }
                let mean = sum / Double(rows.count)
                var total = 0.0
                for i in rows { total += (targets[i] - mean) * (targets[i] - mean) }
                return total > 0 ? 1 - sse / total : .nan
            }
        }
        let estimator = self.estimator
        return .refit(count: data.rowCount) { rows in
            guard let resampled = try? data.resampled(rows: Array(rows)),
                  let e = try? estimator.explain(resampled, stream: stream) else { return .nan }
            return (try? statistic.value(in: e)) ?? .nan
        }
    }
}
