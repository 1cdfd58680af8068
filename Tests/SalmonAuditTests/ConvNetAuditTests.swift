import Foundation
@testable import SalmonAudit
import SalmonIO
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// CNN audits from a spec: the digits CNN trained here, its sites and null families, attribution
/// and probe claims through the same engine, the calibration of attribution on the CNN, and CNNs
/// loaded from state dicts PyTorch wrote.
@Suite struct ConvNetAuditTests {
    static let yaml = """
    name: digits-cnn
    seed: 6
    model:
      task: digits
      taskOptions: {examples: 300}
      convolutions: [3, 4]
      hidden: [16]
      training: {epochs: 3, batchSize: 50, learningRate: 0.01, seeds: 2}
      evaluationExamples: 40
    claims:
      - {name: guided, method: {name: guided-backprop}}
      - {name: probe, method: {name: logistic-probe, folds: 3}, sites: [layers.1.post, layers.2.post]}
    nulls:
      - {family: random-init, K: 4}
      - {family: cascading-top-down, K: 4}
    resampling: {bootstrap: 200}
    """

    @Test func attributionAndProbeClaimsOnTheDigitsCNN() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? ConvNetSubject)
        #expect(subject.trained.count == 2 && subject.trained[0].layerCount == 4)
        #expect(subject.modelDescription.hasPrefix("CNN 1×8×8 → conv 3–conv 4"))
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        // guided: sites layers.3.post … layers.0.post (the cascade), random-init at the first only;
        // probe: 2 sites × 2 families.
        #expect(result.tests.filter { $0.claim == "guided" }.map(\.id) == [
            "guided@layers.3.post~random-init", "guided@layers.3.post~cascading-top-down", "guided@layers.2.post~cascading-top-down",
            "guided@layers.1.post~cascading-top-down", "guided@layers.0.post~cascading-top-down"])
        #expect(result.tests.filter { $0.claim == "probe" }.count == 4)

        // The cascade at layers.1.post (a convolution): layers 3, 2, 1 re-initialized, from trained
        // network 0 for null k = 0 (k mod K_t).
        let stream = RandomStream(seed: 6, path: ["null", "cascading-top-down", 0])
        let stage = NullModels.cascade(subject.trained[0], topDown: true, stream: stream)[2]
        let direct = stage.captured(subject.evaluationInputs, sites: ["layers.1.post"])["layers.1.post"]
        let audited = try subject.activations(.null(family: "cascading-top-down", index: 0), sites: ["layers.1.post"])["layers.1.post"]
        #expect(direct != nil && direct == audited)
        // layers.1.post is the second block's pooled output: 4 channels × 2 × 2.
        #expect(audited?.shape == [40, 16])

        // The guided-backprop similarity of trained network 1 to network 0, per input, recomputed.
        let inputs = subject.evaluationInputs
        let labels = try #require(subject.attributionTargets["guided"])
        func map(_ m: ConvNet) throws -> [Double] {
            let input = try AttributionInput(model: m, inputs: inputs, target: .perRow(labels))
            return try #require(try Attribution(.guidedBackprop).explain(input, stream: RandomStream(seed: 6, path: ["method", "guided"])).map?.values)
        }
        let a = try map(subject.trained[0]), b = try map(subject.trained[1])
        let measure = AttributionSimilarity.spearmanAbsolute
        let perRow = try measure.compare(a, b, rows: 40).perRow.map { $0.isNaN ? 0 : $0 }
        let estimate = try #require(result.tests.first { $0.id == "guided@layers.3.post~random-init" }?.estimate)
        #expect(abs(estimate - Descriptive.mean(perRow)) < 1e-12)
    }

    @Test func cnnSpecsAreCheckedNamingTheField() {
        func refusal(_ edit: (String) -> String) -> String {
            do { _ = try AuditSpec.parse(yaml: edit(Self.yaml), file: "c.yaml"); return "accepted" } catch { return "\(error)" }
        }
        #expect(refusal { $0.replacingOccurrences(of: "task: digits", with: "task: planted-concepts") }.contains("model.convolutions"))
        #expect(refusal { $0.replacingOccurrences(of: "convolutions: [3, 4]", with: "convolutions: [3, 4]\n  activation: tanh") }
            .contains("model.activation"))
        #expect(refusal { $0.replacingOccurrences(of: "[3, 4]", with: "[3, 4, 4, 4]") }.contains("at most 3 blocks"))
    }

    /// Calibration on the CNN: when both "trained" seeds are random-init draws, the attribution
    /// claim `similarityToTrained` (guided backprop, exchangeable with its K = 19 nulls, each draw
    /// a null model made from "network 0") is distinguishable at a rate inside the 99.9 % band of 5 %.
    @Test func similarityToTrainedOnTheCNNIsCalibrated() async throws {
        let n = Int(ProcessInfo.processInfo.environment["SALMON_CALIBRATION_REPS"] ?? "") ?? 300
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        var distinguishable = 0
        for r in 0..<n {
            let spec = try AuditSpec.parse(yaml: """
                name: cnn-calibration
                seed: \(7000 + r)
                model:
                  task: digits
                  taskOptions: {examples: 20}
                  convolutions: [2]
                  hidden: [6]
                  training: {epochs: 1, batchSize: 20, seeds: 2}
                  evaluationExamples: 30
                claims:
                  - {name: c, method: {name: guided-backprop}, statistic: similarityToTrained}
                nulls: [{family: random-init, K: 19}]
                resampling: {bootstrap: 100, interval: percentile}
                """)
            let subject = OneMoreNullDraw(base: try ConvNetSubject(spec: spec), index: 19)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        #expect(band.contains(distinguishable), "CNN similarityToTrained: \(distinguishable) of \(n) distinguishable, 99.9 % band \(band)")
        print("calibration: CNN similarityToTrained \(distinguishable)/\(n), 99.9 % band for 5 %: \(band)")
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cnn_digits").path

    /// `model.referenceOutputs`: PyTorch's logits of both networks (or of network 0 alone) are
    /// accepted; one logit off by 0.01, or outputs of the wrong shape, are refused naming the file
    /// and the place — before any null model is built. The GPT-2 fixture's last-position logits too.
    @Test func referenceOutputsAreCheckedAfterLoading() throws {
        let text = try String(contentsOfFile: Self.fixture + "/spec.yaml", encoding: .utf8)
        func subject(_ reference: String, in directory: String = Self.fixture, yaml: String? = nil) throws -> any AuditSubject {
            let spec = try AuditSpec.parse(yaml: (yaml ?? text).replacingOccurrences(of: "  inputs: inputs.npy", with: "  inputs: inputs.npy\n  referenceOutputs: \(reference)")
                                            .replacingOccurrences(of: "  inputs: tokens.npy", with: "  inputs: tokens.npy\n  referenceOutputs: \(reference)"),
                                           file: "spec.yaml")
            return try Audit.subject(for: spec, specDirectory: directory, jobs: 1)
        }
        _ = try subject("reference_logits.npy")
        let reference = try ArrayInput.attributionMaps(Self.fixture + "/reference_logits.npy")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("salmon-reference-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let first = reference.values[0..<600].map(Float.init)
        try NPYArray.serialize(first, shape: [60, 10]).write(to: URL(fileURLWithPath: scratch + "/first.npy"))
        _ = try subject(scratch + "/first.npy")
        var off = reference.values.map(Float.init)
        off[600 + 7 * 10 + 3] += 0.01
        try NPYArray.serialize(off, shape: [2, 60, 10]).write(to: URL(fileURLWithPath: scratch + "/off.npy"))
        let wrong = #expect(throws: SpecError.self) { try subject(scratch + "/off.npy") }
        #expect(wrong?.field == "model.referenceOutputs" && wrong?.message.contains("state dict 1, row 7, output 3") == true, "\(String(describing: wrong))")
        try NPYArray.serialize(first, shape: [10, 60]).write(to: URL(fileURLWithPath: scratch + "/shape.npy"))
        let shape = #expect(throws: SpecError.self) { try subject(scratch + "/shape.npy") }
        #expect(shape?.message.contains("[60, 10]") == true && shape?.message.contains("found [10, 60]") == true)
        // The transformer: logits at the last position of each sequence.
        let gpt2 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gpt2_modular_addition").path
        let gpt2Spec = try String(contentsOfFile: gpt2 + "/spec.yaml", encoding: .utf8)
        _ = try subject("reference_logits.npy", in: gpt2, yaml: gpt2Spec)
        let task = #expect(throws: SpecError.self) {
            try AuditSpec.parse(yaml: "version: 1\nname: t\nmodel: {task: planted-concepts, referenceOutputs: r.npy}\nclaims: [{name: a, method: {name: logistic-probe}}]\nnulls: [{family: random-init, K: 9}]\n").validate()
        }
        #expect(task?.field == "model.referenceOutputs")
    }

    /// Two CNNs PyTorch trained (`Fixtures/cnn_digits/generate.py`): loaded from their state dicts
    /// they compute PyTorch's logits (to 1e-5), and the committed spec — attribution and probe
    /// claims on K_t = 2 loaded seeds — runs from YAML (with fewer null models, for time); the
    /// similarity estimate is recomputed by hand.
    @Test func cnnStateDictsWrittenByPyTorchAreAuditedFromYAML() async throws {
        let text = try String(contentsOfFile: Self.fixture + "/spec.yaml", encoding: .utf8)
        let spec = try AuditSpec.parse(yaml: text.replacingOccurrences(of: "K: 98", with: "K: 8"), file: "spec.yaml")
        let subject = try #require(try Audit.subject(for: spec, specDirectory: Self.fixture, jobs: 1) as? ConvNetSubject)
        #expect(subject.trained.count == 2 && subject.trained[0].layerCount == 4)
        let inputs = try ArrayInput.activations(Self.fixture + "/inputs.npy")
        let reference = try ArrayInput.attributionMaps(Self.fixture + "/reference_logits.npy")
        #expect(reference.shape == [2, 60, 10])
        for s in 0..<2 {
            let ours = subject.trained[s].outputs(inputs).scalars
            let theirs = reference.values[(s * 600)..<((s + 1) * 600)]
            let worst = zip(ours, theirs).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? .infinity
            #expect(worst < 1e-5, "seed \(s): worst relative difference \(worst)")
        }
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        // gradient: 4 sites against cascading (+ random-init at its first site); deletion: 2; probe: 2.
        #expect(result.tests.count == 5 + 2 + 2)
        #expect(result.model.contains("CNN 1×8×8") && result.model.contains("loaded from 2 state dicts"))
        let labels = try ArrayInput.integers(Self.fixture + "/labels.npy", what: "labels")
        func map(_ m: ConvNet) throws -> [Double] {
            try Attribution(.gradient()).explain(AttributionInput(model: m, inputs: inputs, target: .perRow(labels)),
                                                 stream: RandomStream(seed: 1)).map!.values
        }
        let prepared = try AttributionSimilarity.spearmanAbsolute.prepare(try map(subject.trained[0]), rows: 60)
        let expected = Descriptive.mean(try AttributionSimilarity.spearmanAbsolute.compare(prepared, with: try map(subject.trained[1]))
            .map { $0.isNaN ? 0 : $0 })
        let test = try #require(result.tests.first { $0.id == "gradient@layers.0.post~cascading-top-down" })
        #expect(abs(test.estimate - expected) < 1e-12, "\(test.estimate) vs \(expected)")
        // Trained digits probes read the digit far better than chance (0.1).
        #expect((result.tests.first { $0.claim == "digit" }?.estimate ?? 0) > 0.5)
    }
}
