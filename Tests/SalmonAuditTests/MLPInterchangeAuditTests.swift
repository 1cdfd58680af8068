import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import SalmonTasks
import Testing

/// Interchange-intervention claims on an MLP trained on hierarchical equality over vectors
/// (Geiger et al. 2024's setting): the pairs, the values against a direct ``MLPAlignmentSearch``
/// with the claim's streams on the trained network, a random-init null and the untrained map,
/// the refusals, and calibration against random-init.
@Suite struct MLPInterchangeAuditTests {
    static let yaml = """
    name: mlp-das
    seed: 7
    model:
      task: hierarchical-equality-vectors
      taskOptions: {examples: 600, dimension: 4}
      hidden: [16, 12]
      training: {epochs: 20, batchSize: 50, learningRate: 0.003}
      evaluationExamples: 80
    claims:
      - {name: left, method: {name: distributed-alignment-search, variable: left, dimensions: 4, epochs: 3, batchSize: 50}, sites: [layers.0.post, layers.1.pre]}
      - {name: right, method: {name: distributed-alignment-search, variable: right, map: revnet, hidden: 6, couplings: 2, epochs: 2, batchSize: 100}, sites: [layers.0.post]}
      - {name: probe-left, method: {name: logistic-probe}, target: left, sites: [layers.0.post]}
    nulls:
      - {family: random-init, K: 3}
      - {family: untrained-map, K: 2}
    resampling: {bootstrap: 100}
    """

