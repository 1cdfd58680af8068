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
