import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// Attribution claims in audit specs: validation, the values the engine computes (recomputed here
/// from the networks directly), the direction of each statistic, and the calibration of
/// `similarityToTrained` when the trained networks are random-init draws.
@Suite struct AttributionAuditTests {
    static let yaml = """
    name: attribution
    seed: 5
    model:
      task: planted-concepts
      taskOptions: {examples: 300, concepts: 3, dimension: 8, labelConcepts: [0], noise: 0.3}
      hidden: [8]
      training: {epochs: 15, batchSize: 50, learningRate: 0.02, seeds: 2}
      evaluationExamples: 60
    claims:
      - {name: sensitive, method: {name: gradient}, sites: [layers.1.post, layers.0.post]}
      - {name: faithful, method: {name: gradient-times-input, curveSteps: 4}, statistic: deletionAUC, sites: [layers.1.post]}
    nulls:
      - {family: random-init, K: 9}
      - {family: cascading-top-down, K: 10}
    resampling: {bootstrap: 200}
    """

    func error(_ yaml: String) -> SpecError? {
        do { _ = try AuditSpec.parse(yaml: yaml); return nil } catch let e as SpecError { return e } catch { return nil }
    }

    /// The spec with `claims` replaced and `model` lines patched.
    func variant(claims: String, model: [String: String] = [:]) -> String {
        var text = Self.yaml
        let start = text.range(of: "claims:\n")!.upperBound, end = text.range(of: "nulls:")!.lowerBound
        text.replaceSubrange(start..<end, with: claims + "\n")
        for (old, new) in model { text = text.replacingOccurrences(of: old, with: new) }
        return text
    }

