import Foundation
import SalmonIO

/// An audit run on a Slurm cluster: a job array whose task *i* computes shard *i* of *N*
/// (`salmon audit SPEC --shard i/N --resume`), and a merge job that depends on the whole array
/// (`sbatch --dependency=afterok:<array job>`) and writes the reports (`salmon merge`).
///
/// Layout under the output directory `out`:
/// - `slurm/shards.sbatch` and `slurm/merge.sbatch`, the two job scripts, each marked as written by
///   DeadSalmon (a file at either path without the mark is never overwritten);
/// - `slurm/logs/`, the tasks' standard output and error (`shard-<i>-job<array job>.out`,
///   `merge-job<id>.out`);
/// - `shards/<i>/`, each task's output: `records/` (one file per finished model) and, once the
///   shard is whole, `shard.json`;
/// - the merged reports themselves, in `out`, as `salmon audit --out out` would write them.
///
/// Every path written into a script is absolute, so the jobs run from any working directory of
/// a shared filesystem. Resubmitting is cheap: ``pendingShards(out:specHash:tasks:)`` leaves out
/// the shards that are already whole, and each task runs with `--resume`, so a task that died
/// halfway recomputes only the models it had not saved (Slurm's `sbatch(1)`, options `--array`,
/// `--dependency`, `--parsable`; <https://slurm.schedmd.com/job_array.html>).
public struct SlurmJobArray: Sendable {
    /// The second line of every script this type writes.
    public static let mark = "# Written by 'salmon audit --slurm' (DeadSalmon); rewritten by the next 'salmon audit --slurm' into this directory."

    /// The `salmon` executable the jobs run (absolute path).
    public var executable: String
    /// The audit spec (absolute path).
    public var spec: String
    /// The output directory (absolute path).
    public var out: String
    /// N, the number of shards (array tasks in all).
    public var tasks: Int
    /// At most this many tasks at once (`--array=…%M`), or no limit.
    public var throttle: Int?
    /// The partition(s), comma-separated, or the cluster's default.
    public var partition: String?
    /// The time limit of each task and of the merge, or the partition's default.
    public var timeLimit: SlurmTimeLimit?
    /// CPUs per task (`--cpus-per-task`), also the task's `--jobs`.
    public var cpus: Int
    /// The jobs' name (`salmon-<audit name>`).
    public var jobName: String
    /// The shards still to compute, ascending (all of `0..<tasks` on a first submission).
    public var pending: [Int]

