import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `salmon audit`, `merge`, `report`, `baseline record`, `gate` and `probe` end to end: snapshot
/// reports, byte-identical results across jobs, shards and interruption, and the exit codes.
@Suite("Audit CLI", .serialized)
struct AuditCLITests {
    static func scratch() -> String {
        let path = NSTemporaryDirectory() + "salmon-cli-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func text(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "<missing \(path)>"
    }

    /// The report with its data hash replaced by `<data hash>`. That hash covers the trained
    /// weights, whose last bits depend on the OpenBLAS kernel this processor gets (by design: a
    /// shard computed with other kernels is refused at merge), so it cannot be a fixed snapshot
    /// value; the evaluation-data hash, of the inputs alone, stays in the snapshot.
    static func maskingWeightsHash(_ text: String) -> String {
        text.replacingOccurrences(of: #"(\| data hash \(data, weights, activations\) \| )[0-9a-f]{16}"#, with: "$1<data hash>",
                                  options: .regularExpression)
            .replacingOccurrences(of: #"(<property name="dataHash" value=")[0-9a-f]{16}"#, with: "$1<data hash>", options: .regularExpression)
    }

    @Test func auditWritesTheReportsAndTheyAreIdenticalForAnyJobsAndShards() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = runSalmon(["audit", "audit-small.yaml", "--out", root + "/one", "--jobs", "1"])
        #expect(one.status == 0, "stderr: \(one.stderr)")
        #expect(one.stdout.contains("holds  label at layers.1.post"))
        for name in ["results.csv", "report.md", "junit.xml"] {
            assertSnapshot("audit-small-" + name, Self.maskingWeightsHash(Self.text(root + "/one/" + name)))
        }
        #expect(FileManager.default.fileExists(atPath: root + "/one/figures/label_layers.1.post_random-init.svg"))

        let two = runSalmon(["audit", "audit-small.yaml", "--out", root + "/two", "--jobs", "2"])
        #expect(two.status == 0)
        // Every results file is byte-identical for any --jobs; run.json alone records it.
        for name in ["results.csv", "results.json", "report.md", "junit.xml"] {
            #expect(Self.text(root + "/two/" + name) == Self.text(root + "/one/" + name), "\(name) differs between --jobs 1 and 2")
        }
        #expect(Self.text(root + "/one/run.json").contains("\"jobs\" : 1") && Self.text(root + "/two/run.json").contains("\"jobs\" : 2"))

        for i in 0..<3 {
            let shard = runSalmon(["audit", "audit-small.yaml", "--out", root + "/s\(i)", "--shard", "\(i)/3", "--jobs", "1"])
            #expect(shard.status == 0, "stderr: \(shard.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root + "/s\(i)/results.csv"))
        }
        let merged = runSalmon(["merge", root + "/s0", root + "/s1", root + "/s2", "--out", root + "/merged"])
        #expect(merged.status == 0, "stderr: \(merged.stderr)")
        for name in ["results.csv", "results.json", "report.md", "junit.xml"] {
            #expect(Self.text(root + "/merged/" + name) == Self.text(root + "/one/" + name), "\(name) differs after merging 3 shards")
        }
        #expect(Self.text(root + "/merged/run.json").contains("\"shards\" : 3"))
        let missing = runSalmon(["merge", root + "/s0", root + "/s2", "--out", root + "/partial"])
        // A shard left out is named before any record is read.
        #expect(missing.status == 2 && missing.stderr.contains("found 0/3, 2/3; missing 1/3"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/partial/results.csv"))

        let rerendered = runSalmon(["report", root + "/one/results.json", "--out", root + "/again"])
        #expect(rerendered.status == 0)
        #expect(Self.text(root + "/again/report.md") == Self.text(root + "/one/report.md"))
    }

