import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import SalmonTasks
import Testing

/// Neuron-ablation claims on a bias-free square MLP trained on one-hot modular addition with
/// corrupted labels (Doshi et al. 2023's setting, small): the task's subsets, the values against a
/// direct ``NeuronAblation`` of each model, the spec's refusals, and calibration against a model
/// null and the method-level null `random-units`.
@Suite struct NeuronAblationAuditTests {
    static let yaml = """
    name: ablation
    seed: 6
    model:
      task: modular-addition-one-hot
      taskOptions: {modulus: 11, examples: 60, corruption: 0.25}
      evaluationExamples: 61
      hidden: [24]
      activation: square
      bias: false
      initialization: "normal:0.11"
      training: {epochs: 60, batchSize: 60, learningRate: 0.01, weightDecay: 0.0, beta2: 0.98, loss: mse-one-hot, seeds: 2}
    sites: [layers.0.post]
    claims:
      - {name: memorized, method: {name: neuron-ablation, score: fourier-ipr, count: 8, subset: training-corrupted}, statistic: accuracyDrop}
      - {name: kept, method: {name: neuron-ablation, score: weight-norm, select: highest, count: 5, subset: evaluation}, statistic: accuracyChange}
      - {name: accuracy, method: {name: neuron-ablation, count: 0, subset: training-clean}, statistic: ablatedAccuracy}
    nulls:
      - {family: random-units, K: 8}
      - {family: random-init, K: 6}
    resampling: {bootstrap: 200}
    """

