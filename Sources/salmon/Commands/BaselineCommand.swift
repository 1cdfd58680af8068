import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon baseline record SPEC --to Baselines/NAME`: stores an audit's null distributions.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record null distributions for later gates.",
        subcommands: [RecordBaselineCommand.self]
    )
}

struct RecordBaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run an audit spec and store its null distributions, with their provenance, in a baseline directory."
    )

    @Argument(help: "The audit spec (YAML).")
    var spec: String

    @Option(help: "The baseline directory, e.g. Baselines/my-probe.")
    var to: String

    @OptionGroup var run: RunOptions

    func run() async throws {
        try ReportDirectory.requireOutputDirectory(to, option: "--to")
        guard case .audit(let yaml) = try SpecKind.read(path: spec) else {
            throw SpecError(file: InputFile.displayName(spec), field: "kind",
                            "expected an audit spec: 'salmon baseline record' stores null distributions, and an identifiability spec (kind: identifiability) has none to store")
        }
        let auditSpec = try AuditSpec.parse(yaml: yaml, file: InputFile.displayName(spec))
        if let i = auditSpec.nulls.firstIndex(where: { $0.sequential != nil }) {
            throw SpecError(file: InputFile.displayName(spec), field: "nulls[\(i)].K",
                            "a fixed K: a baseline stores whole null distributions, and a sequential family stops drawing when its tests are settled")
        }
        let subject = try Audit.subject(for: auditSpec, specDirectory: directory(of: spec), jobs: run.jobs)
        let (result, outcome) = try await Audit.run(spec: auditSpec, subject: subject, jobs: run.jobs, progress: ProgressLine().callback)
        guard let result else { return }
        let name = URL(fileURLWithPath: to).lastPathComponent
        try Baseline(name: name, result: result, records: outcome.records).write(to: to)
        emit("baseline \(name): \(result.provenance.nullModels) null models of \(auditSpec.nulls.map(\.family).joined(separator: ", ")) → \(Baseline.file(in: to))\n")
    }
}

/// `salmon gate RESULTS --baseline DIR`: the CI gate against stored nulls.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Test a result's trained estimates against a stored baseline; exit 1 if a claim fails or leaves its baseline.",
        discussion: "Exit codes: 0 every claim holds; 1 a claim fails or an estimate left its baseline interval; 2 bad input (including a baseline recorded from a different spec)."
    )

    @Argument(help: "A results.json written by 'salmon audit'.")
    var results: String

    @Option(help: "The baseline directory.")
    var baseline: String

    @Option(help: "Write the gated reports here (optional).")
    var out: String?

    func run() throws {
        if let out { try ReportDirectory.requireOutputDirectory(out) }
        let (data, source) = try InputFile.readData(results)
        let result = try AuditResult.read(data, source: source)
        let stored = try Baseline.read(directory: baseline)
        let gated = try AuditAssembler.regate(result, against: stored, source: source)
        if let out {
            try writeReports(gated, to: out)
        } else {
            emit(gated.claims.map { "\($0.holds ? "holds" : "FAILS")  \(AuditProse.message($0, in: gated))" }.joined(separator: "\n") + "\n")
        }
        try exitForClaims(gated)
    }
}
