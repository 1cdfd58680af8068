import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// Task-accuracy claims: a transformer's and an MLP's accuracy against a direct count of correct
/// answers, the refusals, and calibration.
@Suite struct TaskAccuracyAuditTests {
    @Test func aTransformersAccuracyIsItsCorrectAnswersAtTheLastPosition() async throws {
        let spec = try AuditSpec.parse(yaml: """
            name: accuracy
            seed: 5
            model:
              task: modular-addition
              taskOptions: {modulus: 7, examples: 30}
              transformer: {dimension: 16, heads: 2, layers: 2}
              training: {epochs: 60, batchSize: 30, learningRate: 0.003, weightDecay: 1.0, seeds: 2}
              evaluationExamples: 19
            claims:
              - {name: learned, method: {name: task-accuracy}}
            nulls:
              - {family: random-init, K: 6}
            resampling: {bootstrap: 200}
            """)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let pairs = try #require(subject.counterfactuals)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        func accuracy(_ model: Transformer) -> Double {
            let logits = model.forward(tokens: pairs.clean.flatMap { $0 }, batch: 19, length: 2).logits
            var correct = 0
            for b in 0..<19 {
                let row = Array(logits.scalars[((b * 2 + 1) * 7)..<((b * 2 + 2) * 7)])
                if row.indices.max(by: { row[$0] < row[$1] }) == pairs.correct[b] { correct += 1 }
            }
            return Double(correct) / 19
        }
        let test = try #require(result.tests.first { $0.id == "learned@blocks.1.resid~random-init" })
        #expect(test.estimate == (accuracy(subject.trained[0]) + accuracy(subject.trained[1])) / 2)
        #expect(test.statistic == "accuracy" && test.direction == "larger")
        let draws = (0..<6).map { k in
            accuracy(NullModels.reinitialized(subject.trained[k % 2], stream: RandomStream(seed: 5, path: ["null", "random-init", .index(k)])))
        }
        let expected = [(draws[0] + draws[1]) / 2, (draws[2] + draws[3]) / 2, (draws[4] + draws[5]) / 2]
        #expect(test.null.values.count == 3)
        for (value, draw) in zip(test.null.values, expected) { #expect(abs(value - draw) <= 1e-12) }
        print("task accuracy: trained \(test.estimate), random-init draws \(test.null.values)")
    }

    @Test func anMLPsAccuracyIsItsAccuracyOnTheEvaluationRows() async throws {
        let spec = try AuditSpec.parse(yaml: """
            name: accuracy
            seed: 9
            model:
              task: planted-concepts
              taskOptions: {examples: 200, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
              hidden: [12]
              training: {epochs: 20}
              evaluationExamples: 60
            claims:
              - {name: learned, method: {name: task-accuracy}, sites: [layers.0.post]}
            nulls:
              - {family: random-init, K: 4}
            resampling: {bootstrap: 200}
            """)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 1) as? NetworkSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let problem = try subject.circuitProblem(.trained(seed: 0), site: "layers.0.post", ablation: .zero, stream: RandomStream(seed: 1))
        let test = try #require(result.tests.first)
        #expect(test.estimate == problem.accuracy([]) && test.estimate > 0.7)
        let interval = try #require(test.interval)
        #expect(interval.lower < test.estimate && test.estimate < interval.upper)
        #expect(test.null.values.count == 4)
    }

    @Test func claimsTheAccuracyCannotTakeAreRefusedNamingTheField() throws {
        let yaml = """
            name: accuracy
            model:
              task: modular-addition
              taskOptions: {modulus: 7, examples: 30}
              transformer: {dimension: 16, heads: 2, layers: 2}
              evaluationExamples: 19
            claims:
              - {name: learned, method: {name: task-accuracy}}
            nulls:
              - {family: random-init, K: 6}
            """
        let target = subjectRefusal(of: yaml) { $0.replacingOccurrences(of: "task-accuracy}}", with: "task-accuracy}, target: sum}") }
        #expect(target.contains("claims[0].target") && target.contains("remove 'target'"), "\(target)")
        let key = subjectRefusal(of: yaml) { $0.replacingOccurrences(of: "task-accuracy}}", with: "task-accuracy, rows: 3}}") }
        #expect(key.contains("rows") && key.contains("unknown key"), "\(key)")
        let files = subjectRefusal(of: yaml) { _ in
            "name: f\nmodel: {activations: {trained: a.npy}}\nclaims: [{name: c, method: {name: task-accuracy}, sites: [x]}]\nnulls: [{family: supplied, K: 2}]\n"
        }
        #expect(files.contains("claims[0].method") && files.contains("judged by its answers"), "\(files)")
    }

    /// Calibration: with the "trained" transformer one more random-init draw, its accuracy (on 39
    /// rows: few values, so tie-aware) is called distinguishable at a rate inside the binomial band.
    @Test func aRandomInitDrawsAccuracyIsDistinguishableFivePercentOfTheEligibleTime() async throws {
        let (distinguishable, eligible, band) = try await tieAwareCalibration { r in
            try transformerCalibrationSpec(seed: 19000 + r, claim: "name: c, method: {name: task-accuracy}")
        }
        #expect(eligible >= 50, "\(eligible) audits with a unique largest value")
        #expect(band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        print("calibration: task accuracy against random-init \(distinguishable)/\(eligible) eligible, 99.9 % band for 5 %: \(band)")
    }
}
