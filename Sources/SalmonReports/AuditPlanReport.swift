import Foundation
import SalmonAudit

/// The text `salmon audit SPEC --plan` prints (``AuditPowerPlan``): one line per test with its null
/// draws, then what the correction asks of every test and which families fall short.
public enum AuditPlanReport {
    /// - Parameters:
    ///   - spec: the audit spec the plan was made from (for its name and families).
    ///   - cost: the timing of one model per family, when measured.
    ///   - power: the simulated power at an effect, when simulated.
    ///   - jobs: the worker threads the wall-time figure assumes.
    public static func render(_ plan: AuditPowerPlan, spec: AuditSpec, cost: AuditCostEstimate? = nil, power: MonteCarloPower? = nil,
                              jobs: Int = 1) -> String {
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
            if let drawing = null.sequential {
                let r = drawing.rejectionDraws ?? worst.drawsNeeded
                let early = r < null.K / max(1, worst.modelsPerDraw) ? "after \(r) draws none reaching the estimate (p = 1/\(r + 1))" : "never early (r = \(r) is not below the maximum)"
                lines.append("  drawn sequentially, at most \(null.K) models: a test stops for rejection \(early), for acceptance when \(drawing.exceedances) draws reach it (Besag & Clifford 1991)")
            }
        }
        if let cost {
            let each = cost.families.map { "\($0.family) \(seconds($0.secondsPerModel)) × \($0.K)\($0.sequential ? " at most" : "")" }
            lines.append("time: one null model of \(each.joined(separator: ", ")); the trained models \(seconds(cost.trainedSeconds)): "
                         + "about \(seconds(cost.seconds)) of CPU\(cost.families.contains(where: \.sequential) ? " at most" : ""), \(seconds(cost.seconds / Double(max(1, jobs)))) with --jobs \(jobs) (measured on one model of each; training the subject not included)")
        }
        if let power {
            let q = power.reachProbability
            let each = power.families.map { "\($0.family) \(ReportNumberFormat.plain(($0.alone * 1000).rounded() / 1000)) alone, \(ReportNumberFormat.plain(($0.together * 1000).rounded() / 1000)) together" }
            lines.append("power at effect z = \(ReportNumberFormat.plain(power.effect)) (a null draw reaches the estimate with probability \(String(format: "%.3g", q)); \(power.replicates) seeded replicates): "
                         + each.joined(separator: "; ") + " (alone: every other test at p = 1; together: every test at this effect)")
            let sequential = power.families.compactMap { f in
                f.expectedDraws.map { "\(f.family) \(String(format: "%.0f", $0)) at z = \(ReportNumberFormat.plain(power.effect)), \(String(format: "%.0f", f.expectedDrawsUnderNull ?? .nan)) under the null" }
            }
            if !sequential.isEmpty {
                lines.append("expected null draws of a sequential test (of at most its family's maximum): " + sequential.joined(separator: "; ")
                             + " (a family draws until its last test stops)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0.0312 s`, `78 s`, `4.2 min`, `3.1 h`.
    static func seconds(_ s: Double) -> String {
        if s < 1 { return String(format: "%.3g s", s) }
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.1f min", s / 60) }
        return String(format: "%.1f h", s / 3600)
    }
}