    @Test func badAttributionClaimsNameTheField() throws {
        #expect(error(Self.yaml) == nil)
        let misspelt = try #require(error(variant(claims: "  - {name: a, method: {name: gradiant}}")))
        #expect(misspelt.field.hasSuffix("method.name") && misspelt.message.contains("did you mean 'gradient'"))
        let oneSeed = try #require(error(variant(claims: "  - {name: a, method: {name: gradient}}", model: ["seeds: 2": "seeds: 1"])))
        #expect(oneSeed.field == "claims[0].statistic" && oneSeed.message.contains("seeds ≥ 2"))
        let inputSite = try #require(error(variant(claims: "  - {name: a, method: {name: gradient}, sites: [input]}")))
        #expect(inputSite.field == "claims[0].sites")
        let ssim = try #require(error(variant(claims: "  - {name: a, method: {name: gradient, similarity: ssim}}")))
        #expect(ssim.field.hasSuffix("method.image"))
        let measure = try #require(error(variant(claims: "  - {name: a, method: {name: gradient, similarity: jaccard}}")))
        #expect(measure.field.hasSuffix("method.similarity") && measure.message.contains("spearman-abs"))
        let statistic = try #require(error(variant(claims: "  - {name: a, method: {name: gradient}, statistic: deletionAUc}")))
        #expect(statistic.field == "claims[0].statistic" && statistic.message.contains("did you mean 'deletionAUC'"))
        let target = try #require(error(variant(claims: "  - {name: a, method: {name: gradient}, target: concept:1}")))
        #expect(target.field == "claims[0].target")
        let digits = try #require(error(variant(claims: "  - {name: a, method: {name: gradient}}",
                                                model: ["task: planted-concepts": "task: digits", "examples: 300": "examples: 1750"])))
        #expect(digits.field == "model.taskOptions.examples" && digits.message.contains("1797"))
        let guided = try #require(error(variant(claims: "  - {name: a, method: {name: guided-backprop}}",
                                                model: ["hidden: [8]": "hidden: [8]\n  activation: tanh"])))
        #expect(guided.field == "claims[0].method")
    }

    @Test func sitesDefaultToTheCascadeOnlyWhenAFamilyDependsOnThem() throws {
        let cascade = try AuditSpec.parse(yaml: variant(claims: "  - {name: a, method: {name: gradient}}"))
        #expect(AuditPlan.sites(for: cascade.claims[0], in: cascade) == ["layers.1.post", "layers.0.post"])
        let flat = try AuditSpec.parse(yaml: variant(claims: "  - {name: a, method: {name: gradient}}")
            .replacingOccurrences(of: "  - {family: cascading-top-down, K: 10}\n", with: ""))
        #expect(AuditPlan.sites(for: flat.claims[0], in: flat) == ["layers.1.post"])
    }

    /// Spearman's ρ of |maps| per row between two networks' gradient maps, averaged.
    func meanSimilarity(_ a: MLP, _ b: MLP, inputs: Tensor, targets: [Int], stream: RandomStream) throws -> Double {
        func map(_ m: MLP) throws -> [Double] {
            try #require(try Attribution(.gradient()).explain(AttributionInput(model: m, inputs: inputs, target: .perRow(targets)),
                                                               stream: stream).map).values
        }
        // An undefined similarity (a constant map) counts as 0.
        let rows = try AttributionSimilarity.spearmanAbsolute.compare(try map(a), try map(b), rows: targets.count).perRow
        return rows.reduce(0) { $0 + ($1.isNaN ? 0 : $1) } / Double(rows.count)
    }

    @Test func theEngineComputesTheStatisticsItDocuments() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try NetworkSubject(spec: spec, jobs: 2)
        let (result, outcome) = try await Audit.run(spec: spec, subject: subject, jobs: 2)
        let audit = try #require(result)
        // random-init once (first site), cascading at both sites; deletion: both families at its one site.
        #expect(audit.tests.map(\.id) == ["sensitive@layers.1.post~random-init", "sensitive@layers.1.post~cascading-top-down",
                                          "sensitive@layers.0.post~cascading-top-down", "faithful@layers.1.post~random-init",
                                          "faithful@layers.1.post~cascading-top-down"])
        // Trained network 0 is the anchor of similarityToTrained: no value of its own.
        let trained0 = try #require(outcome.records.first { $0.unit == .trained(seed: 0) })
        #expect(trained0.values["sensitive@layers.1.post"] == nil && trained0.values["faithful@layers.1.post"] != nil)

        let (inputs, targets) = try subject.attributionData(claim: spec.claims[0])
        let stream = RandomStream(seed: spec.seed, path: ["method", "sensitive"])
        let t0 = subject.trained[0], t1 = subject.trained[1]
        let random = audit.tests[0]
        #expect(random.direction == "larger" && random.trainedValues.count == 1 && random.null.modelsPerDraw == 1)
        #expect(abs(random.estimate - (try meanSimilarity(t1, t0, inputs: inputs, targets: targets, stream: stream))) < 1e-12)
        for k in [0, 4, 8] {
            let null = NullModels.reinitialized(t0, stream: RandomStream(seed: spec.seed, path: ["null", "random-init", .index(k)]))
            #expect(abs(random.null.values[k] - (try meanSimilarity(null, t0, inputs: inputs, targets: targets, stream: stream))) < 1e-12)
        }
        let b = random.null.values.filter { $0 >= random.estimate }.count
        #expect(random.pValue == Double(1 + b) / 10)
        // Cascading at layers.0.post randomizes every layer: the last stage of the cascade.
        let cascade = NullModels.cascade(t0, topDown: true, stream: RandomStream(seed: spec.seed, path: ["null", "cascading-top-down", .index(3)]))
        let full = try #require(cascade.last)
        #expect(abs(audit.tests[2].null.values[3] - (try meanSimilarity(full, t0, inputs: inputs, targets: targets, stream: stream))) < 1e-12)
        // A trained network's map is far more like another trained seed's than like a random network's.
        #expect(random.estimate > 0.5 && random.null.median < 0.3)

        // Deletion AUC: smaller is more structure, each null draw the mean of K_t = 2 null models.
        let deletion = audit.tests[3]
        #expect(deletion.direction == "smaller" && deletion.null.modelsPerDraw == 2 && deletion.null.values.count == 4)
        let extreme = deletion.null.values.filter { $0 <= deletion.estimate }.count
        #expect(deletion.pValue == Double(1 + extreme) / 5)
        #expect(deletion.directedDifference == -deletion.effect.difference)
        let own = try #require(try Attribution(.gradientTimesInput).explain(AttributionInput(model: t1, inputs: inputs, target: .perRow(targets)),
                                                                             stream: RandomStream(seed: spec.seed, path: ["method", "faithful"])).map)
        let curve = FeatureRemovalCurve.evaluate(.deletion, model: t1, inputs: inputs, targets: targets, maps: own.values, steps: 4)
        #expect(abs(deletion.trainedValues[1] - curve.areas.reduce(0, +) / Double(curve.areas.count)) < 1e-12)
        #expect(deletion.estimate < deletion.null.median)

        // Any jobs count gives the same bytes.
        let serial = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(serial) == CSVReport.render(audit))
    }

    /// When the "trained" networks are random-init draws (``OneMoreNullDraw``), the
    /// `similarityToTrained` test against K = 19 random-init nulls says "distinguishable" at rate
    /// exactly α = 1/20: given network 0, trained seed 1 and the nulls are exchangeable. 400
    /// repetitions by default (3 s); `SALMON_CALIBRATION_REPS=4000` for a closer look (measured:
    /// 216 of 4,000, 5.4 % ± 0.36).
    @Test func similarityToTrainedIsCalibratedUnderRandomInit() async throws {
        let n = Int(ProcessInfo.processInfo.environment["SALMON_CALIBRATION_REPS"] ?? "") ?? 400
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        var distinguishable = 0
        for r in 0..<n {
            let spec = try OneMoreNullDraw.calibrationSpec(seed: UInt64(5000 + r), method: "{name: gradient}", K: 19,
                                                           statistic: "similarityToTrained", trainedSeeds: 2)
            let subject = OneMoreNullDraw(base: try NetworkSubject(spec: spec), index: 19)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            #expect(result.tests.count == 1)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        #expect(band.contains(distinguishable), "similarityToTrained: \(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: similarityToTrained \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }
}
