import Foundation
import SalmonAudit
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// The engine end to end on a small spec: determinism across jobs, shards and resumption, and the verdict rule.
@Suite(.serialized) struct AuditEngineTests {
    static let yaml = """
    name: small
    seed: 7
    model:
      task: planted-concepts
      taskOptions: {examples: 300, concepts: 3, dimension: 8, labelConcepts: [0], noise: 0.3}
      hidden: [8]
      training: {epochs: 15, batchSize: 50, learningRate: 0.02}
      evaluationExamples: 150
    claims:
      - {name: label, method: {name: logistic-probe, folds: 3}}
      - {name: pca, method: {name: pca-label-correlation, components: 2}}
    nulls:
      - {family: random-init, K: 29}
      - {family: within-layer-permutation, K: 19}
    resampling: {bootstrap: 200}
    """

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "salmon-audit-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func resultsAreIdenticalForAnyJobsShardsAndResumption() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 2)
        let one = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        let two = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(CSVReport.render(one) == CSVReport.render(two))
        #expect(one.tests == two.tests && one.claims == two.claims)
        for (a, b) in zip(one.tests, two.tests) where a != b {
            let mirrorA = Mirror(reflecting: a), mirrorB = Mirror(reflecting: b)
            for (ca, cb) in zip(mirrorA.children, mirrorB.children) where "\(ca.value)" != "\(cb.value)" {
                Issue.record("\(a.id): \(ca.label ?? "?") differs: \(ca.value) vs \(cb.value)")
            }
        }
        #expect(one.run?.jobs == 1 && two.run?.jobs == 2)
        // What the run found is the same; only run.json says how it ran.
        #expect(try one.jsonData() == two.jsonData())

        // Three shards, merged.
        var records: [UnitRecord] = []
        for i in 0..<3 {
            let (partial, outcome) = try await Audit.run(spec: spec, subject: subject, jobs: 2, shard: Shard(index: i, count: 3))
            #expect(partial == nil)
            records += outcome.records
        }
        #expect(records.count == 1 + 29 + 19)
        let merged = try AuditAssembler.assemble(spec: spec, records: records.shuffled(), model: subject.modelDescription,
                                                 dataHash: subject.dataHash, evaluationHash: subject.evaluationHash, jobs: 1, shards: 3)
        #expect(CSVReport.render(merged) == CSVReport.render(one))
        // A missing shard is named.
        #expect(throws: AuditError.self) {
            try AuditAssembler.assemble(spec: spec, records: Array(records.dropLast(5)), model: "", dataHash: subject.dataHash,
                                        evaluationHash: "", jobs: 1)
        }

        // Interrupted: a store with some records removed; resume reuses the rest.
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = RecordStore(directory: directory)
        _ = try await Audit.run(spec: spec, subject: subject, jobs: 2, store: store)
        for k in 0..<10 { try FileManager.default.removeItem(atPath: store.path(for: .null(family: "random-init", index: k))) }
        let (resumed, outcome) = try await Audit.run(spec: spec, subject: subject, jobs: 2, store: store, resume: true)
        #expect(outcome.reused == 49 - 10 && outcome.computed == 10)
        #expect(CSVReport.render(try #require(resumed)) == CSVReport.render(one))
    }

    @Test func theTrainedNetworkIsDistinguishableAndTheNumbersAreConsistent() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 2)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 2 * 1 * 2)
        for t in result.tests {
            let k = t.null.values.count
            #expect(k == (t.family == "random-init" ? 29 : 19))
            // p = (1 + b)/(1 + K), b counted directly.
            let b = t.null.values.filter { $0 >= t.estimate }.count
            #expect(t.extremeCount == b && t.pValue == Double(1 + b) / Double(1 + k))
            #expect(t.adjustedPValue >= t.pValue)
            if let ci = t.interval { #expect(ci.lower <= t.estimate && t.estimate <= ci.upper) }
        }
        let label = try #require(result.tests.first { $0.claim == "label" && $0.family == "random-init" })
        #expect(label.estimate > 0.9, "trained probe accuracy \(label.estimate)")
        #expect(result.provenance.specHash == spec.hash && result.provenance.generator == "xoshiro256**")
        // JSON round trip: everything but how the run was carried out (run.json's, not results.json's).
        let back = try AuditResult.read(try result.jsonData(), source: "memory")
        var found = result
        found.run = nil
        #expect(back == found && result.run == RunEnvironment(jobs: 2))
    }

    @Test func tooFewNullModelsAreInconclusiveNotDeadSalmon() async throws {
        // K = 9 per family and 4 tests under Holm: even p = 0.1 cannot reach 0.05.
        let yaml = Self.yaml.replacingOccurrences(of: "K: 29", with: "K: 9").replacingOccurrences(of: "K: 19", with: "K: 9")
        let spec = try AuditSpec.parse(yaml: yaml)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 2)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        for t in result.tests where t.extremeCount == 0 {
            #expect(t.verdict == .inconclusive && t.basis.rule == .unreachable, "\(t.id): \(t.verdict) \(t.basis)")
        }
        #expect(result.claims.allSatisfy { !$0.holds })
    }
}

/// K_t > 1 trained seeds: the estimate is their mean, each null draw is the mean of K_t null
/// models (so estimate and draws stay exchangeable), and the interval is the two-level bootstrap.
@Suite struct SeveralTrainedSeedsTests {
    @Test func nullDrawsAreMeansOfKtModelsAndTheIntervalIsTwoLevel() async throws {
        let yaml = AuditEngineTests.yaml
            .replacingOccurrences(of: "training: {epochs: 15, batchSize: 50, learningRate: 0.02}",
                                  with: "training: {epochs: 15, batchSize: 50, learningRate: 0.02, seeds: 3}")
            .replacingOccurrences(of: "K: 29", with: "K: 31")
        let spec = try AuditSpec.parse(yaml: yaml)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 2)
        let (result, outcome) = try await Audit.run(spec: spec, subject: subject, jobs: 2)
        let audit = try #require(result)
        let label = try #require(audit.tests.first { $0.claim == "label" && $0.family == "random-init" })
        #expect(label.trainedValues.count == 3)
        #expect(abs(label.estimate - label.trainedValues.reduce(0, +) / 3) < 1e-15)
        #expect(label.null.modelsPerDraw == 3 && label.null.values.count == 10)  // 31 models → 10 draws of 3
        let raw = (0..<31).compactMap { k in outcome.records.first { $0.unit == .null(family: "random-init", index: k) }?.values["label@layers.0.post"] }
        #expect(abs(label.null.values[4] - (raw[12] + raw[13] + raw[14]) / 3) < 1e-15)
        #expect(label.intervalMethod.contains("two-level") && label.interval != nil)
        #expect(audit.notes.contains { $0.contains("K = 31 for random-init is not a multiple of K_t = 3") })
        let pca = try #require(audit.tests.first { $0.claim == "pca" })
        #expect(pca.intervalMethod.contains("seeds fixed"))
        // K < K_t is refused when the spec is read.
        #expect(throws: SpecError.self) { try AuditSpec.parse(yaml: yaml.replacingOccurrences(of: "K: 19", with: "K: 2")) }
    }
}
