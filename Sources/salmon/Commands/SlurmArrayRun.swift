import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon audit SPEC --out DIR --slurm`: writes the job array and the merge job of
/// ``SlurmJobArray`` into DIR, and with `--submit` submits both with `sbatch` (the merge with
/// `--dependency=afterok:<array>`); without, prints the two commands. Everything is checked
/// (spec, power, options, the scripts' paths) before anything is written.
struct SlurmArrayRun {
    var specPath: String
    var out: String
    var array: String?
    var partition: String?
    var time: String?
    var cpus: Int?
    var submit: Bool

    func run(spec: AuditSpec) throws {
        let units = AuditPlan.units(spec).count
        var tasks = min(10, units)
        var throttle: Int? = nil
        if let array {
            let parts = array.split(separator: "%", omittingEmptySubsequences: false)
            // At most 10,000: the merge job names every shard on one command line (ARG_MAX), and
            // Slurm's own MaxArraySize defaults to 1,001.
            guard (1...2).contains(parts.count), let n = Int(parts[0]), n >= 1, n <= 10_000 else {
                throw UsageError(option: "--array", expected: "N or N%M: N array tasks (1 to 10,000), at most M at once, found '\(array)'")
            }
            tasks = n
            if parts.count == 2 {
                guard let m = Int(parts[1]), m >= 1 else {
                    throw UsageError(option: "--array", expected: "N%M with M ≥ 1 tasks at once, found '\(array)'")
                }
                throttle = m
            }
        }
        if let partition, !SlurmJobArray.isPartition(partition) {
            throw UsageError(option: "--partition", expected: "a partition name or a comma-separated list (letters, digits, '_', '-', '.'), found '\(partition)'")
        }
        var limit: SlurmTimeLimit? = nil
        if let time {
            guard let parsed = SlurmTimeLimit(parsing: time) else {
                throw UsageError(option: "--time", expected: "a Slurm time limit (minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]] or UNLIMITED), found '\(time)'")
            }
            limit = parsed
        }
        if let cpus, cpus < 1 || cpus > 4096 {
            throw UsageError(option: "--cpus", expected: "CPUs per array task, 1 to 4,096, found \(cpus)")
        }
        let absoluteOut = Self.absolute(out)
        guard SlurmJobArray.isUsableInDirective(absoluteOut) else {
            throw UsageError(option: "--out", expected: "with --slurm, a path without spaces, quotes, backslashes or '%' (it is written into #SBATCH lines), found '\(absoluteOut)'")
        }
        guard let executable = Self.executablePath() else {
            throw UsageError(option: "--slurm", expected: "the path of this salmon executable (/proc/self/exe could not be read)")
        }
        let jobArray = SlurmJobArray(name: spec.name, executable: executable, spec: Self.absolute(specPath), out: absoluteOut, tasks: tasks,
                                     throttle: throttle, partition: partition, timeLimit: limit, cpus: cpus ?? 1,
                                     pending: SlurmJobArray.pendingShards(out: absoluteOut, specHash: spec.hash, tasks: tasks))
        // Jobs of these scripts still queued or running would compute the same shards twice and
        // merge into one directory twice: refused, before anything is rewritten (when squeue answers).
        if submit, let running = Self.queuedJobs(running: [jobArray.arrayScriptPath, jobArray.mergeScriptPath]), !running.isEmpty {
            throw UsageError(option: "--submit", expected: "no job of \(jobArray.slurmDirectory) still queued or running, found \(running.joined(separator: ", ")) (wait for them, or scancel them, then submit again)")
        }
        try jobArray.write()
        let done = tasks - jobArray.pending.count
        var lines = ["wrote \(jobArray.arrayScriptPath): a job array of \(tasks) tasks sharing the audit's \(units) models (\(jobArray.cpus) CPU\(jobArray.cpus == 1 ? "" : "s") per task\(throttle.map { ", at most \($0) at once" } ?? ""))"]
        if done > 0 { lines.append("  \(done) of \(tasks) shards are already whole in \(absoluteOut)/shards; \(jobArray.pending.isEmpty ? "none is left to run" : "the array runs \(SlurmJobArray.indexList(jobArray.pending))")") }
        lines.append("wrote \(jobArray.mergeScriptPath): 'salmon merge' of the \(tasks) shards into \(absoluteOut)")
        guard submit else {
            lines.append("submit both (the merge runs once every array task has succeeded):")
            if jobArray.pending.isEmpty {
                lines.append("  sbatch \(ShellWord.quoted(jobArray.mergeScriptPath))")
            } else {
                lines.append("  jobid=$(sbatch --parsable \(ShellWord.quoted(jobArray.arrayScriptPath)))")
                lines.append("  sbatch --dependency=afterok:${jobid%%;*} \(ShellWord.quoted(jobArray.mergeScriptPath))")
            }
            emit(lines.joined(separator: "\n") + "\n")
            return
        }
        if jobArray.pending.isEmpty {
            let merge = try Self.sbatch([jobArray.mergeScriptPath])
            lines.append("submitted merge job \(merge) (every shard was already whole); reports: \(absoluteOut)/report.md")
        } else {
            let arrayJob = try Self.sbatch([jobArray.arrayScriptPath])
            let merge: String
            do { merge = try Self.sbatch(["--dependency=afterok:\(arrayJob)", jobArray.mergeScriptPath]) } catch let error as UsageError {
                throw UsageError(option: "--submit", expected: "\(error.expected) — the job array \(arrayJob) WAS submitted: submit the merge by hand, "
                                 + "sbatch --dependency=afterok:\(arrayJob) \(ShellWord.quoted(jobArray.mergeScriptPath)), or cancel it (scancel \(arrayJob))")
            }
            lines.append("submitted job array \(arrayJob) (\(jobArray.pending.count) task\(jobArray.pending.count == 1 ? "" : "s"): \(jobArray.arrayDirective)) and merge job \(merge) (after every task of \(arrayJob) succeeds); reports: \(absoluteOut)/report.md")
        }
        emit(lines.joined(separator: "\n") + "\n")
    }

    /// Runs `sbatch --parsable ARGS` and returns the job id.
    static func sbatch(_ arguments: [String]) throws -> String {
        guard let (status, printed, complaint) = slurmCommand(["sbatch", "--parsable"] + arguments), status != 127 else {
            throw UsageError(option: "--submit", expected: "sbatch on the PATH (Slurm's client), found none")
        }
        guard status == 0, let id = SlurmJobArray.jobID(parsableOutput: printed) else {
            let reason = complaint.split(whereSeparator: \.isNewline).first.map(String.init)
            throw UsageError(option: "--submit", expected: "sbatch to accept \(arguments.last ?? "the job"), but it exited with \(status): \(reason ?? printed)")
        }
        return id
    }

    /// The ids of this user's queued or running jobs whose batch script is one of `scripts`
    /// (`squeue -h --me -o '%A %o'`), or nil when squeue cannot be run.
    static func queuedJobs(running scripts: [String]) -> [String]? {
        guard let (status, printed, _) = slurmCommand(["squeue", "-h", "--me", "--states=PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED,REQUEUED",
                                                       "-o", "%A %o"]), status == 0 else { return nil }
        let wanted = Set(scripts)
        var ids: [String] = []
        for line in printed.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", maxSplits: 1)
            if fields.count == 2, wanted.contains(String(fields[1])), !ids.contains(String(fields[0])) { ids.append(String(fields[0])) }
        }
        return ids
    }

    /// Runs a Slurm client command found on the PATH; its exit status, standard output and
    /// standard error, or nil when it cannot be started.
    static func slurmCommand(_ arguments: [String]) -> (status: Int32, output: String, errors: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return nil }
        // Both pipes drained before waiting; the client prints a line or two.
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complaint, as: UTF8.self))
    }

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        var text = url.standardizedFileURL.path
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }

    static func executablePath() -> String? {
        if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), link.hasPrefix("/") { return link }
        return Bundle.main.executablePath.map(absolute)
    }
}
