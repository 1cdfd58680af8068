import Foundation
import Testing
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics

/// Interchange-intervention claims on hierarchical equality: the subject's pairs, the values
/// against a direct search on the same networks with the claim's streams, the untrained-map null,
/// the spec's refusals, and calibration.
@Suite struct InterchangeInterventionAuditTests {
    static let yaml = """
    name: das
    seed: 5
    model:
      task: hierarchical-equality
      taskOptions: {vocabulary: 8, examples: 120}
      transformer: {dimension: 8, heads: 2, layers: 1}
      training: {epochs: 5, batchSize: 40, learningRate: 0.003}
      evaluationExamples: 30
    claims:
      - {name: left, method: {name: distributed-alignment-search, variable: left, dimensions: 2, epochs: 3, batchSize: 40}, sites: [blocks.0.resid@1, blocks.0.mlp.out@3]}
      - {name: right, method: {name: distributed-alignment-search, variable: right, map: revnet, hidden: 6, couplings: 2, epochs: 2, batchSize: 60}, sites: [blocks.0.resid@3]}
    nulls:
      - {family: random-init, K: 3}
      - {family: untrained-map, K: 2}
    resampling: {bootstrap: 100}
    """

    @Test func thePairsAnswerAsTheHighLevelModelWithTheVariableTakenFromTheSource() throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        func equal(_ s: [Int], _ half: Int) -> Bool { s[2 * half] == s[2 * half + 1] }
        for (column, variable) in ["left", "right"].enumerated() {
            let (training, evaluation) = try subject.interchangePairs(variable: variable)
            #expect(training.count == 120 && evaluation.count == 30)
            #expect(evaluation.base == subject.evaluation)
            let held = Set(subject.evaluation)
            #expect(training.base.allSatisfy { !held.contains($0) || true } && training.source.allSatisfy { s in training.base.contains(s) })
            #expect(evaluation.source.allSatisfy { held.contains($0) })
            for p in [training, evaluation] {
                for r in 0..<p.count {
                    let value = equal(p.source[r], column), other = equal(p.base[r], 1 - column)
                    #expect(p.correct[r] == (value == other ? 1 : 0) && p.wrong[r] == 1 - p.correct[r])
                }
            }
        }
        // Activation patching's pairs: the corruption flips left, and with it the answer.
        let pairs = try #require(subject.counterfactuals)
        for (c, k) in zip(pairs.clean, pairs.corrupted) {
            #expect(equal(c, 0) != equal(k, 0) && c[0] == k[0] && c[2...] == k[2...] && (2..<8).contains(k[1]))
        }
        #expect(pairs.wrong == pairs.correct.map { 1 - $0 })
    }

    @Test func valuesAreTheSearchOfEachModelWithTheClaimsStreams() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 3 * 2)
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        let (training, evaluation) = try subject.interchangePairs(variable: "left")
        func rotationIIA(_ model: Transformer, site: String, position: Int, trainedMap: Bool, mapStream: RandomStream, order: RandomStream) throws -> Double {
            let search = try DistributedAlignmentSearch(model: model, site: site, position: position, length: 4)
            var map = RotationAlignment(dimension: 8, intervened: 2, stream: mapStream)
            if trainedMap { map = try search.fit(map, pairs: training, training: AlignmentTraining(epochs: 3, batchSize: 40, learningRate: 0.01), stream: order).map }
            return DistributedAlignmentSearch.interchangeAccuracy(try search.logitDifferences(map, pairs: evaluation))
        }
        let method = RandomStream(seed: 5, path: ["method", "left", "blocks.0.resid@1"])
        let trained = try rotationIIA(subject.trained[0], site: "blocks.0.resid", position: 1, trainedMap: true,
                                      mapStream: method.derived("map"), order: method.derived("order"))
        let test = try #require(result.tests.first { $0.id == "left@blocks.0.resid@1~random-init" })
        #expect(abs(test.estimate - trained) <= 1e-12)
        // Null 1 of random-init: a GPT-2 initialization, fitted from the same map and order.
        let random = NullModels.reinitialized(subject.trained[0], stream: RandomStream(seed: 5, path: ["null", "random-init", .index(1)]))
        #expect(abs(test.null.values[1] - (try rotationIIA(random, site: "blocks.0.resid", position: 1, trainedMap: true,
                                                            mapStream: method.derived("map"), order: method.derived("order")))) <= 1e-12)
        // Null 1 of untrained-map: the trained network through a map left at its initialization.
        let untrained = try #require(result.tests.first { $0.id == "left@blocks.0.resid@1~untrained-map" })
        #expect(abs(untrained.null.values[1] - (try rotationIIA(subject.trained[0], site: "blocks.0.resid", position: 1, trainedMap: false,
                                                                mapStream: method.derived("untrained-map", .index(1)), order: method))) <= 1e-12)
        for t in result.tests { #expect((0...1).contains(t.estimate) && t.null.values.allSatisfy { (0...1).contains($0) }) }
    }

    @Test func variablesSitesAndMapsTheSearchCannotTakeAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "d.yaml", edit) }
        let missing = refusal { $0.replacingOccurrences(of: "variable: left, ", with: "") }
        #expect(missing.contains("method.variable") && missing.contains("needs the causal variable"), "\(missing)")
        let unknown = refusal { $0.replacingOccurrences(of: "variable: left,", with: "variable: middle,") }
        #expect(unknown.contains("claims[0].method.variable") && unknown.contains("'middle'"), "\(unknown)")
        let whole = refusal { $0.replacingOccurrences(of: "blocks.0.mlp.out@3", with: "blocks.0.mlp.out") }
        #expect(whole.contains("claims.left.sites") && whole.contains("SITE@p"), "\(whole)")
        let position = refusal { $0.replacingOccurrences(of: "blocks.0.mlp.out@3", with: "blocks.0.mlp.out@4") }
        #expect(position.contains("claims.left.sites") && position.contains("position 4"), "\(position)")
        let readOnly = refusal { $0.replacingOccurrences(of: "blocks.0.mlp.out@3", with: "blocks.0.resid.mid@3") }
        #expect(readOnly.contains("not a site a forward pass replaces"), "\(readOnly)")
        let wide = refusal { $0.replacingOccurrences(of: "dimensions: 2,", with: "dimensions: 9,") }
        #expect(wide.contains("claims[0].method.dimensions") && wide.contains("1 … 8"), "\(wide)")
        let shape = refusal { $0.replacingOccurrences(of: "dimensions: 2,", with: "dimensions: 2, hidden: 4,") }
        #expect(shape.contains("claims[0].method") && shape.contains("RevNet"), "\(shape)")
        let map = refusal { $0.replacingOccurrences(of: "map: revnet", with: "map: flow") }
        #expect(map.contains("map") && map.contains("rotation or revnet") && map.contains("'flow'"), "\(map)")
        let key = refusal { $0.replacingOccurrences(of: "dimensions: 2,", with: "dimension: 2,") }
        #expect(key.contains("dimension"), "\(key)")
        let rate = refusal { $0.replacingOccurrences(of: "epochs: 3, batchSize: 40}", with: "epochs: 3, batchSize: 40, learningRate: 0}") }
        #expect(rate.contains("claims[0].method.learningRate"), "\(rate)")
        let gaussian = refusal { $0.replacingOccurrences(of: "{family: untrained-map, K: 2}", with: "{family: gaussian-activations, K: 2}") }
        #expect(gaussian.contains("nulls[1].family") && gaussian.contains("runs the network itself"), "\(gaussian)")
        let task = refusal { $0.replacingOccurrences(of: "task: hierarchical-equality\n  taskOptions: {vocabulary: 8, examples: 120}", with: "task: modular-addition\n  taskOptions: {modulus: 7, examples: 10}")
            .replacingOccurrences(of: "evaluationExamples: 30", with: "evaluationExamples: 12").replacingOccurrences(of: "@3", with: "@1") }
        #expect(task.contains("method.variable") && task.contains("hierarchical-equality"), "\(task)")
        let tokens = refusal { $0.replacingOccurrences(of: "{vocabulary: 8, examples: 120}", with: "{vocabulary: 8, tokens: 3, examples: 120}") }
        #expect(tokens.contains("model.taskOptions.tokens"), "\(tokens)")
        let small = refusal { $0.replacingOccurrences(of: "{vocabulary: 8, examples: 120}", with: "{vocabulary: 3, examples: 120}") }
        #expect(small.contains("model.taskOptions.vocabulary") && small.contains("4 …"), "\(small)")
        let mlp = refusal { _ in
            "name: mlp\nmodel: {task: planted-concepts, hidden: [4]}\nclaims: [{name: c, method: {name: distributed-alignment-search, variable: left}, sites: [layers.0.post]}]\nnulls: [{family: random-init, K: 2}]\n"
        }
        #expect(mlp.contains("claims[0].method") && (mlp.contains("interchange") || mlp.contains("hierarchical-equality")), "\(mlp)")
    }

    /// A calibration audit: a barely trained 1-block transformer of width `dimension` on
    /// hierarchical equality over 4 symbols, `pairs` held-out pairs, one rotation claim (its
    /// `method` keys) at the last position against K = 19 draws of `family`.
    static func calibrationSpec(seed: Int, dimension: Int, pairs: Int, family: String, method: String) throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: calibration
            seed: \(seed)
            model:
              task: hierarchical-equality
              taskOptions: {vocabulary: 6, examples: 48}
              transformer: {dimension: \(dimension), heads: 1, layers: 1}
              training: {epochs: 1, batchSize: 48}
              evaluationExamples: \(pairs)
            claims:
              - {name: c, method: {name: distributed-alignment-search, variable: left, \(method)}, sites: [blocks.0.resid@3]}
            nulls:
              - {family: \(family), K: 19}
            resampling: {bootstrap: 100, interval: percentile}
            """, file: "calibration")
    }

    /// Calibration: with the "trained" transformer one more random-init draw, a rotation's IIA is
    /// called distinguishable at α = 0.05 at a rate inside the binomial 99.9 % band (K = 19, one
    /// test) among the audits whose largest value is unique (IIA is discrete and ties count as
    /// extreme: ``tieAwareCalibration(audits:family:index:spec:)``).
    @Test func anIIAClaimOnARandomInitTrainedModelIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let (distinguishable, eligible, band) = try await tieAwareCalibration(audits: n) { r in
            try Self.calibrationSpec(seed: 12000 + r, dimension: 4, pairs: 200, family: "random-init",
                                     method: "dimensions: 1, epochs: 2, batchSize: 24, learningRate: 0.05")
        }
        #expect(eligible >= 300 && band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        print("calibration: interchange-intervention accuracy against random-init \(distinguishable)/\(eligible) eligible of \(n), 99.9 % band for 5 %: \(band)")
    }

    /// Calibration of the estimator-level null: with the "trained" value one more untrained
    /// rotation on the trained network (exchangeable with the untrained-map draws), IIA is called
    /// distinguishable at a rate inside the binomial 99.9 % band (K = 19, one test) among the
    /// audits whose largest value is unique.
    @Test func anIIAClaimWhoseMapIsOneMoreUntrainedDrawIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let (distinguishable, eligible, band) = try await tieAwareCalibration(audits: n, family: "untrained-map") { r in
            try Self.calibrationSpec(seed: 13000 + r, dimension: 8, pairs: 100, family: "untrained-map", method: "dimensions: 4")
        }
        #expect(eligible >= 100 && band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        print("calibration: interchange-intervention accuracy against untrained-map \(distinguishable)/\(eligible) eligible of \(n), 99.9 % band for 5 %: \(band)")
    }
}
