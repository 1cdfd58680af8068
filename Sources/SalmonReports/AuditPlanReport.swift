import SalmonAudit

/// The text `salmon audit SPEC --plan` prints (``AuditPowerPlan``): one line per test with its null
/// draws, then what the correction asks of every test and which families fall short.
public enum AuditPlanReport {
    /// - Parameter spec: the audit spec the plan was made from (for its name and families).
    public static func render(_ plan: AuditPowerPlan, spec: AuditSpec) -> String {
        let m = plan.tests.count
        var lines: [String] = []
        lines.append("plan of \(spec.name): \(m) test\(m == 1 ? "" : "s"), \(plan.correction.rawValue) correction at alpha \(ReportNumberFormat.plain(plan.alpha))")
        lines.append("test\tK\tmodels per draw\tnull draws B\tK needed alone\tK needed at all\treaches alpha")
        for t in plan.tests {
            let reaches = t.canReachAlphaAlone ? "alone" : t.canReachAlpha ? "only with others" : "no"
            lines.append("\(t.id)\t\(t.K)\t\(t.modelsPerDraw)\t\(t.draws)\t\(t.kNeeded)\t\(t.kNeededAtAll)\t\(reaches)")
        }
        if let first = plan.tests.first {
            let alpha = ReportNumberFormat.plain(plan.alpha)
            lines.append("alone: with p = 1/(B + 1) and every other test at p = 1, \(plan.correction.rawValue) rejects a test at alpha \(alpha) from B = \(first.drawsNeeded) null draws")
            lines.append("at all: with every test at p = 1/(B + 1), from B = \(first.drawsNeededAtAll)")
        }
        for (i, null) in spec.nulls.enumerated() {
            let mine = plan.tests.filter { $0.family == null.family }
            guard let worst = mine.max(by: { $0.kNeeded < $1.kNeeded }), let worstAtAll = mine.max(by: { $0.kNeededAtAll < $1.kNeededAtAll }) else { continue }
            let verdict: String
            if !mine.allSatisfy(\.canReachAlpha) {
                verdict = "UNDERPOWERED: \(mine.filter { !$0.canReachAlpha }.count) of its \(mine.count) tests cannot reach alpha at all; set nulls[\(i)].K to at least \(worstAtAll.kNeededAtAll)"
            } else if !mine.allSatisfy(\.canReachAlphaAlone) {
                verdict = "enough only when tests are significant together; alone needs nulls[\(i)].K of at least \(worst.kNeeded)"
            } else {
                verdict = "enough"
            }
            lines.append("nulls[\(i)] \(null.family): K = \(null.K): \(verdict)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
