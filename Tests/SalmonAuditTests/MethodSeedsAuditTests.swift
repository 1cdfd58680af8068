import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// `resampling.methodSeeds`: a random method (the probe's folds) run R times on every model, the
/// value the mean of the runs for trained and null models alike, the interval two-level over
/// method seeds × inputs.
@Suite struct MethodSeedsAuditTests {
    static let yaml = """
    name: method-seeds
    seed: 13
    model:
      task: planted-concepts
      taskOptions: {examples: 200, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
      hidden: [8]
      training: {epochs: 5}
      evaluationExamples: 90
    claims:
      - {name: probe, method: {name: logistic-probe, folds: 3}, sites: [layers.0.post]}
      - {name: pca, method: {name: pca-label-correlation, components: 2}, sites: [layers.0.post]}
    nulls: [{family: random-init, K: 4}]
    resampling: {bootstrap: 300, methodSeeds: 3}
    """

    @Test func valuesAreMeansOverMethodSeedsForTrainedAndNullModels() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let base = RandomStream(seed: 13, path: ["method", "probe", "layers.0.post"])
        let streams = [base, base.derived("method-seed", .index(1)), base.derived("method-seed", .index(2))]
        let probe = Probe(.logistic(LogisticRegression()), folds: 3)
        func value(_ unit: AuditUnit) throws -> Double {
            let a = try #require(try subject.activations(unit, sites: ["layers.0.post"])["layers.0.post"])
            let data = try subject.probeData(claim: spec.claims[0], activations: a)
            let runs = try streams.map { try #require(try probe.explain(data, stream: $0).scalars["accuracy"]) }
            #expect(Set(runs).count > 1 || unit != .trained(seed: 0), "the folds should matter for the trained model")
            return runs.reduce(0, +) / 3
        }
        let test = try #require(result.tests.first { $0.claim == "probe" })
        #expect(abs(test.estimate - (try value(.trained(seed: 0)))) < 1e-12)
        for k in 0..<4 { #expect(abs(test.null.values[k] - (try value(.null(family: "random-init", index: k)))) < 1e-12) }
        #expect(test.intervalMethod.contains("3 method seeds × per-example scores, crossed"), "\(test.intervalMethod)")
        // PCA draws nothing: one run, the ordinary interval.
        let pca = try #require(result.tests.first { $0.claim == "pca" })
        #expect(!pca.intervalMethod.contains("method seeds"))
        // Without methodSeeds the spec (and its hash) is what it was.
        let plain = try AuditSpec.parse(yaml: Self.yaml.replacingOccurrences(of: ", methodSeeds: 3", with: ""))
        #expect(!String(decoding: plain.canonicalJSON(), as: UTF8.self).contains("methodSeeds"))
    }

    /// Calibration with R = 3: the "trained" model one more random-init draw, each value the mean of
    /// three probe runs on trained and null models alike, so they stay exchangeable.
    @Test func aRandomInitTrainedModelIsDistinguishableFivePercentOfTheTimeWithMethodSeeds() async throws {
        let n = 400
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        var distinguishable = 0
        for r in 0..<n {
            let spec = try OneMoreNullDraw.calibrationSpec(seed: UInt64(3000 + r), method: "{name: logistic-probe, folds: 3}", K: 19,
                                                           methodSeeds: 3)
            let subject = OneMoreNullDraw(base: try NetworkSubject(spec: spec), index: 19)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        // Means of three accuracies rarely tie, so the rate is close to 5 % and must fall inside the
        // band (not merely under its upper end, as a single tied accuracy would allow).
        #expect(band.contains(distinguishable), "probe with 3 method seeds: \(distinguishable) of \(n), 99.9 % band \(band)")
        print("calibration: probe with 3 method seeds \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }

    /// SmoothGrad with two method seeds: run r compares trained network 1's map with network 0's
    /// map drawn with the same noise r, and the value is the mean of the two runs.
    @Test func smoothGradRunsCompareWithTheAnchorOfTheirOwnNoise() async throws {
        let spec = try AuditSpec.parse(yaml: """
            name: smoothgrad-seeds
            seed: 17
            model:
              task: planted-concepts
              taskOptions: {examples: 100, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.5}
              hidden: [8]
              training: {epochs: 3, seeds: 2}
              evaluationExamples: 30
            claims:
              - {name: sg, method: {name: smoothgrad, samples: 4}, statistic: similarityToTrained}
            nulls: [{family: random-init, K: 2}]
            resampling: {bootstrap: 200, methodSeeds: 2}
            """)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 1) as? NetworkSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let base = RandomStream(seed: 17, path: ["method", "sg"])
        let labels = try #require(subject.attributionTargets["sg"])
        func map(_ m: MLP, _ stream: RandomStream) throws -> [Double] {
            let input = try AttributionInput(model: m, inputs: subject.evaluationInputs, target: .perRow(labels))
            return try #require(try Attribution(.smoothGrad(noiseLevel: 0.15, samples: 4)).explain(input, stream: stream).map?.values)
        }
        var runs: [Double] = []
        for stream in [base, base.derived("method-seed", .index(1))] {
            let perRow = try AttributionSimilarity.spearmanAbsolute.compare(try map(subject.trained[0], stream), try map(subject.trained[1], stream),
                                                                            rows: 30).perRow
            runs.append(Descriptive.mean(perRow.map { $0.isNaN ? 0 : $0 }))
        }
        #expect(runs[0] != runs[1])
        #expect(abs(result.tests[0].estimate - (runs[0] + runs[1]) / 2) < 1e-12)
        do {
            _ = try AuditSpec.parse(yaml: Self.yaml.replacingOccurrences(of: "  - {name: probe, method: {name: logistic-probe, folds: 3}, sites: [layers.0.post]}\n", with: ""))
            Issue.record("methodSeeds with no random method was accepted")
        } catch {
            #expect("\(error)".contains("resampling.methodSeeds") && "\(error)".contains("no claim's method is random"), "\(error)")
        }
    }
}
