import Foundation
import SalmonAudit
import SalmonReports
import SalmonStatistics
import Testing

/// Null families drawn sequentially (`K: {max: M, sequential: true}`): the verdicts of a fixed-K
/// run with fewer null models; identical results for any jobs, shards and resumption; and the
/// audit's calibration when the trained model is one more null draw.
@Suite(.serialized) struct SequentialAuditTests {
    static func yaml(_ k: String) -> String {
        """
        name: sequential
        seed: 7
        model:
          task: planted-concepts
          taskOptions: {examples: 300, concepts: 3, dimension: 8, labelConcepts: [0], noise: 0.3}
          hidden: [8]
          training: {epochs: 15, batchSize: 50, learningRate: 0.02}
          evaluationExamples: 150
        claims:
          - {name: label, method: {name: logistic-probe, folds: 3}}
          - {name: ignored, method: {name: logistic-probe, folds: 3}, target: "concept:2", expect: "null"}
          - {name: pca, method: {name: pca-label-correlation, components: 2}}
        nulls:
          - {family: random-init, K: \(k)}
          - {family: within-layer-permutation, K: \(k)}
        resampling: {bootstrap: 200}
        """
    }

    /// Clear tests (a PCA–label correlation far beyond its nulls, a concept the label ignores):
    /// the fixed-K verdicts from a fifth of the null models.
    @Test func theVerdictsOfAFixedKRunFromFewerNullModels() async throws {
        func clear(_ yaml: String) -> String { yaml.replacingOccurrences(of: "  - {name: label, method: {name: logistic-probe, folds: 3}}\n", with: "") }
        let fixedSpec = try AuditSpec.parse(yaml: clear(Self.yaml("399")))
        let spec = try AuditSpec.parse(yaml: clear(Self.yaml("{max: 399, sequential: true}")))
        let fixed = try #require(try await Audit.run(spec: fixedSpec, subject: try Audit.subject(for: fixedSpec, specDirectory: ".", jobs: 2), jobs: 2).result)
        let sequential = try #require(try await Audit.run(spec: spec, subject: try Audit.subject(for: spec, specDirectory: ".", jobs: 2), jobs: 2).result)
        #expect(sequential.tests.map(\.id) == fixed.tests.map(\.id))
        #expect(sequential.tests.map(\.verdict) == fixed.tests.map(\.verdict))
        #expect(fixed.tests.map(\.verdict) == [.deadSalmon, .deadSalmon, .distinguishable, .distinguishable])
        // 4 tests under Holm: p = 1/(r + 1) is rejected whatever the others from r = 79 draws.
        for t in sequential.tests where t.verdict == .distinguishable {
            #expect(t.sequential?.stop == .rejection && t.null.values.count == 79 && t.pValue == 1.0 / 80, "\(t.id)")
        }
        #expect(sequential.provenance.nullModels == 2 * 79 && fixed.provenance.nullModels == 2 * 399)
        print("sequential: \(sequential.provenance.nullModels) null models against \(fixed.provenance.nullModels) fixed, same verdicts")
    }

