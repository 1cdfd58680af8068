import Foundation
import Testing

/// `salmon audit --slurm`: the job scripts it writes, run here task by task as Slurm would run
/// them (`SLURM_ARRAY_TASK_ID` set, one `bash` per task, then the merge), give the reports of one
/// local run byte for byte; resubmission lists only the shards that are not whole; a script path
/// holding someone else's file is refused and left alone. (`Tests/Slurm/run.sh` submits the same
/// scripts to a real Slurm cluster in CI.)
@Suite("Slurm CLI", .serialized)
struct SlurmCLITests {
    /// Runs `bash script` with `SLURM_ARRAY_TASK_ID` = `task` (when given); returns its exit status.
    static func bash(_ script: String, task: Int? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_ARRAY_TASK_ID"] = task.map(String.init)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func arrayLine(_ script: String) -> String {
        AuditCLITests.text(script).split(separator: "\n").first { $0.hasPrefix("#SBATCH --array=") }.map(String.init) ?? "<none>"
    }

    @Test func theScriptsRunAsAnArrayGiveTheReportsOfOneRunAndAResubmissionRunsOnlyWhatIsMissing() throws {
        let root = AuditCLITests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = runSalmon(["audit", "audit-small.yaml", "--out", root + "/one", "--jobs", "1"])
        #expect(one.status == 0, "stderr: \(one.stderr)")

        let cluster = root + "/cluster"
        let written = runSalmon(["audit", "audit-small.yaml", "--out", cluster, "--slurm", "--array", "3%2", "--cpus", "2",
                                 "--partition", "short,long", "--time", "0-1:30"])
        #expect(written.status == 0, "stderr: \(written.stderr)")
        #expect(written.stdout.contains("a job array of 3 tasks sharing the audit's 299 models (2 CPUs per task, at most 2 at once)"))
        #expect(written.stdout.contains("jobid=$(sbatch --parsable '\(cluster)/slurm/shards.sbatch')"))
        #expect(written.stdout.contains("sbatch --dependency=afterok:${jobid%%;*} '\(cluster)/slurm/merge.sbatch'"))
        let arrayScript = AuditCLITests.text(cluster + "/slurm/shards.sbatch")
        for line in ["#SBATCH --array=0-2%2", "#SBATCH --cpus-per-task=2", "#SBATCH --partition=short,long", "#SBATCH --time=0-1:30",
                     "#SBATCH --job-name=salmon-audit-small", "#SBATCH --output=\(cluster)/slurm/logs/shard-%a-job%A.out"] {
            #expect(arrayScript.contains(line + "\n"), "\(line) missing from:\n\(arrayScript)")
        }
        #expect(arrayScript.contains("--shard \"$shard/3\" --resume --jobs 2"))
        let mergeScript = AuditCLITests.text(cluster + "/slurm/merge.sbatch")
        #expect(mergeScript.contains("#SBATCH --cpus-per-task=1\n") && !mergeScript.contains("--array"))
        #expect(mergeScript.contains("merge '\(cluster)/shards/0' '\(cluster)/shards/1' '\(cluster)/shards/2' --out '\(cluster)'"))

        // Without SLURM_ARRAY_TASK_ID the array script refuses to guess a shard.
        #expect(try Self.bash(cluster + "/slurm/shards.sbatch") != 0)
        #expect(!FileManager.default.fileExists(atPath: cluster + "/shards"))
        for task in 0..<3 { #expect(try Self.bash(cluster + "/slurm/shards.sbatch", task: task) == 0) }
        #expect(try Self.bash(cluster + "/slurm/merge.sbatch") == 0)
        for name in ["results.csv", "results.json", "report.md", "junit.xml"] {
            #expect(AuditCLITests.text(cluster + "/" + name) == AuditCLITests.text(root + "/one/" + name), "\(name) differs after the array and the merge")
        }

        // Everything whole: the array would rerun every shard from its records; only the merge is to submit.
        let again = runSalmon(["audit", "audit-small.yaml", "--out", cluster, "--slurm", "--array", "3%2", "--cpus", "2"])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stdout.contains("3 of 3 shards are already whole") && again.stdout.contains("none is left to run"))
        #expect(again.stdout.contains("  sbatch '\(cluster)/slurm/merge.sbatch'\n") && !again.stdout.contains("--parsable"))

        // Shard 1 failed halfway: no manifest, some records gone. Only it is listed again.
        try FileManager.default.removeItem(atPath: cluster + "/shards/1/shard.json")
        let records = try FileManager.default.contentsOfDirectory(atPath: cluster + "/shards/1/records").sorted()
        for name in records.prefix(records.count / 2) { try FileManager.default.removeItem(atPath: cluster + "/shards/1/records/" + name) }
        let resubmitted = runSalmon(["audit", "audit-small.yaml", "--out", cluster, "--slurm", "--array", "3%2", "--cpus", "2"])
        #expect(resubmitted.status == 0, "stderr: \(resubmitted.stderr)")
        #expect(resubmitted.stdout.contains("2 of 3 shards are already whole") && resubmitted.stdout.contains("the array runs 1"))
        #expect(Self.arrayLine(cluster + "/slurm/shards.sbatch") == "#SBATCH --array=1%2")
        #expect(try Self.bash(cluster + "/slurm/shards.sbatch", task: 1) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cluster + "/shards/1/records").count == records.count)
        #expect(try Self.bash(cluster + "/slurm/merge.sbatch") == 0)
        #expect(AuditCLITests.text(cluster + "/results.csv") == AuditCLITests.text(root + "/one/results.csv"))
    }

    @Test func aScriptPathHoldingSomeoneElsesFileIsRefusedAndLeftAlone() throws {
        let root = AuditCLITests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/slurm", withIntermediateDirectories: true)
        let mine = "#!/bin/bash\n#SBATCH --array=0-9\necho mine\n"
        try Data(mine.utf8).write(to: URL(fileURLWithPath: root + "/slurm/merge.sbatch"))
        let refused = runSalmon(["audit", "audit-small.yaml", "--out", root, "--slurm"])
        #expect(refused.status == 2)
        #expect(refused.stderr == "salmon: error: \(root)/slurm/merge.sbatch: expected a job script written by 'salmon audit --slurm' (this file was not, so it is left as it is: move it away)\n",
                "\(refused.stderr)")
        #expect(AuditCLITests.text(root + "/slurm/merge.sbatch") == mine)
        #expect(!FileManager.default.fileExists(atPath: root + "/slurm/shards.sbatch"))
        #expect(!FileManager.default.fileExists(atPath: root + "/slurm/logs"))
    }
}
