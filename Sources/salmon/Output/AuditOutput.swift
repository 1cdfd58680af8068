import ArgumentParser
import DeadSalmon
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Shared options of the commands that run audits.
struct RunOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Worker threads across null models (results are identical for any value).")
    var jobs: Int = ProcessorCount.active

    func validate() throws {
        guard jobs >= 1 else { throw UsageError(option: "--jobs", expected: "at least 1, found \(jobs)") }
    }
}

/// Progress of long work on stderr: null models done/total, elapsed, estimated time left.
///
/// On a terminal one line is rewritten in place. Elsewhere (a CI log, a pipe, a file) a whole line
/// is printed each time another 10 % is done or 30 s have passed since the last line, whichever
/// comes first, and never in the first 5 s, so short runs stay silent.
struct ProgressLine: Sendable {
    let started = Date()
    let terminal: Bool

    init() { terminal = isatty(STDERR_FILENO) == 1 }

    var callback: (@Sendable (Int, Int) -> Void)? {
        let started = self.started
        if terminal {
            return { done, total in
                let elapsed = Date().timeIntervalSince(started)
                let left = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
                let text = String(format: "\r  models %d/%d  elapsed %.0f s  left ~%.0f s ", done, total, elapsed, left)
                FileHandle.standardError.write(Data(text.utf8))
                if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
            }
        }
        let log = ProgressLog(started: started)
        return { done, total in log.report(done: done, total: total) }
    }
}

/// The state of ``ProgressLine`` off a terminal, shared by the workers that report.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private let started: Date
    private var lastLine: Date
    private var lastTenth = 0

    init(started: Date) {
        self.started = started
        self.lastLine = started
    }

    func report(done: Int, total: Int) {
        guard total > 0 else { return }
        let now = Date()
        let tenth = done * 10 / total
        let line: String? = lock.withLock {
            let elapsed = now.timeIntervalSince(started)
            guard elapsed >= 5, tenth > lastTenth || now.timeIntervalSince(lastLine) >= 30 else { return nil }
            lastTenth = max(lastTenth, tenth)
            lastLine = now
            let left = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
            return String(format: "salmon: models %d/%d (%d %%), elapsed %.0f s, left ~%.0f s\n", done, total, done * 100 / total, elapsed, left)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }
}

/// Writes every report of a result into `directory` (and the GitHub step summary when
/// `GITHUB_STEP_SUMMARY` is set), then prints one line per claim and where the reports are.
func writeReports(_ result: AuditResult, to directory: String) throws {
    _ = try ReportWriter.write(result, to: directory)
    try GitHubStepSummary.append(result)
    var lines: [String] = []
    for claim in result.claims {
        lines.append("\(claim.holds ? "holds" : "FAILS")  \(AuditProse.message(claim, in: result))")
    }
    let counts = Dictionary(grouping: result.tests, by: \.verdict).mapValues(\.count)
    lines.append("\(result.tests.count) tests: \(counts[.distinguishable] ?? 0) distinguishable, \(counts[.deadSalmon] ?? 0) dead salmon, \(counts[.inconclusive] ?? 0) inconclusive; \(result.claims.filter(\.holds).count) of \(result.claims.count) claims hold")
    if result.spec.nulls.contains(where: { $0.sequential != nil }), result.baseline == nil {
        let most = result.spec.nulls.reduce(0) { $0 + $1.K }
        lines.append("null models: \(result.provenance.nullModels) used of at most \(most) (sequential families stop when their tests have)")
    }
    lines.append("reports: \(directory)/report.md, results.csv, results.json, junit.xml")
    emit(lines.joined(separator: "\n") + "\n")
}

/// Exit 1 when a claim fails (the CI gate), 0 otherwise.
func exitForClaims(_ result: AuditResult) throws {
    if !result.allClaimsHold { throw ExitCode(1) }
}

/// The directory holding a spec file (relative paths in the spec resolve against it).
func directory(of path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().path
}

/// The records folder inside an audit's output directory.
/// Refuses `''` and `/` (records would go to `/records`).
func recordStore(in out: String) throws -> RecordStore {
    try ReportDirectory.requireOutputDirectory(out)
    return RecordStore(directory: out + "/records")
}

/// Runs `body`, and when it throws removes `out` again if this run created it and left it empty
/// (the records of a failed run are removed by the runner): bad input leaves no trace.
func removingCreatedOutput<T>(_ out: String, _ body: () async throws -> T) async throws -> T {
    let existed = FileManager.default.fileExists(atPath: out)
    do {
        return try await body()
    } catch {
        if !existed, let left = try? FileManager.default.contentsOfDirectory(atPath: out), left.isEmpty {
            try? FileManager.default.removeItem(atPath: out)
        }
        throw error
    }
}

/// Runs `body`, naming `file` in any ``SpecError`` that names no file of its own (errors met while
/// building the subject or running the units are raised without the spec's path; a spec a command
/// builds from its options has none).
///
/// - Parameter options: for a spec built from options, the option each spec field comes from
///   (`"claims[0].method.folds": "--folds"`; a key ending in `.` matches every field below it):
///   an error at such a field names the option the user typed, never the field they did not write.
func naming<T>(_ file: String, options: [String: String] = [:], _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch var error as SpecError where error.file == "spec" {
        let option = options[error.field] ?? options.first { $0.key.hasSuffix(".") && error.field.hasPrefix($0.key) }?.value
        if let option {
            let message = error.message.hasPrefix("expected ") ? String(error.message.dropFirst("expected ".count)) : error.message
            throw UsageError(option: option, expected: message)
        }
        error.file = file
        throw error
    }
}