    @Test func subsetsAndValuesAreThoseOfADirectAblationOfEachModel() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? NetworkSubject)
        #expect(subject.trained.allSatisfy { !$0.hasBias && $0.hiddenActivation == .square && $0.sizes == [22, 24, 11] })
        // The task: 60 training rows, ⌊0.25 · 60⌋ = 15 of them with a wrong label.
        let corrupted = try subject.labelledRows("training-corrupted"), clean = try subject.labelledRows("training-clean")
        #expect(corrupted.labels.count == 15 && clean.labels.count == 45)
        func pair(_ x: Tensor, _ r: Int) -> (Int, Int) {
            let row = Array(x.scalars[(r * 22)..<(r * 22 + 22)])
            return (row[0..<11].firstIndex(of: 1) ?? -1, (row[11..<22].firstIndex(of: 1) ?? -1) - 11)
        }
        for r in 0..<15 { let (a, b) = pair(corrupted.inputs, r); #expect(corrupted.labels[r] != (a + b) % 11) }
        for r in 0..<45 { let (a, b) = pair(clean.inputs, r); #expect(clean.labels[r] == (a + b) % 11) }
        let evaluation = try subject.labelledRows("evaluation")
        for r in 0..<61 { let (a, b) = pair(evaluation.inputs, r); #expect(evaluation.labels[r] == (a + b) % 11) }

        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 2 * 2 + 1, "count 0 is not tested against random-units")
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        func accuracyDrop(_ model: MLP, units: [Int]) throws -> Double {
            let ablation = try NeuronAblation(model: model, layer: 0)
            return Descriptive.mean(try ablation.correctness(inputs: corrupted.inputs, labels: corrupted.labels, ablating: []))
                - Descriptive.mean(try ablation.correctness(inputs: corrupted.inputs, labels: corrupted.labels, ablating: units))
        }
        func lowestIPR(_ model: MLP) throws -> [Int] {
            NeuronAblation.units(scores: try FourierParticipation(length: 11).modularAdditionScores(model), count: 8, selection: .lowest)
        }
        // Two trained seeds: the estimate is their mean; the null draws average two null models.
        let memorized = try #require(result.tests.first { $0.id == "memorized@layers.0.post~random-init" })
        let trainedValues = try subject.trained.map { try accuracyDrop($0, units: lowestIPR($0)) }
        #expect(abs(memorized.estimate - Descriptive.mean(trainedValues)) < 1e-12)
        let initializer = Initializer.normal(standardDeviation: 0.11)
        let draws = try (0..<3).map { k -> Double in
            let models = (0..<2).map { s in
                NullModels.reinitialized(subject.trained[s], initializer: initializer,
                                         stream: RandomStream(seed: 6, path: ["null", "random-init", .index(k * 2 + s)]))
            }
            return Descriptive.mean(try models.map { try accuracyDrop($0, units: lowestIPR($0)) })
        }
        #expect(memorized.null.values.count == 3)
        #expect(zip(memorized.null.values, draws).allSatisfy { abs($0 - $1) < 1e-12 }, "\(memorized.null.values) vs \(draws)")
        let random = try #require(result.tests.first { $0.id == "memorized@layers.0.post~random-units" })
        #expect(random.null.values.count == 4 && Set(random.null.values).count > 1)
        #expect(result.tests.first { $0.id == "accuracy@layers.0.post~random-units" } == nil)
        // Null draw j averages null models 2j and 2j + 1 (K = 6 models: 3 draws of K_t = 2).
        let accuracy = try #require(result.tests.first { $0.id == "accuracy@layers.0.post~random-init" })
        let intact = try subject.trained.map { try NeuronAblation(model: $0, layer: 0).correctness(inputs: clean.inputs, labels: clean.labels, ablating: []) }
        #expect(abs(accuracy.estimate - Descriptive.mean(intact.map(Descriptive.mean))) < 1e-12)
    }

    @Test func claimsTheAblationCannotTakeAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "a.yaml", edit) }
        let tooMany = refusal { $0.replacingOccurrences(of: "count: 8,", with: "count: 25,") }
        #expect(tooMany.contains("claims[0].method.count") && tooMany.contains("24 units"), "\(tooMany)")
        let site = refusal { $0.replacingOccurrences(of: "sites: [layers.0.post]", with: "sites: [layers.0.pre]") }
        #expect(site.contains("claims.memorized.sites") && site.contains("layers.0–0.post"), "\(site)")
        let score = refusal { $0.replacingOccurrences(of: "score: fourier-ipr", with: "score: fourier") }
        #expect(score.contains("score") && score.contains("fourier-ipr, weight-norm"), "\(score)")
        let missing = refusal { $0.replacingOccurrences(of: "count: 8, ", with: "") }
        #expect(missing.contains("count") && missing.contains("number of units"), "\(missing)")
        let clean = refusal { $0.replacingOccurrences(of: "corruption: 0.25", with: "corruption: 0") }
        #expect(clean.contains("claims[0].method.subset") && clean.contains("corruption > 0"), "\(clean)")
        let onlyRandomUnits = refusal { $0.replacingOccurrences(of: "  - {family: random-init, K: 6}\n", with: "") }
        #expect(onlyRandomUnits.contains("claims[2].method.count") && onlyRandomUnits.contains("model nulls only"), "\(onlyRandomUnits)")
        let other = refusal { _ in
            "name: p\nmodel: {task: planted-concepts, hidden: [4]}\nclaims: [{name: m, method: {name: neuron-ablation, score: fourier-ipr, count: 1}, sites: [layers.0.post]}]\nnulls: [{family: random-units, K: 2}]\n"
        }
        #expect(other.contains("claims[0].method.score") && other.contains("modular-addition-one-hot"), "\(other)")
        let transformer = refusal { _ in
            "name: t\nmodel: {task: modular-addition, taskOptions: {modulus: 7, examples: 20}, evaluationExamples: 20}\nclaims: [{name: m, method: {name: neuron-ablation, count: 1}, sites: [blocks.0.resid]}]\nnulls: [{family: random-init, K: 2}]\n"
        }
        // A transformer's units are those of its blocks' MLPs, not its residual stream.
        #expect(transformer.contains("claims.m.sites") && transformer.contains("blocks.0–0.mlp.hidden"), "\(transformer)")
        let initialization = refusal { $0.replacingOccurrences(of: "\"normal:0.11\"", with: "\"normal:-1\"") }
        #expect(initialization.contains("model.initialization") && initialization.contains("normal:SD"), "\(initialization)")
        let loss = refusal { $0.replacingOccurrences(of: "loss: mse-one-hot", with: "loss: mse") }
        #expect(loss.contains("model.training.loss") && loss.contains("cross-entropy or mse-one-hot"), "\(loss)")
        let gaussian = refusal { $0.replacingOccurrences(of: "{family: random-init, K: 6}", with: "{family: gaussian-activations, K: 6}") }
        #expect(gaussian.contains("nulls[1].family"), "\(gaussian)")
    }

    /// Calibration of the other statistics and the other score: `accuracyDrop` (fourier-ipr) on
    /// the training rows and `ablatedAccuracy` (weight-norm, highest) on the evaluation rows, with
    /// the "trained" network one more random-init draw. Accuracies on a few rows tie, and ties count
    /// against the trained value, so the rate is checked from above and printed.
    @Test(arguments: [("accuracyDrop", "score: fourier-ipr, count: 16, subset: training"),
                      ("ablatedAccuracy", "score: weight-norm, select: highest, count: 16, subset: evaluation")])
    func theOtherStatisticsOnANullDrawAreDistinguishableAtMostFivePercentOfTheTime(statistic: String, method: String) async throws {
        let (distinguishable, band) = try await calibrationCount(audits: 400) { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(14000 + r)
                model:
                  task: modular-addition-one-hot
                  taskOptions: {modulus: 11, examples: 20, corruption: 0.3}
                  evaluationExamples: 100
                  hidden: [48]
                  activation: square
                  bias: false
                  training: {epochs: 3, batchSize: 20, loss: mse-one-hot}
                claims:
                  - {name: c, method: {name: neuron-ablation, \(method)}, sites: [layers.0.post], statistic: \(statistic)}
                nulls:
                  - {family: random-init, K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(distinguishable <= band.upperBound, "\(distinguishable) of 400 distinguishable, 99.9 % band \(band)")
        print("calibration: neuron ablation \(statistic) against random-init \(distinguishable)/400, 99.9 % band for 5 %: \(band)")
    }

    /// Calibration: with the "trained" models one more draw of the null, a pruning claim is called
    /// distinguishable at α = 0.05 at a rate inside the binomial 99.9 % band (K = 19, one test) —
    /// against random-init (the whole procedure on a fresh network) and against random-units (the
    /// trained network with as many units drawn at random).
    @Test(arguments: ["random-init", "random-units"])
    func aPruningClaimOnANullDrawIsDistinguishableFivePercentOfTheTime(family: String) async throws {
        let n = 400
        let (distinguishable, band) = try await calibrationCount(audits: n, family: family) { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(12000 + r)
                model:
                  task: modular-addition-one-hot
                  taskOptions: {modulus: 11, examples: 20, corruption: 0.3}
                  evaluationExamples: 100
                  hidden: [48]
                  activation: square
                  bias: false
                  training: {epochs: 3, batchSize: 20, loss: mse-one-hot}
                claims:
                  - {name: c, method: {name: neuron-ablation, score: fourier-ipr, count: 16, subset: evaluation}, sites: [layers.0.post], statistic: accuracyChange}
                nulls:
                  - {family: \(family), K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: neuron ablation against \(family) \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }
    /// A transformer's MLP units: modular addition with corrupted labels, the weight-norm score at
    /// `blocks.0.mlp.hidden`, accuracy on the corrupted training rows (next token at the last
    /// position); values equal a direct ``NeuronAblation`` of each model, and the subsets split
    /// the training sequences by the task's record of corruption.
    @Test func aTransformersMLPUnitsAreAblatedOnItsSubsets() async throws {
        let spec = try AuditSpec.parse(yaml: """
            name: transformer-ablation
            seed: 9
            model:
              task: modular-addition
              taskOptions: {modulus: 11, examples: 80, corruption: 0.3}
              transformer: {dimension: 16, heads: 2, layers: 1, hidden: 32}
              training: {epochs: 150, batchSize: 80, learningRate: 0.01, seeds: 2}
              evaluationExamples: 30
            sites: [blocks.0.mlp.hidden]
            claims:
              - {name: memorized, method: {name: neuron-ablation, score: weight-norm, count: 8, subset: training-corrupted}, statistic: accuracyDrop}
              - {name: general, method: {name: neuron-ablation, score: weight-norm, select: highest, count: 4, subset: evaluation}, statistic: accuracyChange}
            nulls:
              - {family: random-units, K: 6}
              - {family: random-init, K: 4}
            resampling: {bootstrap: 100}
            """)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let corrupted = try subject.labelledRows("training-corrupted"), clean = try subject.labelledRows("training-clean")
        let all = try subject.labelledRows("training"), evaluation = try subject.labelledRows("evaluation")
        #expect(corrupted.labels.count + clean.labels.count == 80 && corrupted.labels.count >= 10, "\(corrupted.labels.count) corrupted of 80")
        #expect(corrupted.inputs.shape == [corrupted.labels.count, 2] && all.inputs.shape == [80, 2] && evaluation.inputs.shape == [30, 2])
        func sums(_ rows: (inputs: Tensor, labels: [Int])) -> [(Int, Int)] {
            rows.labels.indices.map { r in ((Int(rows.inputs.scalars[2 * r]) + Int(rows.inputs.scalars[2 * r + 1])) % 11, rows.labels[r]) }
        }
        #expect(sums(corrupted).allSatisfy { $0.0 != $0.1 } && sums(clean).allSatisfy { $0.0 == $0.1 } && sums(evaluation).allSatisfy { $0.0 == $0.1 })

        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.map(\.id).sorted() == ["general@blocks.0.mlp.hidden~random-init", "general@blocks.0.mlp.hidden~random-units",
                                                    "memorized@blocks.0.mlp.hidden~random-init", "memorized@blocks.0.mlp.hidden~random-units"])
        func drop(_ model: Transformer, units: [Int]) throws -> Double {
            let ablation = try NeuronAblation(model: model, layer: 0)
            let intact = try ablation.correctness(inputs: corrupted.inputs, labels: corrupted.labels, ablating: [])
            return Descriptive.mean(zip(intact, try ablation.correctness(inputs: corrupted.inputs, labels: corrupted.labels, ablating: units)).map { $0 - $1 })
        }
        func lowest(_ model: Transformer) -> [Int] { NeuronAblation.units(scores: model.unitWeightNorms(layer: 0), count: 8, selection: .lowest) }
        let memorized = try #require(result.tests.first { $0.id == "memorized@blocks.0.mlp.hidden~random-units" })
        let trained = try subject.trained.map { try drop($0, units: lowest($0)) }
        #expect(memorized.trainedValues == trained)
        // Null draw j averages null models 2j and 2j + 1 (K_t = 2); model k runs on trained network k mod 2.
        let units = try (0..<6).map { k in
            try drop(subject.trained[k % 2], units: NeuronAblation.randomUnits(width: 32, count: 8,
                     stream: RandomStream(seed: 9, path: ["method", "memorized", "blocks.0.mlp.hidden", "random-units", .index(k)])))
        }
        #expect(memorized.null.values == (0..<3).map { Descriptive.mean([units[2 * $0], units[2 * $0 + 1]]) })
        let randomInit = try #require(result.tests.first { $0.id == "memorized@blocks.0.mlp.hidden~random-init" })
        let nulls = try (0..<4).map { k in
            let null = NullModels.reinitialized(subject.trained[k % 2], stream: RandomStream(seed: 9, path: ["null", "random-init", .index(k)]))
            return try drop(null, units: lowest(null))
        }
        #expect(randomInit.null.values == (0..<2).map { Descriptive.mean([nulls[2 * $0], nulls[2 * $0 + 1]]) })
        let accuracy = try subject.trained.map { m in Descriptive.mean(try NeuronAblation(model: m, layer: 0).correctness(inputs: evaluation.inputs, labels: evaluation.labels, ablating: [])) }
        print("transformer neuron ablation: held-out accuracy \(accuracy), drop on corrupted rows \(trained), random units \(memorized.null.values)")
    }

    @Test func aTransformerClaimAtAnotherSiteOrScoreIsRefusedNamingTheField() throws {
        let yaml = """
            name: t
            seed: 9
            model:
              task: induction
              transformer: {dimension: 16, heads: 2, layers: 2}
              training: {epochs: 1}
            sites: [blocks.1.mlp.hidden]
            claims:
              - {name: c, method: {name: neuron-ablation, score: weight-norm, count: 8, subset: evaluation}, statistic: accuracyChange}
            nulls:
              - {family: random-init, K: 4}
            """
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: yaml, file: "t.yaml", edit) }
        let site = refusal { $0.replacingOccurrences(of: "sites: [blocks.1.mlp.hidden]", with: "sites: [blocks.1.resid]") }
        #expect(site.contains("claims.c.sites") && site.contains("blocks.0–1.mlp.hidden"), "\(site)")
        let block = refusal { $0.replacingOccurrences(of: "sites: [blocks.1.mlp.hidden]", with: "sites: [blocks.2.mlp.hidden]") }
        #expect(block.contains("claims.c.sites") && block.contains("blocks.2.mlp.hidden"), "\(block)")
        let count = refusal { $0.replacingOccurrences(of: "count: 8", with: "count: 65") }
        #expect(count.contains("claims[0].method.count") && count.contains("64 units"), "\(count)")
        let ipr = refusal { $0.replacingOccurrences(of: "score: weight-norm", with: "score: fourier-ipr") }
        #expect(ipr.contains("claims[0].method.score") && ipr.contains("fourier-ipr"), "\(ipr)")
        let corrupted = refusal { $0.replacingOccurrences(of: "subset: evaluation", with: "subset: training-corrupted") }
        #expect(corrupted.contains("claims[0].method.subset"), "\(corrupted)")
    }

    /// Calibration on a transformer: with the "trained" transformer one more draw of the null, a
    /// weight-norm pruning claim at `blocks.0.mlp.hidden` (the accuracy drop on the training rows)
    /// is called distinguishable at the nominal rate — against random-init and against
    /// random-units (K = 19). Accuracies on finitely many rows tie, and ties count against the
    /// trained value, so among the audits whose largest value is unique the rejections are
    /// Binomial(eligible, 1/20) (``tieAwareCalibration``).
    @Test(arguments: ["random-init", "random-units"])
    func aTransformerPruningClaimOnANullDrawIsDistinguishableAtTheNominalRate(family: String) async throws {
        let (distinguishable, eligible, band) = try await tieAwareCalibration(audits: 400, family: family) { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(18000 + r)
                model:
                  task: modular-addition
                  taskOptions: {modulus: 13, examples: 140, corruption: 0.2}
                  transformer: {dimension: 8, heads: 2, layers: 1, hidden: 32}
                  training: {epochs: 2, batchSize: 70}
                  evaluationExamples: 29
                sites: [blocks.0.mlp.hidden]
                claims:
                  - {name: c, method: {name: neuron-ablation, score: weight-norm, count: 12, subset: training}, statistic: accuracyDrop}
                nulls:
                  - {family: \(family), K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        #expect(eligible >= 40, "only \(eligible) of 400 audits had a unique largest value")
        print("calibration: transformer neuron ablation against \(family) \(distinguishable)/\(eligible) eligible, 99.9 % band for 1/20: \(band)")
    }
}
