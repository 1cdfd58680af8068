import Foundation
import Testing

/// `salmon audit` on an identifiability spec (`kind: identifiability`): the reports, the exit
/// codes 0 (every claim supported), 1 (a claim is not) and 2 (a bad spec or option, one line
/// naming the field, nothing written).
@Suite("Identifiability audit CLI")
struct IdentifiabilityAuditCLITests {
    static func scratch() -> String {
        let path = NSTemporaryDirectory() + "salmon-identifiability-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func text(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "<missing \(path)>"
    }

    static let small = text(inputsDirectory.appendingPathComponent("identifiability-small.yaml").path)

    /// Writes `yaml` as a spec file in `root` and returns its path.
    static func spec(_ yaml: String, in root: String, name: String = "spec.yaml") throws -> String {
        let path = root + "/" + name
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aSupportedClaimExitsZeroWithEveryReport() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = runSalmon(["audit", "identifiability-small.yaml", "--out", root + "/out", "--jobs", "2"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("holds  not-unique at width 3: not identifiable at tolerance 0.05 is supported"), "\(run.stdout)")
        #expect(run.stdout.contains("width 3: 3/3 converged; perfect circuits median 41; 3/3 with more than one"))
        for file in ["report.md", "results.csv", "networks.csv", "results.json", "junit.xml",
                     "figures/perfect-circuits.svg", "figures/claims.svg", "figures/overlap-w3.svg"] {
            #expect(FileManager.default.fileExists(atPath: root + "/out/" + file), "missing \(file)")
        }
        assertSnapshot("identifiability-small-results.csv", Self.text(root + "/out/results.csv"))
        let report = Self.text(root + "/out/report.md")
        #expect(report.hasPrefix("# Identifiability audit: xor-small\n\n1 of 1 claims hold."))
        #expect(report.contains("| 3 | 3000 | 3/3 ") && report.contains("Verdict rule: A claim"))
        #expect(report.contains("![Best overlap across seeds at width 3](figures/overlap-w3.svg)"))
        let junit = Self.text(root + "/out/junit.xml")
        #expect(junit.contains("tests=\"1\" failures=\"0\"") && junit.contains("name=\"not-unique@width-3\""))
        let json = Self.text(root + "/out/results.json")
        #expect(json.contains("\"schema\" : \"deadsalmon.identifiability-result/2\"") && json.contains("\"specHash\""))
        #expect(Self.text(root + "/out/networks.csv").split(separator: "\n").count == 1 + 6)
        // Re-rendered from its JSON: the same report.
        let again = runSalmon(["report", root + "/out/results.json", "--out", root + "/again"])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(Self.text(root + "/again/report.md") == report)
        #expect(Self.text(root + "/again/results.json") == json)
        // The same spec with one worker: the same results.
        let one = runSalmon(["audit", "identifiability-small.yaml", "--out", root + "/one", "--jobs", "1"])
        #expect(one.status == 0)
        #expect(Self.text(root + "/one/results.csv") == Self.text(root + "/out/results.csv"))
        #expect(Self.text(root + "/one/networks.csv") == Self.text(root + "/out/networks.csv"))
    }

    @Test func aClaimThatIsNotSupportedExitsOne() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try Self.spec(Self.small.replacingOccurrences(of: "{name: not-unique, expect: not-identifiable, tolerance: 0.05}",
                                                                 with: "{name: unique, expect: identifiable}"), in: root)
        let run = runSalmon(["audit", path, "--out", root + "/out", "--jobs", "2"])
        #expect(run.status == 1, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("FAILS  unique at width 3: identifiable at tolerance 0.05 is contradicted"), "\(run.stdout)")
        #expect(Self.text(root + "/out/junit.xml").contains("failures=\"1\""))
        #expect(Self.text(root + "/out/results.csv").contains(",contradicted,false,"))
    }

    @Test func badSpecsAndOptionsExitTwoNamingTheField() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cases: [(yaml: String, fragments: [String])] = [
            (Self.small.replacingOccurrences(of: "widths: [3]", with: "widht: [3]"), ["field 'widht'", "did you mean 'widths'?"]),
            (Self.small.replacingOccurrences(of: "widths: [3]", with: "widths: [9]"), ["field 'widths'", "from 1 to 5"]),
            (Self.small.replacingOccurrences(of: "kind: identifiability", with: "kind: identifiabilty"), ["field 'kind'", "did you mean 'identifiability'?"]),
            (Self.small.replacingOccurrences(of: "tolerance: 0.05", with: "tolerance: 0"), ["field 'claims[0].tolerance'", "strictly between 0 and 1"]),
            (Self.small.replacingOccurrences(of: "{seeds: 3,", with: "{seeds: 3, resample: 2,"), ["field 'training.resample'", "did you mean 'resamples'?"]),
        ]
        for (i, c) in cases.enumerated() {
            let path = try Self.spec(c.yaml, in: root, name: "bad\(i).yaml")
            let run = runSalmon(["audit", path, "--out", root + "/out\(i)"])
            #expect(run.status == 2, "case \(i): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "case \(i): \(run.stderr)")
            #expect(run.stderr.contains("bad\(i).yaml"), "case \(i): \(run.stderr)")
            for fragment in c.fragments { #expect(run.stderr.contains(fragment), "case \(i): \(run.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: root + "/out\(i)"), "case \(i) wrote output")
        }
        let shard = runSalmon(["audit", "identifiability-small.yaml", "--out", root + "/shard", "--shard", "0/2"])
        #expect(shard.status == 2 && shard.stderr.contains("--shard") && !FileManager.default.fileExists(atPath: root + "/shard"), "\(shard.stderr)")
    }
}
