import Foundation
import Testing

/// `salmon attribution` end to end on maps written as `.npy`, through the audit engine: a method
/// whose maps change under randomization is distinguishable, one whose maps do not is a dead
/// salmon (exit 1), and bad input — a NaN, a shape that differs from the trained maps', k above
/// the feature count, no reference — exits 2 with one line and writes nothing.
@Suite("Attribution CLI", .serialized)
struct AttributionCLITests {
    /// n maps of 8 × 8 from a seeded generator: `[n, 8, 8]` float32 values.
    final class Maps {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        func noise() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in noise() } }
    }

    static let rows = 60, shape = [60, 8, 8]

    /// trained.npy, reference.npy (trained + a little noise) and 19 null files in `nulls/`:
    /// independent noise when `sensitive`, else the trained maps plus a little noise.
    static func write(_ root: String, sensitive: Bool) throws {
        let maps = Maps(seed: 99)
        let n = rows * 64
        let trained = maps.random(n)
        func near(_ scale: Float) -> [Float] { trained.map { $0 + scale * maps.noise() } }
        try AuditCLITests.npy(trained, shape: shape).write(to: URL(fileURLWithPath: root + "/trained.npy"))
        try AuditCLITests.npy(near(0.3), shape: shape).write(to: URL(fileURLWithPath: root + "/reference.npy"))
        try FileManager.default.createDirectory(atPath: root + "/nulls", withIntermediateDirectories: true)
        for k in 0..<19 {
            try AuditCLITests.npy(sensitive ? maps.random(n) : near(0.3), shape: shape)
                .write(to: URL(fileURLWithPath: root + "/nulls/null-\(String(format: "%02d", k)).npy"))
        }
    }

    @Test func mapsThatChangeUnderRandomizationPass() throws {
        let root = AuditCLITests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.write(root, sensitive: true)
        let run = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                             "--reference", root + "/reference.npy", "--out", root + "/out", "--resamples", "999", "--jobs", "2"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("holds") && run.stdout.contains("1 tests: 1 distinguishable"), "\(run.stdout)")
        // The audit's report directory: one test of the supplied-maps claim against its 19 null files.
        let csv = AuditCLITests.text(root + "/out/results.csv").split(separator: "\n")
        #expect(csv.count == 2 && csv[1].hasPrefix("maps@maps~supplied,maps,maps,supplied,supplied-maps,similarityToTrained,larger,"), "\(csv)")
        let report = AuditCLITests.text(root + "/out/report.md")
        #expect(report.contains("attribution maps supplied from files") && report.contains("distinguishable"))
        #expect(FileManager.default.fileExists(atPath: root + "/out/junit.xml") && FileManager.default.fileExists(atPath: root + "/out/results.json"))

        // The same files, SSIM on the 8 × 8 maps and top-5: still distinguishable; identical for 1 job.
        let ssim = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                              "--reference", root + "/reference.npy", "--measure", "ssim", "--out", root + "/ssim", "--resamples", "199"])
        #expect(ssim.status == 0, "stderr: \(ssim.stderr)")
        let top = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                             "--reference", root + "/reference.npy", "--measure", "topk", "--top-k", "5", "--out", root + "/top",
                             "--resamples", "199", "--jobs", "1"])
        #expect(top.status == 0, "stderr: \(top.stderr)")
        #expect(AuditCLITests.text(root + "/top/results.json").contains("top-5"))
        _ = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                       "--reference", root + "/reference.npy", "--out", root + "/again", "--resamples", "999", "--jobs", "1"])
        #expect(AuditCLITests.text(root + "/again/results.csv") == AuditCLITests.text(root + "/out/results.csv"))
    }

    @Test func mapsThatDoNotChangeFail() throws {
        let root = AuditCLITests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.write(root, sensitive: false)
        let run = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                             "--reference", root + "/reference.npy", "--out", root + "/out", "--resamples", "199"])
        #expect(run.status == 1, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(run.stdout.contains("FAILS") && run.stdout.contains("1 dead salmon"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: root + "/out/results.csv"))
    }

    @Test func badMapsExitTwoWithOneLine() throws {
        let root = AuditCLITests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.write(root, sensitive: true)
        let maps = Maps(seed: 5)

        // A NaN in a null file: exit 2, naming the file, the flat index, row and feature; nothing written.
        var bad = maps.random(Self.rows * 64)
        bad[200] = .nan
        try AuditCLITests.npy(bad, shape: Self.shape).write(to: URL(fileURLWithPath: root + "/nulls/null-07.npy"))
        let nan = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy",
                             "--reference", root + "/reference.npy", "--out", root + "/nan", "--resamples", "199"])
        #expect(nan.status == 2)
        #expect(nan.stderr.contains("null-07.npy") && nan.stderr.contains("found nan at index 200 (row 3, feature 8)"), "\(nan.stderr)")
        #expect(nan.stderr.split(separator: "\n").count == 1 && nan.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/nan"))

        // Another shape (Captum's [n, 1, 8, 8] against [n, 8, 8]; or fewer rows): exit 2.
        try AuditCLITests.npy(maps.random(Self.rows * 64), shape: [Self.rows, 1, 8, 8]).write(to: URL(fileURLWithPath: root + "/captum.npy"))
        let shaped = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/captum.npy", "--null", root + "/nulls/null-01.npy",
                                "--reference", root + "/reference.npy", "--out", root + "/shape", "--resamples", "199"])
        #expect(shaped.status == 2)
        #expect(shaped.stderr.contains("captum.npy: expected maps of the trained maps' shape [60, 8, 8] (same inputs, same order), found [60, 1, 8, 8]"),
                "\(shaped.stderr)")
        try AuditCLITests.npy(maps.random(50 * 64), shape: [50, 8, 8]).write(to: URL(fileURLWithPath: root + "/short.npy"))
        let short = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/null-0[12].npy",
                               "--reference", root + "/short.npy", "--out", root + "/short"])
        #expect(short.status == 2 && short.stderr.contains("short.npy") && short.stderr.contains("found [50, 8, 8]"), "\(short.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/short"))

        // k above the 64 features, and a glob that matches nothing.
        let k = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/null-0[12].npy",
                           "--reference", root + "/reference.npy", "--measure", "topk", "--top-k", "65", "--out", root + "/k"])
        #expect(k.status == 2 && k.stderr.contains("k must be in 1…64, found 65"), "\(k.stderr)")
        let none = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/missing/*.npy",
                              "--reference", root + "/reference.npy", "--out", root + "/none"])
        #expect(none.status == 2 && none.stderr.contains("--null: expected files matching"), "\(none.stderr)")
        // Without a reference there is no estimate to test: refused before anything is read.
        let bare = runSalmon(["attribution", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy", "--out", root + "/bare"])
        #expect(bare.status == 2 && bare.stderr.contains("--reference: expected the same method's maps"), "\(bare.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/bare"))
    }

    /// `salmon sanity-checks` refuses bad options before training anything (the study itself is
    /// tested in SalmonAuditTests; the reproduction runs in release).
    @Test func sanityChecksRefusesBadOptions() {
        for (args, message) in [(["--seeds", "0"], "--seeds: expected at least 1, found 0"),
                                (["--resamples", "99"], "--resamples: expected at least 100, found 99"),
                                (["--minimum-effect=-1"], "--minimum-effect: expected a number ≥ 0, found -1.0"),
                                (["--examples", "600"], "--examples: expected in 2…500, found 600"),
                                (["--trained-seeds", "1"], "--trained-seeds: expected at least 2, found 1")] {
            let run = runSalmon(["sanity-checks", "--out", "/nonexistent/never-written"] + args)
            #expect(run.status == 2 && run.stderr == "salmon: error: \(message)\n" && run.stdout.isEmpty, "\(args): \(run.stderr)")
        }
    }
}