    /// - Parameters: as the properties; `name` is the audit's name (the spec's `name`, made safe
    ///   for a job name); `executable`, `spec` and `out` must be absolute paths, and `out` must be
    ///   usable in an `#SBATCH` line (``isUsableInDirective(_:)``).
    public init(name: String, executable: String, spec: String, out: String, tasks: Int, throttle: Int? = nil, partition: String? = nil,
                timeLimit: SlurmTimeLimit? = nil, cpus: Int = 1, pending: [Int]) {
        self.executable = executable
        self.spec = spec
        self.out = out
        self.tasks = tasks
        self.throttle = throttle
        self.partition = partition
        self.timeLimit = timeLimit
        self.cpus = cpus
        self.pending = pending
        let safe = String(name.unicodeScalars.map { s -> Character in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "." || s == "_" || s == "-") ? Character(s) : "_"
        })
        jobName = "salmon-" + String(safe.prefix(64))
    }

    public var slurmDirectory: String { out + "/slurm" }
    public var logDirectory: String { slurmDirectory + "/logs" }
    public var arrayScriptPath: String { slurmDirectory + "/shards.sbatch" }
    public var mergeScriptPath: String { slurmDirectory + "/merge.sbatch" }
    public func shardDirectory(_ index: Int) -> String { out + "/shards/" + String(index) }

    /// Whether `path` can stand in an `#SBATCH` line: Slurm reads those lines without a shell, so
    /// whitespace and quotes would split or mangle the path, and `%` would be read as a filename
    /// pattern (`%j`, `%a`) in `--output`.
    public static func isUsableInDirective(_ path: String) -> Bool {
        !path.isEmpty && !path.unicodeScalars.contains { s in
            CharacterSet.whitespacesAndNewlines.contains(s) || CharacterSet.controlCharacters.contains(s)
                || s == "%" || s == "\"" || s == "'" || s == "\\"
        }
    }

    /// `text` for a comment line: control characters (a newline would end the comment and start a
    /// command) become `?`.
    static func commentSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? "?" : $0 }))
    }

    /// Whether `partition` is a partition name or a comma-separated list of them.
    public static func isPartition(_ partition: String) -> Bool {
        !partition.isEmpty && partition.count <= 256 && partition.unicodeScalars.allSatisfy { s in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "_" || s == "-" || s == "." || s == ",")
        }
    }

    /// The shards of `0..<tasks` that are not yet whole: those whose directory under `out/shards`
    /// lacks a `shard.json` of this spec (by hash) and this split.
    public static func pendingShards(out: String, specHash: String, tasks: Int) -> [Int] {
        (0..<tasks).filter { index in
            let directory = out + "/shards/" + String(index)
            guard FileManager.default.fileExists(atPath: directory + "/" + ShardManifest.fileName),
                  let manifest = try? ShardManifest.read(directory: directory) else { return true }
            return !(manifest.specHash == specHash && manifest.shard == Shard(index: index, count: tasks))
        }
    }

    /// `[0, 1, 2, 3]` → `0-3`; `[1, 3, 4, 5, 9]` → `1,3-5,9` (Slurm's `--array` index list).
    public static func indexList(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < indices.count {
            var j = i
            while j + 1 < indices.count && indices[j + 1] == indices[j] + 1 { j += 1 }
            parts.append(j == i ? String(indices[i]) : "\(indices[i])-\(indices[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// The `--array` value: the pending indices (every index when none is pending: the script
    /// then reruns the whole array, each task reusing its saved models), then `%M` when throttled.
    public var arrayDirective: String {
        Self.indexList(pending.isEmpty ? Array(0..<tasks) : pending) + (throttle.map { "%\($0)" } ?? "")
    }

    private func directives(name: String, output: String) -> [String] {
        var lines = ["#SBATCH --job-name=\(name)", "#SBATCH --ntasks=1", "#SBATCH --cpus-per-task=\(cpus)", "#SBATCH --output=\(output)"]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let timeLimit { lines.append("#SBATCH --time=\(timeLimit.text)") }
        return lines
    }

    /// The job-array script: task `SLURM_ARRAY_TASK_ID` = i runs shard i of N with `--resume`.
    public var arrayScript: String {
        var lines = ["#!/bin/bash", Self.mark]
        lines.append("# One task per shard of \(Self.commentSafe(spec)): salmon audit --shard i/\(tasks); submit with sbatch (this array first, then merge.sbatch).")
        lines += directives(name: jobName, output: logDirectory + "/shard-%a-job%A.out")
        lines.append("#SBATCH --array=\(arrayDirective)")
        lines.append("set -eu")
        lines.append("shard=\"${SLURM_ARRAY_TASK_ID:?this script is one task of a Slurm job array: submit it with sbatch}\"")
        lines.append("exec \(ShellWord.quoted(executable)) audit \(ShellWord.quoted(spec)) --out \(ShellWord.quoted(out + "/shards/"))\"$shard\" "
                     + "--shard \"$shard/\(tasks)\" --resume --jobs \(cpus)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The merge script: `salmon merge` of every shard into `out` (exit 1 when a claim fails,
    /// as `salmon audit`).
    public var mergeScript: String {
        var lines = ["#!/bin/bash", Self.mark]
        lines.append("# Merges the \(tasks) shards of \(Self.commentSafe(spec)) into \(out); submit with --dependency=afterok:<the array job>.")
        let merge = directives(name: jobName + "-merge", output: logDirectory + "/merge-job%j.out")
        lines += merge.map { $0.hasPrefix("#SBATCH --cpus-per-task=") ? "#SBATCH --cpus-per-task=1" : $0 }
        lines.append("set -eu")
        let shards = (0..<tasks).map { ShellWord.quoted(shardDirectory($0)) }.joined(separator: " ")
        lines.append("exec \(ShellWord.quoted(executable)) merge \(shards) --out \(ShellWord.quoted(out))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes both scripts (and creates the log directory).
    /// - Throws: ``InputError`` naming the file when a script path holds a file DeadSalmon did
    ///   not write (it is left as it is), or when the directory cannot be written; nothing is
    ///   written in either case.
    public func write() throws {
        for path in [arrayScriptPath, mergeScriptPath] {
            guard let data = FileManager.default.contents(atPath: path) else {
                if FileManager.default.fileExists(atPath: path) {
                    throw InputError(file: path, expected: "a job script written by 'salmon audit --slurm' or no file (this one cannot be read; it is left as it is)")
                }
                continue
            }
            let head = String(decoding: data.prefix(512), as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
            guard head.count >= 2, head[1] == Substring(Self.mark) else {
                throw InputError(file: path, expected: "a job script written by 'salmon audit --slurm' (this file was not, so it is left as it is: move it away)")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: logDirectory, expected: "a directory the job scripts and logs can be written to")
        }
        try AtomicFile.write(Data(arrayScript.utf8), to: arrayScriptPath)
        try AtomicFile.write(Data(mergeScript.utf8), to: mergeScriptPath)
    }

    /// The job id in `sbatch --parsable`'s output (`123` or `123;cluster`), or nil.
    public static func jobID(parsableOutput output: String) -> String? {
        let line = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let id = line.split(separator: ";").first.map(String.init) ?? ""
        return !id.isEmpty && id.allSatisfy({ $0.isASCII && $0.isNumber }) ? id : nil
    }
}
