import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// Circuit-discovery claims (greedy ACDC-style search): the values against a direct
/// ``GreedyCircuitSearch`` on each model, the method-level null `random-circuits` (random
/// circuits of the found circuit's size on the same network), the refusals, and calibration.
@Suite struct CircuitDiscoveryAuditTests {
    static let yaml = """
    name: circuits
    seed: 5
    model:
      task: modular-addition
      taskOptions: {modulus: 11, examples: 100}
      transformer: {dimension: 16, heads: 2, layers: 2}
      training: {epochs: 400, batchSize: 100, learningRate: 0.01, weightDecay: 1.0}
      evaluationExamples: 21
    claims:
      - {name: sufficient, method: {name: greedy-circuit, threshold: 0.9, restarts: 2}, statistic: faithfulness}
      - {name: sparse, method: {name: greedy-circuit, threshold: 0.9, ablation: mean}, statistic: circuitFraction}
      - {name: agreed, method: {name: greedy-circuit, restarts: 3}, statistic: restartAgreement}
    nulls:
      - {family: random-circuits, K: 6}
      - {family: random-init, K: 4}
    resampling: {bootstrap: 200}
    """

    /// The search a claim runs on `model`: the problem resampled and the restarts shuffled from the
    /// claim's method stream (`seed → "method" → claim`; the site names only a stage).
    static func search(_ model: Transformer, subject: TransformerSubject, claim: String, threshold: Double, restarts: Int,
                       ablation: GreedyCircuitSearch.Ablation) throws -> (GreedyCircuitSearch.Problem, GreedyCircuitSearch.Result) {
        let pairs = try #require(subject.counterfactuals)
        let stream = RandomStream(seed: 5, path: ["method", .label(claim)])
        let problem = GreedyCircuitSearch.transformerComponents(model, tokens: subject.evaluation.flatMap { $0 }, batch: 21, length: 2,
                                                                targets: pairs.correct, ablation: ablation, stream: stream.derived("resample"))
        let result = try GreedyCircuitSearch(threshold: threshold, restarts: restarts, seed: stream.derived("greedy-circuit").seed).run(problem)
        return (problem, result)
    }