    @Test func valuesAreTheSearchOfEachModelWithTheClaimsStreams() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? NetworkSubject)
        #expect(subject.trained[0].sizes == [16, 16, 12, 2])
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        // left at 2 sites and right at 1, each against random-init and untrained-map; the probe against random-init.
        #expect(result.tests.count == 3 * 2 + 1, "\(result.tests.map(\.id))")
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        // The pairs, as the claim's runs make them: each training row a base with a training source.
        let training = try #require(subject.training)
        let variables = try #require(training.groundTruth["variables"]).scalars.map { Int($0) }
        let p = SyntheticTasks.hierarchicalEqualityInterchange(variables: variables, rows: 0..<600, column: 0,
                                                               stream: RandomStream(seed: 7, path: ["interchange", "left", "training"]))
        #expect(p.base == Array(0..<600) && zip(p.source, p.base).allSatisfy { s, b in p.correct[b] == (variables[2 * s] == variables[2 * b + 1] ? 1 : 0) })
        let evaluation = SyntheticTasks.hierarchicalEqualityVectors(examples: 680, dimension: 4, stream: RandomStream(seed: 7, path: ["task"]))
        let heldVariables = evaluation.groundTruth["variables"]!.scalars[1200...].map { Int($0) }
        let q = SyntheticTasks.hierarchicalEqualityInterchange(variables: Array(heldVariables), rows: 0..<80, column: 0,
                                                               stream: RandomStream(seed: 7, path: ["interchange", "left", "evaluation"]))
        func iia(_ model: MLP, site: String, trainedMap: Bool, mapStream: RandomStream, order: RandomStream) throws -> Double {
            let search = try MLPAlignmentSearch(model: model, site: site)
            let fitting = try search.runs(base: training.inputs.rows(p.base), source: training.inputs.rows(p.source), correct: p.correct, wrong: p.correct.map { 1 - $0 })
            let testing = try search.runs(base: subject.evaluationInputs.rows(q.base), source: subject.evaluationInputs.rows(q.source),
                                          correct: q.correct, wrong: q.correct.map { 1 - $0 })
            var map = RotationAlignment(dimension: search.width, intervened: 4, stream: mapStream)
            if trainedMap { map = try fitting.fit(map, training: AlignmentTraining(epochs: 3, batchSize: 50, learningRate: 0.01), stream: order).map }
            return DistributedAlignmentSearch.interchangeAccuracy(try testing.logitDifferences(map))
        }
        #expect(subject.evaluationInputs.scalars == Array(evaluation.inputs.scalars[(600 * 16)...]))
        for site in ["layers.0.post", "layers.1.pre"] {
            let method = RandomStream(seed: 7, path: ["method", "left", .label(site)])
            let test = try #require(result.tests.first { $0.id == "left@\(site)~random-init" })
            #expect(abs(test.estimate - (try iia(subject.trained[0], site: site, trainedMap: true, mapStream: method.derived("map"), order: method.derived("order")))) <= 1e-12)
            let random = NullModels.reinitialized(subject.trained[0], stream: RandomStream(seed: 7, path: ["null", "random-init", .index(2)]))
            #expect(abs(test.null.values[2] - (try iia(random, site: site, trainedMap: true, mapStream: method.derived("map"), order: method.derived("order")))) <= 1e-12)
            let untrained = try #require(result.tests.first { $0.id == "left@\(site)~untrained-map" })
            #expect(abs(untrained.null.values[1] - (try iia(subject.trained[0], site: site, trainedMap: false,
                                                             mapStream: method.derived("untrained-map", .index(1)), order: method))) <= 1e-12)
            print("MLP DAS audit: left at \(site): IIA \(test.estimate), random-init \(test.null.values), untrained map \(untrained.null.values)")
        }
        let probe = try #require(result.tests.first { $0.id == "probe-left@layers.0.post~random-init" })
        #expect(probe.estimate > 0.5)
    }

    @Test func sitesAndTasksTheSearchCannotTakeAreRefusedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "m.yaml", edit) }
        let position = refusal { $0.replacingOccurrences(of: "sites: [layers.0.post, layers.1.pre]", with: "sites: [layers.0.post@1]") }
        #expect(position.contains("claims.left.sites") && position.contains("layers.0–1.{pre, post}"), "\(position)")
        let output = refusal { $0.replacingOccurrences(of: "sites: [layers.0.post, layers.1.pre]", with: "sites: [layers.2.post]") }
        #expect(output.contains("claims.left.sites") && output.contains("layers.2.post"), "\(output)")
        let wide = refusal { $0.replacingOccurrences(of: "dimensions: 4,", with: "dimensions: 13,") }
        #expect(wide.contains("claims[0].method.dimensions") && wide.contains("1 … 12"), "\(wide)")
        let task = refusal { $0.replacingOccurrences(of: "hierarchical-equality-vectors", with: "planted-concepts").replacingOccurrences(of: ", dimension: 4", with: "") }
        #expect(task.contains("claims[0].method") && task.contains("hierarchical-equality-vectors"), "\(task)")
        let target = refusal { $0.replacingOccurrences(of: "target: left", with: "target: middle") }
        #expect(target.contains("claims.probe-left.target") && target.contains("left (a = b)"), "\(target)")
    }

    /// Calibration: with the "trained" value one more draw of the null — a random-init MLP, or
    /// the trained MLP through one more untrained map — an IIA claim at a hidden layer is called
    /// distinguishable at a rate inside the binomial 99.9 % band among the audits whose largest
    /// value is unique (K = 19; IIA is an accuracy over 60 pairs and ties).
    @Test(arguments: ["random-init", "untrained-map"])
    func anIIAClaimOnANullDrawIsDistinguishableAtTheNominalRate(family: String) async throws {
        let n = 400
        let (distinguishable, eligible, band) = try await tieAwareCalibration(audits: n, family: family) { r in
            try AuditSpec.parse(yaml: """
                name: calibration
                seed: \(19000 + r)
                model:
                  task: hierarchical-equality-vectors
                  taskOptions: {examples: 100, dimension: 3}
                  hidden: [8]
                  training: {epochs: 2, batchSize: 50}
                  evaluationExamples: 60
                claims:
                  - {name: c, method: {name: distributed-alignment-search, variable: left, dimensions: 2, epochs: 2, batchSize: 25, learningRate: 0.05}, sites: [layers.0.post]}
                nulls:
                  - {family: \(family), K: 19}
                resampling: {bootstrap: 100, interval: percentile}
                """, file: "calibration")
        }
        #expect(eligible >= 100 && band.contains(distinguishable), "\(distinguishable) of \(eligible) eligible distinguishable, 99.9 % band \(band)")
        print("calibration: MLP interchange-intervention accuracy against \(family) \(distinguishable)/\(eligible) eligible of \(n), 99.9 % band for 1/20: \(band)")
    }
}
