import Foundation
import SalmonAudit
import SalmonStatistics

/// What a spec refuses: the error raised when `edit(yaml)` is parsed (as `file`) and its subject
/// built — the point where every validation, including the subject's own, has run — or
/// "accepted".
func subjectRefusal(of yaml: String, file: String = "spec.yaml", _ edit: (String) -> String) -> String {
    do {
        let spec = try AuditSpec.parse(yaml: edit(yaml), file: file)
        _ = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
        return "accepted"
    } catch { return "\(error)" }
}

/// The calibration experiment of one test: `audits` audits (spec r from `spec(r)`) whose trained
/// models are one more draw of null `family` (null models `index`, `index` + 1, …, exchangeable
/// with the audit's own K = `index`), each with a single test; returns how many called it
/// distinguishable, with the binomial 99.9 % band for rate 0.05 to compare it with.
func calibrationCount(audits: Int = 400, family: String = "random-init", index: Int = 19,
                      spec: (Int) throws -> AuditSpec) async throws -> (distinguishable: Int, band: ClosedRange<Int>) {
    var distinguishable = 0
    for r in 0..<audits {
        let spec = try spec(r)
        let subject = OneMoreNullDraw(base: try Audit.subject(for: spec, specDirectory: ".", jobs: 1), family: family, index: index)
        guard let result = try await Audit.run(spec: spec, subject: subject, jobs: 2).result, result.tests.count == 1 else {
            throw AuditError("calibration audit \(r): expected one test")
        }
        if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
    }
    return (distinguishable, BinomialDistribution.centralBand(level: 0.999, trials: audits, probability: 0.05))
}

/// The calibration experiment of ``calibrationCount(audits:family:index:spec:)`` for a statistic
/// with ties (an accuracy over finitely many rows): ties count as extreme, so the test is
/// conservative and its rate below 5 %. Exactly: with K = 19 the test rejects only when the
/// trained value exceeds (for a statistic where smaller is better, falls below) every null value (p = 1/20), and under exchangeability — given the 20
/// values of an audit — the trained value is any one of them with probability 1/20. So among the
/// `eligible` audits whose largest value is unique, the rejections are Binomial(eligible, 1/20),
/// and the others cannot reject. Returns the rejections, the eligible audits and the binomial
/// 99.9 % band for them.
func tieAwareCalibration(audits: Int = 400, family: String = "random-init", index: Int = 19,
                         spec: (Int) throws -> AuditSpec) async throws -> (distinguishable: Int, eligible: Int, band: ClosedRange<Int>) {
    var distinguishable = 0, eligible = 0
    for r in 0..<audits {
        let spec = try spec(r)
        let subject = OneMoreNullDraw(base: try Audit.subject(for: spec, specDirectory: ".", jobs: 1), family: family, index: index)
        guard let result = try await Audit.run(spec: spec, subject: subject, jobs: 2).result, result.tests.count == 1 else {
            throw AuditError("calibration audit \(r): expected one test")
        }
        let test = result.tests[0]
        guard test.null.values.count == 19 else { throw AuditError("calibration audit \(r): expected 19 null draws") }
        let values = [test.estimate] + test.null.values
        // The extreme value in the test's direction: the largest, or the smallest for a statistic where smaller is better.
        let top = (test.direction == "smaller" ? values.min() : values.max()) ?? 0
        let tie = 1e-12 * max(1, abs(top))
        if values.filter({ abs($0 - top) <= tie }).count == 1 { eligible += 1 }
        if test.verdict == .distinguishable { distinguishable += 1 }
    }
    return (distinguishable, eligible, BinomialDistribution.centralBand(level: 0.999, trials: eligible, probability: 0.05))
}

/// A calibration audit on a barely trained transformer — modular addition mod 7 on 10 examples,
/// one epoch, `layers` blocks of 2 heads and d = 8, `seeds` trained networks, 39 held-out pairs —
/// with the one claim `claim` (the inside of its YAML flow mapping: `name: c, method: {…}, …`)
/// against K = 19 · max(seeds − 1, 1) random-init models (19 null draws, also for a statistic
/// anchored on trained network 0).
func transformerCalibrationSpec(seed: Int, claim: String, seeds: Int = 1, layers: Int = 1) throws -> AuditSpec {
    try AuditSpec.parse(yaml: """
        name: calibration
        seed: \(seed)
        model:
          task: modular-addition
          taskOptions: {modulus: 7, examples: 10}
          transformer: {dimension: 8, heads: 2, layers: \(layers)}
          training: {epochs: 1, batchSize: 10, seeds: \(seeds)}
          evaluationExamples: 39
        claims:
          - {\(claim)}
        nulls:
          - {family: random-init, K: \(19 * max(seeds - 1, 1))}
        resampling: {bootstrap: 100, interval: percentile}
        """, file: "calibration")
}