    /// A test near the threshold keeps its family drawing past the early rejection: each family
    /// uses as many models as its longest-running test, and the result is the same for any jobs,
    /// shard split and resumption, and from the records the tests read.
    @Test func familiesDrawUntilTheirLastTestStopsAndResultsDoNotDependOnHowTheWorkWasDivided() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml("{max: 399, sequential: true}"))
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 2)
        let (run, outcome) = try await Audit.run(spec: spec, subject: subject, jobs: 2)
        let sequential = try #require(run)
        var used: [String: Int] = [:]
        for t in sequential.tests {
            let stop = try #require(t.sequential)
            #expect(stop.design.rejectionDraws == 119 && stop.design.exceedances == 10 && stop.design.maxDraws == 399)
            switch stop.stop {
            case .rejection: #expect(t.extremeCount == 0 && t.null.values.count == 119 && t.pValue == 1.0 / 120, "\(t.id)")
            case .acceptance: #expect(t.extremeCount == 10, "\(t.id)")
            case .maximum: #expect(t.null.values.count == 399, "\(t.id)")
            }
            used[t.family] = max(used[t.family] ?? 0, t.null.values.count)
        }
        #expect(used.values.contains { $0 > 119 }, "a test ran past the early rejection: \(used)")
        #expect(sequential.provenance.nullModels == used.values.reduce(0, +))
        #expect(outcome.computed - 1 == sequential.provenance.nullModels, "\(outcome.computed) units computed: none past the stops")
        #expect(sequential.notes.contains { $0.hasPrefix("random-init: drawn sequentially (Besag & Clifford 1991") && $0.contains("\(used["random-init"] ?? 0) of at most 399 null models used") })

        let one = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(one) == CSVReport.render(sequential) && one.tests == sequential.tests)
        var records: [UnitRecord] = []
        for i in 0..<3 {
            let (partial, shard) = try await Audit.run(spec: spec, subject: subject, jobs: 2, shard: Shard(index: i, count: 3))
            #expect(partial == nil)
            records += shard.records
        }
        #expect(records.count == 1 + 2 * 399, "a shard computes its share of every family's K")
        let merged = try AuditAssembler.assemble(spec: spec, records: records, model: subject.modelDescription, dataHash: subject.dataHash,
                                                 evaluationHash: subject.evaluationHash, jobs: 2, shards: 3)
        #expect(CSVReport.render(merged) == CSVReport.render(sequential) && merged.tests == sequential.tests)
        // The models the shards drew past the stops leave no trace: notes (diagnostics) and provenance are the run's.
        #expect(merged.notes == sequential.notes && merged.provenance.nullModels == sequential.provenance.nullModels)
        // The records past where each family's tests stopped are not needed; one before is.
        let needed = records.filter { r in
            if case .null(let family, let k) = r.unit { return k < used[family] ?? 0 }
            return true
        }
        let fromNeeded = try AuditAssembler.assemble(spec: spec, records: needed, model: subject.modelDescription, dataHash: subject.dataHash,
                                                     evaluationHash: subject.evaluationHash, jobs: 2)
        #expect(fromNeeded.tests == sequential.tests)
        let short = needed.filter { $0.unit != .null(family: "random-init", index: 60) }
        #expect(throws: AuditError.self) {
            try AuditAssembler.assemble(spec: spec, records: short, model: subject.modelDescription, dataHash: subject.dataHash,
                                        evaluationHash: subject.evaluationHash, jobs: 2)
        }

        let directory = NSTemporaryDirectory() + "salmon-sequential-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = RecordStore(directory: directory)
        _ = try await Audit.run(spec: spec, subject: subject, jobs: 2, store: store)
        let (resumed, again) = try await Audit.run(spec: spec, subject: subject, jobs: 2, store: store, resume: true)
        #expect(again.computed == 0 && resumed?.tests == sequential.tests)
    }

    @Test func specsAreCheckedAndFixedKSpecsKeepTheirHash() throws {
        let fixed = try AuditSpec.parse(yaml: Self.yaml("399"))
        #expect(String(decoding: fixed.canonicalJSON(), as: UTF8.self).contains(#"{"K":399,"family":"random-init"}"#))
        let spec = try AuditSpec.parse(yaml: Self.yaml("{max: 399, sequential: true, exceedances: 5, rejectionDraws: 150}"))
        #expect(spec.nulls[0].sequential == SequentialDrawing(exceedances: 5, rejectionDraws: 150) && spec.nulls[0].K == 399)
        #expect(String(decoding: spec.canonicalJSON(), as: UTF8.self).contains(#"{"K":{"exceedances":5,"max":399,"rejectionDraws":150,"sequential":true},"family":"random-init"}"#))
        let again = try JSONDecoder().decode(NullSpec.self, from: try JSONEncoder().encode(spec.nulls[0]))
        #expect(again == spec.nulls[0] && spec.hash != fixed.hash)
        #expect(try AuditSpec.parse(yaml: Self.yaml("{max: 399, sequential: false}")).hash == fixed.hash)
        for (k, field) in [("{max: 399, sequential: true, exceedances: 0}", "nulls[0].K.exceedances"),
                           ("{max: 399, sequential: true, exceedances: 2000000}", "nulls[0].K.exceedances"),
                           ("{max: 399, sequential: true, rejectionDraws: 399}", "nulls[0].K.rejectionDraws"),
                           ("{max: 399, sequential: true, rejectionDraws: 0}", "nulls[0].K.rejectionDraws"),
                           ("{max: 399, sequential: true, steps: 3}", "nulls[0].K"),
                           ("{max: 399}", "nulls[0].K"),
                           ("{max: 399, sequential: false, exceedances: 4}", "nulls[0].K")] {
            #expect { try AuditSpec.parse(yaml: Self.yaml(k)) } throws: { error in
                "\(error)".contains(field)
            }
        }
    }

    /// Calibration: the trained model is one more random-init draw, one test at α = 0.05, the
    /// family drawn sequentially up to 199 with r = 19 (p = 1/20 rejects it) and h = 10. Under the
    /// null p ≤ 0.05 only by stopping for rejection, which happens with probability exactly 1/20
    /// for a continuous statistic; the clear nulls stop early.
    @Test func aRandomInitTrainedModelIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        var distinguishable = 0, models = 0
        for r in 0..<n {
            var spec = try OneMoreNullDraw.calibrationSpec(seed: UInt64(4000 + r), method: "{name: pca-label-correlation, components: 3}", K: 199)
            spec.nulls[0].sequential = SequentialDrawing()
            let subject = OneMoreNullDraw(base: try NetworkSubject(spec: spec), index: 199)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            let test = result.tests[0]
            #expect(test.sequential?.design.rejectionDraws == 19)
            if test.verdict == .distinguishable {
                distinguishable += 1
                #expect(test.sequential?.stop == .rejection)
            }
            models += result.provenance.nullModels
        }
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        #expect(band.contains(distinguishable), "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        let mean = Double(models) / Double(n)
        // E[min(h/u, …)] for u uniform is about h (1 + ln(199/h)) ≈ 40: far below 199.
        #expect(mean < 80, "mean null models used \(mean)")
        print("sequential calibration: \(distinguishable)/\(n) distinguishable (band \(band)), mean null models used \(mean) of at most 199")
    }
}