    @Test func valuesAreThoseOfADirectSearchOnEachModel() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        // random-circuits tests faithfulness only: 1 + 1 + 1 + 1 tests.
        #expect(result.tests.map(\.id).sorted() == ["agreed@blocks.1.resid~random-init", "sparse@blocks.1.resid~random-init",
                                                    "sufficient@blocks.1.resid~random-circuits", "sufficient@blocks.1.resid~random-init"])
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        let model = subject.trained[0]
        let (problem, found) = try Self.search(model, subject: subject, claim: "sufficient", threshold: 0.9, restarts: 2, ablation: .zero)
        let sufficient = try #require(result.tests.first { $0.id == "sufficient@blocks.1.resid~random-circuits" })
        #expect(sufficient.estimate == found.circuits[0].faithfulness && sufficient.estimate >= 0.9)
        #expect(sufficient.statistic == "faithfulness" && sufficient.direction == "larger")
        // Null draw k: a circuit of the found one's size, its components drawn from the method stream.
        let size = found.circuits[0].kept.count, components = found.components.count
        let draws = (0..<6).map { k -> Double in
            var draw = RandomStream(seed: 5, path: ["method", "sufficient"]).derived("random-circuits", .index(k))
            let kept = Set(draw.subset(of: components, count: size))
            return problem.accuracy(Set(0..<components).subtracting(kept)) / found.fullAccuracy
        }
        #expect(sufficient.null.values == draws)
        #expect(sufficient.interval == nil && sufficient.intervalMethod == "not resampled", "\(sufficient.intervalMethod)")

        let sparse = try #require(result.tests.first { $0.id == "sparse@blocks.1.resid~random-init" })
        let (_, mean) = try Self.search(model, subject: subject, claim: "sparse", threshold: 0.9, restarts: 1, ablation: .mean)
        #expect(sparse.estimate == Double(mean.circuits[0].kept.count) / Double(mean.components.count))
        var zeroAccuracy = 0
        let nullDraws = try (0..<4).map { k -> Double in
            let null = NullModels.reinitialized(model, stream: RandomStream(seed: 5, path: ["null", "random-init", .index(k)]))
            let pairs = try #require(subject.counterfactuals)
            let problem = GreedyCircuitSearch.transformerComponents(null, tokens: subject.evaluation.flatMap { $0 }, batch: 21, length: 2, targets: pairs.correct,
                                                                    ablation: .mean, stream: RandomStream(seed: 5, path: ["method", "sparse"]).derived("resample"))
            // A network with no correct answer has an empty circuit by convention.
            if problem.accuracy([]) == 0 { zeroAccuracy += 1; return 0 }
            let (_, r) = try Self.search(null, subject: subject, claim: "sparse", threshold: 0.9, restarts: 1, ablation: .mean)
            return Double(r.circuits[0].kept.count) / Double(r.components.count)
        }
        #expect(sparse.null.values == nullDraws)
        print("circuit test: trained accuracy \(found.fullAccuracy), \(zeroAccuracy) of 4 random-init nulls with accuracy 0")
        let agreed = try #require(result.tests.first { $0.id == "agreed@blocks.1.resid~random-init" })
        let (_, three) = try Self.search(model, subject: subject, claim: "agreed", threshold: 0.9, restarts: 3, ablation: .zero)
        #expect(agreed.estimate == three.meanJaccard)
    }

    @Test func anMLPsHiddenUnitsAreItsComponents() async throws {
        let spec = try AuditSpec.parse(yaml: """
            name: mlp-circuits
            seed: 8
            model:
              task: planted-concepts
              taskOptions: {examples: 200, concepts: 2, dimension: 6, labelConcepts: [0]}
              hidden: [6]
              training: {epochs: 20, seeds: 1}
              evaluationExamples: 60
            claims:
              - {name: sparse, method: {name: greedy-circuit, threshold: 0.95}, sites: [layers.0.post], statistic: circuitFraction}
            nulls:
              - {family: random-init, K: 3}
            """)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 1) as? NetworkSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        let labels = try subject.labelledRows("evaluation").labels.map(Float.init)
        let stream = RandomStream(seed: 8, path: ["method", "sparse"])
        func fraction(_ model: MLP) throws -> Double {
            let problem = GreedyCircuitSearch.mlpNodes(model, inputs: subject.evaluationInputs, targets: labels, ablation: .zero, stream: stream.derived("resample"))
            let found = try GreedyCircuitSearch(threshold: 0.95, restarts: 1, seed: stream.derived("greedy-circuit").seed).run(problem)
            #expect(found.components.count == 6)
            return Double(found.circuits[0].kept.count) / 6
        }
        #expect(result.tests[0].estimate == (try fraction(subject.trained[0])))
        #expect(result.tests[0].null.values == (try (0..<3).map { k in
            try fraction(NullModels.reinitialized(subject.trained[0], stream: RandomStream(seed: 8, path: ["null", "random-init", .index(k)])))
        }))
    }

    @Test func claimsTheSearchCannotTakeAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "c.yaml", edit) }
        let one = refusal { $0.replacingOccurrences(of: "{name: greedy-circuit, restarts: 3}", with: "{name: greedy-circuit}") }
        #expect(one.contains("claims[2].method.restarts") && one.contains("at least 2"), "\(one)")
        let threshold = refusal { $0.replacingOccurrences(of: "threshold: 0.9, restarts: 2", with: "threshold: 0, restarts: 2") }
        #expect(threshold.contains("claims[0].method.threshold") && threshold.contains("(0, 1]"), "\(threshold)")
        let ablation = refusal { $0.replacingOccurrences(of: "ablation: mean", with: "ablation: noise") }
        #expect(ablation.contains("ablation") && ablation.contains("zero, mean, resample"), "\(ablation)")
        let onlyRandom = refusal { $0.replacingOccurrences(of: "  - {family: random-init, K: 4}\n", with: "") }
        #expect(onlyRandom.contains("claims[1].statistic") && onlyRandom.contains("faithfulness only"), "\(onlyRandom)")
        let gaussian = refusal { $0.replacingOccurrences(of: "{family: random-init, K: 4}", with: "{family: gaussian-activations, K: 4}") }
        #expect(gaussian.contains("nulls[1].family"), "\(gaussian)")
        let files = refusal { _ in
            "name: f\nmodel: {activations: {trained: a.npy}}\nclaims: [{name: c, method: {name: greedy-circuit}, sites: [x]}]\nnulls: [{family: supplied, K: 2}]\n"
        }
        #expect(files.contains("claims[0].method") && files.contains("components can be ablated"), "\(files)")
    }

    /// Calibration of the search's other statistics against random-init: `circuitFraction` and
    /// `restartAgreement` with the "trained" network one more random-init draw. Both take few
    /// values (fractions of 12 units, overlaps of 3 restarts), so ties make the test conservative:
    /// the rate is checked from above and printed.
    @Test(arguments: [("circuitFraction", "threshold: 0.9"), ("restartAgreement", "threshold: 0.9, restarts: 3")])
    func theSearchsStatisticsOnARandomInitDrawAreDistinguishableAtMostFivePercentOfTheTime(statistic: String, method: String) async throws {
        let (distinguishable, band) = try await calibrationCount(audits: 400) { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(15000 + r)
                model:
                  task: planted-concepts
                  taskOptions: {examples: 40, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
                  hidden: [12]
                  training: {epochs: 5, seeds: 1}
                  evaluationExamples: 49
                claims:
                  - {name: c, method: {name: greedy-circuit, \(method)}, sites: [layers.0.post], statistic: \(statistic)}
                nulls:
                  - {family: random-init, K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(distinguishable <= band.upperBound, "\(distinguishable) of 400 distinguishable, 99.9 % band \(band)")
        print("calibration: circuit \(statistic) against random-init \(distinguishable)/400, 99.9 % band for 5 %: \(band)")
    }

    /// Calibration of the sufficiency test: with the "trained" circuit one more random circuit of
    /// the found one's size, faithfulness is called distinguishable at α = 0.05 at most at the upper
    /// end of the binomial 99.9 % band. Faithfulness takes few values (accuracies on 49 rows), and
    /// ties count against the trained value, so the test is conservative: the rate is checked from
    /// above and printed.
    @Test func aRandomCircuitIsNotCalledBetterThanRandomCircuits() async throws {
        let n = 400
        let (distinguishable, band) = try await calibrationCount(audits: n, family: "random-circuits") { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(13000 + r)
                model:
                  task: planted-concepts
                  taskOptions: {examples: 40, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
                  hidden: [12]
                  training: {epochs: 5, seeds: 1}
                  evaluationExamples: 49
                claims:
                  - {name: c, method: {name: greedy-circuit, threshold: 0.9}, sites: [layers.0.post], statistic: faithfulness}
                nulls:
                  - {family: random-circuits, K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(distinguishable <= band.upperBound, "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: circuit faithfulness against random-circuits \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }
}
