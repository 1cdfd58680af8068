import ArgumentParser
import DeadSalmon
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `salmon audit SPEC --out DIR` for a spec with `kind: identifiability`: trains, enumerates,
/// judges the claims and writes the reports (``IdentifiabilityAuditWriter``). Exit 0 when every
/// claim is supported, 1 otherwise, 2 for a bad spec (before anything is trained or written).
struct IdentifiabilityAuditRun {
    var specPath: String
    var out: String
    var jobs: Int
    var shard: String?
    var resume: Bool
    var baseline: String?

    func run(yaml: String) throws {
        let spec = try IdentifiabilitySpec.parse(yaml: yaml, file: InputFile.displayName(specPath))
        // The options that address null models have nothing to address here.
        if shard != nil { throw UsageError(option: "--shard", expected: "no sharding for an identifiability spec (it has no null models)") }
        if resume { throw UsageError(option: "--resume", expected: "no --resume for an identifiability spec (it has no saved null models)") }
        if baseline != nil { throw UsageError(option: "--baseline", expected: "no baseline for an identifiability spec") }
        var progress: (@Sendable (String) -> Void)? = nil
        if isatty(STDERR_FILENO) == 1 {
            progress = { line in FileHandle.standardError.write(Data(("  " + line + "\n").utf8)) }
        }
        let result = try IdentifiabilityAudit(spec: spec).run(jobs: jobs, progress: progress)
        try IdentifiabilityAuditWriter.write(result, to: out)
        var lines = result.claims.map { "\($0.holds ? "holds" : "FAILS")  \(IdentifiabilityProse.message($0, alpha: result.spec.alpha))" }
        for w in result.widths {
            lines.append("width \(w.width): \(w.converged)/\(w.trained) converged; perfect circuits median \(w.medianPerfect.map { String(format: "%g", $0) } ?? "—"); "
                         + "\(w.withMultiplePerfect)/\(w.converged) with more than one")
        }
        lines.append("\(result.claims.filter(\.holds).count) of \(result.claims.count) claims hold")
        lines.append("reports: \(out)/report.md, results.csv, networks.csv, results.json, junit.xml")
        emit(lines.joined(separator: "\n") + "\n")
        if !result.allClaimsHold { throw ExitCode(1) }
    }
}
