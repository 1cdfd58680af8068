import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Activation files for several sites in one spec (globs for the null files): every site is
/// audited in one run, so the correction spans them all.
@Suite struct ActivationFilesAuditTests {
    static let rows = 60, nullCount = 9

    /// Site `l1` (5 features: the label in feature 0 for the trained file) and `l2` (3 features:
    /// noise); null k's files are `nulls/0k/l1.npy` and `nulls/0k/l2.npy`, pure noise.
    static func writeFiles(in root: String) throws -> (labels: [Int], nullsL2: [Tensor]) {
        var stream = RandomStream(seed: 31)
        let labels = (0..<rows).map { $0 % 2 }
        func matrix(_ width: Int, signal: Bool) -> [Double] {
            (0..<(rows * width)).map { i in (signal && i % width == 0 ? 4 * Double(labels[i / width]) : 0) + stream.gaussian() }
        }
        func write(_ values: [Double], _ width: Int, _ path: String) throws {
            try FileManager.default.createDirectory(atPath: (root + "/" + path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try RidgeProbeAuditTests.npy(values, shape: [rows, width], float64: false).write(to: URL(fileURLWithPath: root + "/" + path))
        }
        try write(matrix(5, signal: true), 5, "trained/l1.npy")
        try write(matrix(3, signal: false), 3, "trained/l2.npy")
        var nullsL2: [Tensor] = []
        for k in 0..<nullCount {
            try write(matrix(5, signal: false), 5, String(format: "nulls/%02d/l1.npy", k))
            let l2 = matrix(3, signal: false)
            nullsL2.append(Tensor(shape: [rows, 3], scalars: l2.map(Float.init)))
            try write(l2, 3, String(format: "nulls/%02d/l2.npy", k))
        }
        try RidgeProbeAuditTests.npy(labels.map(Double.init), shape: [rows], float64: false).write(to: URL(fileURLWithPath: root + "/labels.npy"))
        return (labels, nullsL2)
    }

    static func yaml(l2Nulls: String = "\"nulls/*/l2.npy\"", claimSites: String = "") -> String {
        """
        name: two-sites
        seed: 8
        model:
          activations:
            sites:
              l1: {trained: trained/l1.npy, nulls: "nulls/*/l1.npy"}
              l2: {trained: trained/l2.npy, nulls: \(l2Nulls)}
        claims:
          - {name: label, method: {name: logistic-probe, folds: 3}, target: labels.npy\(claimSites)}
        nulls: [{family: supplied, K: \(nullCount)}]
        resampling: {bootstrap: 200}
        """
    }

    @Test func everySiteIsAuditedAndTheCorrectionSpansThem() async throws {
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (labels, nullsL2) = try Self.writeFiles(in: root)
        let spec = try AuditSpec.parse(yaml: Self.yaml())
        let subject = try Audit.subject(for: spec, specDirectory: root, jobs: 1)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.map(\.site) == ["l1", "l2"])
        #expect(result.policy.testCount == 2)
        // The null draws at l2 are the probe on the glob's files in byte order.
        let probe = Probe(.logistic(LogisticRegression()), folds: 3)
        let draws = try nullsL2.map { a in
            try #require(try probe.explain(try ProbeData(activations: a, target: .classes(labels, count: 2)),
                                           stream: RandomStream(seed: 8, path: ["method", "label", "l2"])).scalars["accuracy"])
        }
        #expect(result.tests[1].null.values == draws)
        #expect(result.tests[0].estimate > 0.8 && result.tests[0].verdict != .deadSalmon)
        // Holm over both tests: the smaller p is multiplied by 2.
        let smaller = min(result.tests[0].pValue, result.tests[1].pValue)
        #expect(result.tests.map(\.adjustedPValue).min() == min(1, 2 * smaller))
    }

    @Test func badActivationFilesAreRefusedNamingTheField() throws {
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try Self.writeFiles(in: root)
        func refusal(_ yaml: String) -> String {
            do {
                let spec = try AuditSpec.parse(yaml: yaml, file: "s.yaml")
                _ = try Audit.subject(for: spec, specDirectory: root, jobs: 1)
                return "accepted"
            } catch { return "\(error)" }
        }
        let none = refusal(Self.yaml(l2Nulls: "\"nothing/*.npy\""))
        #expect(none.contains("model.activations.sites.l2.nulls") && none.contains("matches no file"), "\(none)")
        let fewer = refusal(Self.yaml(l2Nulls: "[nulls/00/l2.npy, nulls/01/l2.npy]"))
        #expect(fewer.contains("every site needs the same null models"), "\(fewer)")
        let site = refusal(Self.yaml(claimSites: ", sites: [l3]"))
        #expect(site.contains("claims[0].sites") && site.contains("unknown site 'l3'") && site.contains("l1, l2"), "\(site)")
    }
}
