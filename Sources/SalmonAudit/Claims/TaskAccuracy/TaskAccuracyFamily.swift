import SalmonMethods
import SalmonStatistics

/// The network's own accuracy on its task as a claim: "the model does the task" — the behaviour
/// every causal claim (a patched head, a circuit, an alignment) is an explanation of, audited
/// beside it with the same nulls, so that a reader sees what was learned next to what was
/// explained. The statistic `accuracy` (larger) is the fraction of evaluation rows the network
/// answers correctly: for a transformer, the clean answer of each held-out pair at the last
/// position; for an MLP, the evaluation rows' class labels (the rows circuit discovery judges
/// circuits by, ``AuditSubject/circuitProblem(_:site:ablation:stream:)`` with nothing removed).
/// Resampled over the rows as a mean of 0/1 scores; deterministic. The site names only the stage
/// at which the site-dependent null families randomize the network (``SiteRole/randomizationStage``).
public struct TaskAccuracyFamily: ClaimFamily {
    public init() {}

    public var name: String { "task-accuracy" }
    public var methods: [String] { ["task-accuracy"] }
    public var siteRole: SiteRole { .randomizationStage }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try TaskAccuracyParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        [ClaimStatistic("accuracy", direction: .larger, summary: "the fraction of evaluation rows the network answers correctly")]
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.circuitComponents] }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "task-accuracy reads the task's own answers; remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to task accuracy")
        }
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.gaussianActivations.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'gaussian-activations' redraws activations, but the task-accuracy claim \(claim.name) runs the network itself; audit it against model nulls (random-init, permuted-labels, …)")
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        TaskAccuracyEvaluator()
    }
}

/// The parameters of `task-accuracy`: none.
public struct TaskAccuracyParameters: MethodParameters, Equatable, Decodable {
    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"])
    }

    public func encode(to encoder: any Encoder) throws {}
}

/// `task-accuracy` on one unit.
struct TaskAccuracyEvaluator: ClaimEvaluator {
    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        // Nothing is removed, so the ablation and its stream do not enter the answers.
        let problem = try context.memo.value("circuit.problem|zero|\(context.stream.key)|\(context.networkKey(base: 0))") {
            try context.subject.circuitProblem(context.unit, site: context.site, ablation: .zero, stream: context.stream.derived("resample"))
        }
        let correct = problem.correctness([])
        guard !correct.isEmpty else { throw AuditError("\(context.unit): task-accuracy found no evaluation rows") }
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            guard name == "accuracy" else { throw AuditError("task-accuracy has no statistic '\(name)'") }
            measurements[name] = ClaimMeasurement(value: Descriptive.mean(correct), resampling: .meanOfScores(correct))
        }
        return ClaimEvaluation(measurements: measurements)
    }
}
