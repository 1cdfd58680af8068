import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon audit SPEC --out DIR`: runs an audit spec and writes its reports.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Run an audit spec (YAML): trained model(s) against null models, or with 'kind: identifiability' circuits across seeds; write report.md, results.csv/json, junit.xml.",
        discussion: """
            Exit codes: 0 every claim holds; 1 a claim fails (or leaves its baseline); 2 bad spec or input.
            Every finished null model is saved under DIR/records: --resume reuses them; --shard i/n runs \
            a slice (combine the slices with 'salmon merge'); --baseline tests the trained model against \
            stored nulls without computing any. --plan prints every test, its null draws and the smallest K \
            at which it can reach alpha after the correction, the CPU time from one timed model per family \
            and the power at --effect z, and computes no null distribution. --slurm writes a Slurm job \
            array (DIR/slurm/shards.sbatch, one shard per task) and a merge job depending on it \
            (DIR/slurm/merge.sbatch) and prints the two sbatch commands, or with --submit submits them; \
            submitting again runs only the shards that are not yet whole.
            """
    )

    @Argument(help: "The audit spec (YAML).")
    var spec: String

    @Option(help: "Output directory (not with --plan).")
    var out: String?

    @Flag(help: "Print the tests, their null draws, the K each needs to reach alpha after the correction, the time (one model of each family timed) and the power; compute no null distribution.")
    var plan = false

    @Option(help: "With --plan: the effect z (trained estimate − null mean, in null standard deviations) at which to simulate each test's power (default 3).")
    var effect: Double?

    @OptionGroup var run: RunOptions

    @Option(help: "Run shard i of n (0-based), e.g. 0/3: only the models (trained and null) whose position ≡ i (mod n).")
    var shard: String?

    @Flag(help: "Reuse the null models already saved in DIR/records by an interrupted run of the same spec.")
    var resume = false

    @Option(help: "A baseline directory (from 'salmon baseline record'): use its null distributions instead of computing them.")
    var baseline: String?

    @Flag(help: "Write a Slurm job array (one shard per task) and a merge job into DIR/slurm instead of running here.")
    var slurm = false

    @Option(help: "With --slurm: N array tasks (shards), or N%M to run at most M at once (default: 10, at most one per model).")
    var array: String?

    @Option(help: "With --slurm: the partition (or a comma-separated list).")
    var partition: String?

    @Option(help: "With --slurm: each job's time limit, in Slurm's format (e.g. 30, 2:00:00, 1-12).")
    var time: String?

    @Option(help: "With --slurm: CPUs per array task (also each task's --jobs; default 1).")
    var cpus: Int?

    @Flag(help: "With --slurm: submit both jobs with sbatch and print their ids.")
    var submit = false

    func run() async throws {
        try await naming(spec) { try await body() }
    }

    private func body() async throws {
        if !slurm {
            let stray: [(String, Bool)] = [("--array", array != nil), ("--partition", partition != nil), ("--time", time != nil),
                                           ("--cpus", cpus != nil), ("--submit", submit)]
            if let (option, _) = stray.first(where: \.1) { throw UsageError(option: option, expected: "--slurm with it (it shapes the Slurm jobs)") }
        }
        if slurm {
            guard !plan, shard == nil, !resume, baseline == nil, effect == nil else {
                throw UsageError(option: "--slurm", expected: "no --plan, --effect, --shard, --resume or --baseline (the array runs every shard, resuming)")
            }
            guard let out else { throw UsageError(option: "--out", expected: "an output directory for the job scripts, the shards and the reports") }
            try ReportDirectory.requireOutputDirectory(out)
            guard case .audit(let yaml) = try SpecKind.read(path: spec) else {
                throw UsageError(option: "--slurm", expected: "a spec of null-model tests (an identifiability spec has no null models to shard)")
            }
            let auditSpec = try AuditSpec.parse(yaml: yaml, file: InputFile.displayName(spec))
            try AuditPowerPlan.requirePower(auditSpec, file: InputFile.displayName(spec))
            try SlurmArrayRun(specPath: spec, out: out, array: array, partition: partition, time: time, cpus: cpus, submit: submit)
                .run(spec: auditSpec)
            return
        }
        if plan {
            guard out == nil, shard == nil, !resume, baseline == nil else {
                throw UsageError(option: "--plan", expected: "no --out, --shard, --resume or --baseline (a plan writes nothing)")
            }
            guard case .audit(let yaml) = try SpecKind.read(path: spec) else {
                throw UsageError(option: "--plan", expected: "a spec of null-model tests (an identifiability spec has no null draws to plan)")
            }
            let auditSpec = try AuditSpec.parse(yaml: yaml, file: InputFile.displayName(spec))
            try emitPlan(auditSpec, specDirectory: directory(of: spec), jobs: run.jobs, effect: effect)
            return
        }
        if effect != nil { throw UsageError(option: "--effect", expected: "--plan with it (the power it sets is part of the plan)") }
        guard let out else { throw UsageError(option: "--out", expected: "an output directory (or --plan)") }
        try ReportDirectory.requireOutputDirectory(out)
        let auditSpec: AuditSpec
        switch try SpecKind.read(path: spec) {
        case .identifiability(let yaml):
            try IdentifiabilityAuditRun(specPath: spec, out: out, jobs: run.jobs, shard: shard, resume: resume, baseline: baseline).run(yaml: yaml)
            return
        case .audit(let yaml):
            auditSpec = try AuditSpec.parse(yaml: yaml, file: InputFile.displayName(spec))
        }
        var selected = Shard.whole
        if let shard {
            guard let parsed = Shard(parsing: shard) else { throw UsageError(option: "--shard", expected: "i/n with 0 ≤ i < n, found '\(shard)'") }
            selected = parsed
        }
        if baseline != nil, let i = auditSpec.nulls.firstIndex(where: { $0.sequential != nil }) {
            throw SpecError(file: InputFile.displayName(spec), field: "nulls[\(i)].K",
                            "a fixed K with --baseline: a baseline's null distributions are whole, a sequential family's are not")
        }
        if baseline != nil && selected.count > 1 { throw UsageError(option: "--shard", expected: "no sharding with --baseline (no null models are computed)") }
        let stored = try baseline.map { try Baseline.read(directory: $0) }
        if let stored { try stored.requireCompatible(auditSpec, evaluationHash: stored.provenance.evaluationHash, source: spec) }
        let subject = try Audit.subject(for: auditSpec, specDirectory: directory(of: spec), jobs: run.jobs)
        if let stored { try stored.requireCompatible(auditSpec, evaluationHash: subject.evaluationHash, source: spec) }
        try AuditPowerPlan.requirePower(auditSpec, file: InputFile.displayName(spec))
        let store = try recordStore(in: out)
        let progress = ProgressLine()
        if let stored {
            let result = try await Audit.run(spec: auditSpec, subject: subject, against: stored, jobs: run.jobs, store: store,
                                             resume: resume, progress: progress.callback)
            try writeReports(result, to: out)
            try exitForClaims(result)
            return
        }
        let (result, outcome) = try await removingCreatedOutput(out) {
            try await Audit.run(spec: auditSpec, subject: subject, jobs: run.jobs, shard: selected, store: store, resume: resume,
                                progress: progress.callback)
        }
        if resume {
            FileHandle.standardError.write(Data("salmon audit: resumed: reused \(outcome.reused) of \(outcome.reused + outcome.computed) models saved in \(store.directory), computed \(outcome.computed)\n".utf8))
        }
        guard let result else {
            try ShardManifest(spec: auditSpec, shard: selected, subject: subject, jobs: run.jobs).write(to: out)
            emit("shard \(selected): \(outcome.records.count) models in \(store.directory); combine all shards with 'salmon merge'\n")
            return
        }
        try writeReports(result, to: out)
        try exitForClaims(result)
    }
}

/// Prints the plan of `spec` (``AuditPlanReport``): the K every test needs, the CPU time from a
/// timing of one model per family on the built subject, and the Monte Carlo power at `effect`.
func emitPlan(_ spec: AuditSpec, specDirectory: String, jobs: Int, effect: Double?) throws {
    let z = effect ?? 3
    guard z.isFinite, abs(z) <= 40 else { throw UsageError(option: "--effect", expected: "a number of null standard deviations in [-40, 40], found \(z)") }
    let plan = try AuditPowerPlan(spec: spec)
    let subject = try Audit.subject(for: spec, specDirectory: specDirectory, jobs: jobs)
    let cost = try AuditCostEstimate.measure(spec: spec, subject: subject)
    let power = try MonteCarloPower.simulate(spec: spec, plan: plan, effect: z)
    emit(AuditPlanReport.render(plan, spec: spec, cost: cost, power: power, jobs: jobs))
}
