import Foundation
import Testing

/// A report is whole or absent: an audit killed at each point of writing its report (before and
/// after staging, after the commit, between report files, before and after the entry point) leaves
/// the previous complete report or none, never a mix, and a user's files untouched; `--resume` then
/// finishes byte-identical to an uninterrupted run and leaves no staging behind.
@Suite("Report switch under kill -9", .serialized)
struct ReportSwitchKillTests {
    static let points = ["report-staged", "report-committed", "report-entry-removed", "report-half-switched",
                         "report-before-entry", "report-switched"]
    /// Points inside the switch, where the entry point may be missing until the next write.
    static let insideSwitch: Set<String> = ["report-entry-removed", "report-half-switched", "report-before-entry"]

    static func spec(seed: Int) -> String {
        """
        version: 1
        name: kill-test
        seed: \(seed)
        model:
          task: planted-concepts
          taskOptions: {examples: 200, concepts: 3, dimension: 6, labelConcepts: [0], noise: 0.3}
          hidden: [6]
          training: {epochs: 8, batchSize: 50, learningRate: 0.02}
          evaluationExamples: 100
        claims:
          - name: label
            method: {name: logistic-probe, folds: 3}
        nulls:
          - {family: random-init, K: 19}
          - {family: within-layer-permutation, K: 19}
        resampling: {bootstrap: 200, interval: percentile}
        allowUnderpowered: true
        """
    }

    /// Runs salmon in `directory` with `environment` added; returns the status and whether a signal ended it.
    static func run(_ args: [String], in directory: String, environment: [String: String] = [:]) throws -> (status: Int32, signaled: Bool) {
        let process = Process()
        process.executableURL = try #require(SalmonBinary.url)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// Every regular file below `directory` (relative paths) and its bytes, `records/` aside.
    static func contents(_ directory: String) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let walk = FileManager.default.enumerator(atPath: directory) else { return out }
        while let name = walk.nextObject() as? String {
            if name.hasPrefix("records") { continue }
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[name] = FileManager.default.contents(atPath: path)
            }
        }
        return out
    }

    @Test func killedAtEveryPointTheReportIsWholeOrAbsentAndResumeFinishesIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("salmon-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.spec(seed: 3).write(toFile: root + "/a.yaml", atomically: true, encoding: .utf8)
        try Self.spec(seed: 4).write(toFile: root + "/b.yaml", atomically: true, encoding: .utf8)

        // The uninterrupted reports: A in `base` (beside a user's files), B in `reference`.
        #expect(try Self.run(["audit", "b.yaml", "--out", "reference"], in: root).status <= 1)
        try FileManager.default.createDirectory(atPath: root + "/base/figures", withIntermediateDirectories: true)
        try "mine\n".write(toFile: root + "/base/keep.txt", atomically: true, encoding: .utf8)
        try "<svg/>\n".write(toFile: root + "/base/figures/my_plot.svg", atomically: true, encoding: .utf8)
        #expect(try Self.run(["audit", "a.yaml", "--out", "base"], in: root).status <= 1)
        let old = Self.contents(root + "/base"), new = Self.contents(root + "/reference")
        let reportFiles = ["report.md", "results.csv", "results.json", "junit.xml", "run.json"]
        #expect(reportFiles.allSatisfy { old[$0] != nil && new[$0] != nil && old[$0] != new[$0] || $0 == "run.json" })

        for point in Self.points {
            let out = root + "/" + point
            try FileManager.default.copyItem(atPath: root + "/base", toPath: out)
            let killed = try Self.run(["audit", "b.yaml", "--out", point], in: root, environment: ["SALMON_KILL_AT": point])
            #expect(killed.signaled && killed.status == SIGKILL, "\(point): not killed (status \(killed.status))")
            let after = Self.contents(out)
            #expect(after["keep.txt"] == Data("mine\n".utf8) && after["figures/my_plot.svg"] == Data("<svg/>\n".utf8), "\(point)")
            let visible = after.filter { !$0.key.hasPrefix(".salmon-staging") }
            if visible["report.md"] != nil {
                // A whole report: every file of it from one run, the old one or the new one.
                let fromOld = visible.allSatisfy { old[$0.key] == $0.value }
                let fromNew = visible.filter { $0.key != "keep.txt" && $0.key != "figures/my_plot.svg" }.allSatisfy { new[$0.key] == $0.value }
                #expect(fromOld || fromNew, "\(point): report.md present but the files are mixed")
                #expect(fromOld == !["report-switched"].contains(point), "\(point): \(fromOld ? "old" : "new") report")
            } else {
                #expect(Self.insideSwitch.contains(point), "\(point): the report is gone")
            }
            // The next run finishes the job: byte-identical to the uninterrupted one, nothing staged left.
            #expect(try Self.run(["audit", "b.yaml", "--out", point, "--resume"], in: root).status <= 1)
            let finished = Self.contents(out)
            for (name, data) in new where name != "run.json" {
                #expect(finished[name] == data, "\(point): \(name) differs from the uninterrupted run after --resume")
            }
            #expect(finished["keep.txt"] == Data("mine\n".utf8) && finished["figures/my_plot.svg"] == Data("<svg/>\n".utf8))
            #expect(!FileManager.default.fileExists(atPath: out + "/.salmon-staging"), "\(point): staging left behind")
            #expect(Set(finished.keys) == Set(new.keys).union(["keep.txt", "figures/my_plot.svg"]), "\(point): \(Set(finished.keys).symmetricDifference(new.keys))")
        }
    }
}
