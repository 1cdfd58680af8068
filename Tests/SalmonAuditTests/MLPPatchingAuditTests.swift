import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import SalmonTasks
import Testing

/// Activation-patching claims on an MLP trained on hierarchical equality over vectors: the
/// clean/corrupted pairs (the corruption flips left, and with it the answer), the values against
/// a direct ``MLPActivationPatching`` of the trained network and of random-init nulls, the
/// refusals, and calibration against random-init.
@Suite struct MLPPatchingAuditTests {
    static let yaml = """
    name: mlp-patching
    seed: 11
    model:
      task: hierarchical-equality-vectors
      taskOptions: {examples: 4000, dimension: 4}
      hidden: [32, 32]
      training: {epochs: 60, batchSize: 100, learningRate: 0.003}
      evaluationExamples: 200
    claims:
      - {name: patch, method: {name: activation-patching}, statistic: logitDifferenceRestored, sites: [layers.0.post, layers.1.post, "layers.0.post[3]"]}
      - {name: recovered, method: {name: activation-patching}, sites: [layers.1.pre]}
    nulls:
      - {family: random-init, K: 4}
    resampling: {bootstrap: 100}
    """

    @Test func valuesArePatchesOfEachModelOnPairsThatFlipLeft() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? NetworkSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 4)
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        // The pairs: b made equal to a where they differed, a fresh object where they were equal.
        let data = SyntheticTasks.hierarchicalEqualityVectors(examples: 4200, dimension: 4, stream: RandomStream(seed: 11, path: ["task"]))
        let clean = data.inputs.rows(4000..<4200), labels = data.targets.scalars[4000...].map { Int($0) }
        let left = data.groundTruth["variables"]!.scalars.enumerated().filter { $0.offset % 2 == 0 && $0.offset >= 8000 }.map { Int($0.element) }
        var corrupted = clean
        var draw = RandomStream(seed: 11, path: ["counterfactual"])
        for r in 0..<200 { for j in 0..<4 { corrupted.scalars[r * 16 + 4 + j] = left[r] == 0 ? clean.scalars[r * 16 + j] : Float(2 * draw.uniform() - 1) } }
        for r in 0..<200 {
            let a = Array(corrupted.scalars[(r * 16)..<(r * 16 + 4)]), b = Array(corrupted.scalars[(r * 16 + 4)..<(r * 16 + 8)])
            #expect((a == b) == (left[r] == 0), "pair \(r): the corruption flips left")
        }
        func patching(_ model: MLP) throws -> MLPActivationPatching {
            try MLPActivationPatching(model: model, clean: clean, corrupted: corrupted, correct: labels, wrong: labels.map { 1 - $0 })
        }
        let trained = try patching(subject.trained[0])
        // On the trained network the corruption flips the answer: LD changes sign on most pairs.
        let flipped = zip(trained.cleanDifferences, trained.corruptedDifferences).filter { $0 > 0 && $1 < 0 }.count
        print("MLP patching: \(flipped) of 200 pairs answered right when clean and wrong when corrupted")
        #expect(flipped >= 150)
        for site in ["layers.0.post", "layers.1.post", "layers.0.post[3]"] {
            let test = try #require(result.tests.first { $0.id == "patch@\(site)~random-init" })
            let value = ActivationPatching.restored(patched: try trained.patchedDifferences(component: site), clean: trained.cleanDifferences,
                                                    corrupted: trained.corruptedDifferences)
            #expect(test.estimate == value, "\(site)")
            let nulls = try (0..<4).map { k -> Double in
                let null = try patching(NullModels.reinitialized(subject.trained[0], stream: RandomStream(seed: 11, path: ["null", "random-init", .index(k)])))
                return ActivationPatching.restored(patched: try null.patchedDifferences(component: site), clean: null.cleanDifferences, corrupted: null.corruptedDifferences)
            }
            #expect(test.null.values == nulls, "\(site)")
            print("MLP patching: \(site) restored \(test.estimate), random-init \(nulls)")
        }
        let whole = try #require(result.tests.first { $0.id == "recovered@layers.1.pre~random-init" })
        #expect(whole.estimate == 1 && whole.null.values.allSatisfy { $0 == 1 }, "a whole layer recovers the clean run on every network")
    }

    @Test func componentsAnMLPLacksAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "p.yaml", edit) }
        let unit = refusal { $0.replacingOccurrences(of: "\"layers.0.post[3]\"", with: "\"layers.0.post[32]\"") }
        #expect(unit.contains("claims.patch.sites") && unit.contains("units 0 … 31"), "\(unit)")
        let head = refusal { $0.replacingOccurrences(of: "\"layers.0.post[3]\"", with: "blocks.0.attn.heads.1") }
        #expect(head.contains("sites") && head.contains("blocks.0.attn.heads.1"), "\(head)")
        let eap = refusal { $0.replacingOccurrences(of: "{name: activation-patching}, sites: [layers.1.pre]", with: "{name: edge-attribution-patching}, sites: [layers.1.pre]") }
        #expect(eap.contains("claims.recovered.sites") && eap.contains("WRITER->READER"), "\(eap)")
        let probeUnit = refusal { $0.replacingOccurrences(of: "  - {name: recovered, method: {name: activation-patching}, sites: [layers.1.pre]}", with: "  - {name: recovered, method: {name: logistic-probe}, sites: [\"layers.1.pre[2]\"]}") }
        #expect(probeUnit.contains("sites") && probeUnit.contains("layers.1.pre[2]"), "\(probeUnit)")
        let edges = refusal { $0.replacingOccurrences(of: "{name: activation-patching}, sites: [layers.1.pre]", with: "{name: edge-attribution-circuit, edges: 3}, sites: [layers.1.pre]") }
        #expect(edges.contains("claims[1].method") && edges.contains("greedy-circuit"), "\(edges)")
        let task = refusal { $0.replacingOccurrences(of: "hierarchical-equality-vectors", with: "planted-concepts").replacingOccurrences(of: ", dimension: 4", with: "") }
        #expect(task.contains("claims[0].method") && task.contains("clean and corrupted"), "\(task)")
    }

    /// Calibration: with the "trained" MLP one more random-init draw, a patching claim on a unit
    /// (`logitDifferenceRestored`, continuous) is called distinguishable at a rate inside the
    /// binomial 99.9 % band (K = 19, one test).
    @Test func aPatchingClaimOnARandomInitDrawIsDistinguishableFivePercentOfTheTime() async throws {
        let (distinguishable, band) = try await calibrationCount(audits: 400) { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(21000 + r)
                model:
                  task: hierarchical-equality-vectors
                  taskOptions: {examples: 100, dimension: 3}
                  hidden: [8]
                  training: {epochs: 2, batchSize: 50}
                  evaluationExamples: 60
                claims:
                  - {name: c, method: {name: activation-patching}, statistic: logitDifferenceRestored, sites: ["layers.0.post[2]"]}
                nulls:
                  - {family: random-init, K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of 400 distinguishable, 99.9 % band \(band)")
        print("calibration: MLP activation patching (restored, one unit) against random-init \(distinguishable)/400, 99.9 % band for 5 %: \(band)")
    }
}