    /// `kill -9` in the middle of an audit, then `--resume`: identical results, and it says how
    /// many null models it reused.
    @Test func resumeAfterKillNineGivesIdenticalResults() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clean = runSalmon(["audit", "audit-small.yaml", "--out", root + "/clean", "--jobs", "2"])
        #expect(clean.status == 0)
        let binary = try #require(SalmonBinary.url)
        var killedAfter = 0
        for _ in 0..<5 {  // a run can finish before it is killed on a fast machine; try again
            try? FileManager.default.removeItem(atPath: root + "/killed")
            let process = Process()
            process.executableURL = binary
            process.arguments = ["audit", "audit-small.yaml", "--out", root + "/killed", "--jobs", "1"]
            process.currentDirectoryURL = inputsDirectory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline {
                let count = (try? FileManager.default.contentsOfDirectory(atPath: root + "/killed/records").count) ?? 0
                if count >= 20 { break }
                usleep(2_000)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal {
                killedAfter = (try? FileManager.default.contentsOfDirectory(atPath: root + "/killed/records")
                    .filter { $0.hasSuffix(".json") }.count) ?? 0
                break
            }
        }
        try #require(killedAfter > 0, "could not interrupt the audit")
        #expect(!FileManager.default.fileExists(atPath: root + "/killed/results.csv"))
        let resumed = runSalmon(["audit", "audit-small.yaml", "--out", root + "/killed", "--jobs", "2", "--resume"])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("reused \(killedAfter) of 299 models"), "\(resumed.stderr) (killed after \(killedAfter))")
        #expect(Self.text(root + "/killed/results.csv") == Self.text(root + "/clean/results.csv"))
    }

    @Test func baselineAndGate() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorded = runSalmon(["baseline", "record", "audit-small.yaml", "--to", root + "/baseline", "--jobs", "2"])
        #expect(recorded.status == 0, "stderr: \(recorded.stderr)")
        let audit = runSalmon(["audit", "audit-small.yaml", "--out", root + "/a", "--jobs", "2"])
        #expect(audit.status == 0)
        let pass = runSalmon(["gate", root + "/a/results.json", "--baseline", root + "/baseline"])
        #expect(pass.status == 0, "stdout: \(pass.stdout) stderr: \(pass.stderr)")
        // The same audit gated through --baseline computes no null model and agrees.
        let gated = runSalmon(["audit", "audit-small.yaml", "--out", root + "/g", "--baseline", root + "/baseline"])
        #expect(gated.status == 0, "stderr: \(gated.stderr)")
        #expect(Self.text(root + "/g/results.csv") == Self.text(root + "/a/results.csv"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/g/records")) ?? []).count == 1)

        // A trained estimate that fell: the claim fails and leaves its baseline interval — exit 1.
        var json = Self.text(root + "/a/results.json")
        let estimate = try #require(json.range(of: #""estimate" : [0-9.e-]+"#, options: .regularExpression))
        json.replaceSubrange(estimate, with: #""estimate" : 0.4"#)
        try Data(json.utf8).write(to: URL(fileURLWithPath: root + "/fell.json"))
        let fail = runSalmon(["gate", root + "/fell.json", "--baseline", root + "/baseline", "--out", root + "/fell"])
        #expect(fail.status == 1, "stdout: \(fail.stdout) stderr: \(fail.stderr)")
        #expect(fail.stdout.contains("FAILS  label at layers.1.post"))
        #expect(Self.text(root + "/fell/junit.xml").contains("<failure message=\"label at layers.1.post: accuracy 0.4"))

        // A baseline recorded from another spec is bad input.
        let other = Self.text(inputsDirectory.appendingPathComponent("audit-small.yaml").path).replacingOccurrences(of: "seed: 3", with: "seed: 4")
        try Data(other.utf8).write(to: URL(fileURLWithPath: root + "/other.yaml"))
        let mismatch = runSalmon(["audit", root + "/other.yaml", "--out", root + "/m", "--baseline", root + "/baseline"])
        #expect(mismatch.status == 2 && mismatch.stderr.contains("recorded from a different spec"), "\(mismatch.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/m"))
    }

    @Test func aFailingClaimExitsOneWithReports() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Expect the ignored concept to be distinguishable: it is a dead salmon, so the claim fails.
        let spec = Self.text(inputsDirectory.appendingPathComponent("audit-small.yaml").path)
            .replacingOccurrences(of: "    expect: \"null\"\n", with: "")
        try Data(spec.utf8).write(to: URL(fileURLWithPath: root + "/fails.yaml"))
        let run = runSalmon(["audit", root + "/fails.yaml", "--out", root + "/out", "--jobs", "2"])
        #expect(run.status == 1, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("FAILS  ignored at layers.1.post"))
        #expect(Self.text(root + "/out/junit.xml").contains("failures=\"1\""))
    }

    @Test(arguments: [
        ("alpah: 0.1\n", "field 'alpah': unknown key 'alpah'; did you mean 'alpha'? (allowed: version, kind, name, seed, model, sites, claims, nulls, resampling, alpha, correction, gate, allowUnderpowered)"),
        ("alpha: 2\n", "field 'alpha': expected a level strictly between 0 and 1, found 2.0"),
    ])
    func badSpecsExitTwoWithOneLineAndNoOutput(extra: String, message: String) throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = Self.text(inputsDirectory.appendingPathComponent("audit-small.yaml").path)
            .replacingOccurrences(of: "alpha: 0.05\n", with: "") + extra
        try Data(spec.utf8).write(to: URL(fileURLWithPath: root + "/bad.yaml"))
        let run = runSalmon(["audit", root + "/bad.yaml", "--out", root + "/out"])
        #expect(run.status == 2)
        #expect(run.stderr == "salmon: error: \(root)/bad.yaml: \(message)\n", "\(run.stderr)")
        #expect(run.stdout.isEmpty && !FileManager.default.fileExists(atPath: root + "/out"))
    }

    /// A float32 `.npy` (version 1.0) of the given shape.
    static func npy(_ values: [Float], shape: [Int]) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        data.append(UInt8(header.utf8.count & 0xff)); data.append(UInt8(header.utf8.count >> 8))
        data.append(Data(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    @Test func probeOnSuppliedActivations() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // 120 rows × 4 features; the label is the sign of feature 0 in the "trained" file; the
        // null files are noise.
        var state: UInt64 = 12345
        func noise() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        let rows = 120, width = 4
        var trained = (0..<(rows * width)).map { _ in noise() }
        let labels = (0..<rows).map { Float($0 % 2) }
        for i in 0..<rows { trained[i * width] = labels[i] * 2 - 1 + 0.3 * noise() }
        try Self.npy(trained, shape: [rows, width]).write(to: URL(fileURLWithPath: root + "/trained.npy"))
        try Self.npy(labels, shape: [rows]).write(to: URL(fileURLWithPath: root + "/labels.npy"))
        try FileManager.default.createDirectory(atPath: root + "/nulls", withIntermediateDirectories: true)
        for k in 0..<39 {
            try Self.npy((0..<(rows * width)).map { _ in noise() }, shape: [rows, width])
                .write(to: URL(fileURLWithPath: root + "/nulls/null-\(k).npy"))
        }
        let run = runSalmon(["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                             "--labels", root + "/labels.npy", "--out", root + "/out", "--jobs", "2"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("holds  probe-accuracy at activations"), "\(run.stdout)")
        #expect(Self.text(root + "/out/results.csv").contains("probe-accuracy@activations~supplied"))

        // A NaN in a null model's activations: exit 2, naming the file and the first index; no report.
        var bad = (0..<(rows * width)).map { _ in noise() }
        bad[37] = .nan
        try Self.npy(bad, shape: [rows, width]).write(to: URL(fileURLWithPath: root + "/nulls/null-7.npy"))
        let nan = runSalmon(["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                             "--labels", root + "/labels.npy", "--out", root + "/nan"])
        #expect(nan.status == 2)
        #expect(nan.stderr.contains("null-7.npy") && nan.stderr.contains("at index 37 (row 9, column 1)"), "\(nan.stderr)")
        #expect(nan.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: root + "/nan/results.csv"))

        // Labels of another length, and a single class.
        try Self.npy(Array(labels.prefix(100)), shape: [100]).write(to: URL(fileURLWithPath: root + "/short.npy"))
        let short = runSalmon(["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/null-1.npy",
                               "--labels", root + "/short.npy", "--out", root + "/short"])
        #expect(short.status == 2 && short.stderr.contains("100 labels for 120 activation rows"), "\(short.stderr)")
        try Self.npy([Float](repeating: 1, count: rows), shape: [rows]).write(to: URL(fileURLWithPath: root + "/one.npy"))
        let single = runSalmon(["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/null-1.npy",
                                "--labels", root + "/one.npy", "--out", root + "/one"])
        #expect(single.status == 2 && single.stderr.contains("at least two classes"), "\(single.stderr)")
    }

    /// `salmon probe --targets`: a ridge probe's held-out R² against the nulls', and the option
    /// combinations that cannot be audited.
    @Test func ridgeProbeOnSuppliedActivations() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var state: UInt64 = 777
        func noise() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        let rows = 120, width = 4
        let trained = (0..<(rows * width)).map { _ in noise() }
        let targets = (0..<rows).map { 3 * trained[$0 * width + 2] + 0.2 * noise() }
        try Self.npy(trained, shape: [rows, width]).write(to: URL(fileURLWithPath: root + "/trained.npy"))
        try Self.npy(targets, shape: [rows]).write(to: URL(fileURLWithPath: root + "/targets.npy"))
        try Self.npy(targets.map { $0 > 0 ? 1 : 0 }, shape: [rows]).write(to: URL(fileURLWithPath: root + "/labels.npy"))
        try FileManager.default.createDirectory(atPath: root + "/nulls", withIntermediateDirectories: true)
        for k in 0..<19 {
            try Self.npy((0..<(rows * width)).map { _ in noise() }, shape: [rows, width])
                .write(to: URL(fileURLWithPath: root + "/nulls/null-\(k).npy"))
        }
        let common = ["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy"]
        let run = runSalmon(common + ["--targets", root + "/targets.npy", "--ridge-alpha", "0.5", "--out", root + "/out"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("holds  probe-r2 at activations: r2 0.9"), "\(run.stdout)")
        #expect(Self.text(root + "/out/results.csv").contains("probe-r2@activations~supplied"))

        for (extra, message) in [
            (["--labels", root + "/labels.npy", "--targets", root + "/targets.npy"], "--labels: expected one of --labels (class labels) or --targets (real values), found both"),
            ([], "--labels: expected one of --labels (class labels) or --targets (real values), found neither"),
            (["--targets", root + "/targets.npy", "--control-types", root + "/labels.npy"], "--control-types: expected no control types with --targets"),
        ] {
            let bad = runSalmon(common + extra + ["--out", root + "/bad"])
            #expect(bad.status == 2 && bad.stderr.contains(message), "\(extra): \(bad.stderr)")
            #expect(bad.stderr.split(separator: "\n").count == 1 && !FileManager.default.fileExists(atPath: root + "/bad"))
        }
    }
}
