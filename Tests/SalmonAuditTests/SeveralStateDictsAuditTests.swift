import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Several trained state dicts as the trained seeds of a loaded model (the three PyTorch-trained
/// XOR networks of the circuit fixtures): K_t = 3, so `similarityToTrained` applies to loaded
/// models, and null draws average K_t models as for networks trained here.
@Suite struct SeveralStateDictsAuditTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../SalmonMethodsTests/Fixtures/circuits").standardized.path

    static func spec(root: String, stateDicts: String, K: Int = 6) throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: three-xor-networks
            seed: 12
            model:
              stateDict: \(stateDicts)
              architecture: \(fixtures)/architecture.json
              inputs: \(root)/x.npy
            claims:
              - {name: saliency, method: {name: gradient}, target: \(root)/outputs.npy, sites: [layers.2.post]}
              - {name: probe, method: {name: logistic-probe, folds: 3}, target: \(root)/xor.npy, sites: [layers.1.post]}
            nulls: [{family: random-init, K: \(K)}]
            resampling: {bootstrap: 200}
            """, file: "three.yaml")
    }

    @Test func threeStateDictsAreThreeTrainedSeeds() async throws {
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var stream = RandomStream(seed: 9)
        let rows = 80
        let x = (0..<(2 * rows)).map { _ in Double(stream.index(below: 2)) + 0.1 * stream.gaussian() }
        let xor = (0..<rows).map { r in Double((x[2 * r] > 0.5) != (x[2 * r + 1] > 0.5) ? 1 : 0) }
        try RidgeProbeAuditTests.npy(x, shape: [rows, 2], float64: false).write(to: URL(fileURLWithPath: root + "/x.npy"))
        try RidgeProbeAuditTests.npy(xor, shape: [rows], float64: false).write(to: URL(fileURLWithPath: root + "/xor.npy"))
        try RidgeProbeAuditTests.npy([Double](repeating: 0, count: rows), shape: [rows], float64: false)
            .write(to: URL(fileURLWithPath: root + "/outputs.npy"))
        let paths = (0..<3).map { "\(Self.fixtures)/xor-2-3-3-1-seed\($0).safetensors" }
        let spec = try Self.spec(root: root, stateDicts: "[\(paths.joined(separator: ", "))]")
        #expect(AuditPlan.trainedSeeds(spec) == 3)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: root, jobs: 1) as? NetworkSubject)
        #expect(subject.trained.count == 3 && subject.modelDescription.contains("3 state dicts"))
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)

        // similarityToTrained: the estimate averages seeds 1 and 2 against seed 0; each of the
        // K / (K_t − 1) = 3 null draws averages 2 null models made from seed 0.
        let saliency = try #require(result.tests.first { $0.claim == "saliency" })
        #expect(saliency.trainedValues.count == 2 && saliency.null.modelsPerDraw == 2 && saliency.null.values.count == 3)
        func similarity(_ model: MLP) throws -> Double {
            let inputs = subject.evaluationInputs
            let target = [Int](repeating: 0, count: rows)
            func map(_ m: MLP) throws -> [Double] {
                try #require(try Attribution(.gradient()).explain(AttributionInput(model: m, inputs: inputs, target: .perRow(target)),
                                                                  stream: RandomStream(seed: 12, path: ["method", "saliency"])).map?.values)
            }
            let perRow = try AttributionSimilarity.spearmanAbsolute.compare(try map(subject.trained[0]), try map(model), rows: rows).perRow
            return Descriptive.mean(perRow.map { $0.isNaN ? 0 : $0 })
        }
        let direct = (try similarity(subject.trained[1]) + similarity(subject.trained[2])) / 2
        #expect(abs(saliency.estimate - direct) < 1e-12)

        // The probe: three trained values, a two-level interval (seeds × inputs), draws of 3 models.
        let probe = try #require(result.tests.first { $0.claim == "probe" })
        #expect(probe.trainedValues.count == 3 && probe.null.modelsPerDraw == 3 && probe.null.values.count == 2)
        #expect(probe.intervalMethod.contains("two-level"))

        // K must be at least K_t; one state dict gives K_t = 1 and refuses similarityToTrained.
        #expect(throws: SpecError.self) { try Self.spec(root: root, stateDicts: "[\(paths.joined(separator: ", "))]", K: 2) }
        do {
            _ = try Self.spec(root: root, stateDicts: paths[0])
            Issue.record("similarityToTrained on one state dict was accepted")
        } catch {
            #expect("\(error)".contains("claims[0].statistic") && "\(error)".contains("one state dict per trained seed"), "\(error)")
        }
    }
}

/// `permuted-labels` on a model loaded from a state dict, retrained on the user's training data
/// (the PyTorch `nn.Sequential` MLP 4–16–8–3 of the state-dict fixtures).
@Suite struct PermutedLabelsOnLoadedModelsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../SalmonNetworksTests/Fixtures").standardized.path

    static func spec(root: String, training: String) throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: permuted-labels-on-a-state-dict
            seed: 21
            model:
              stateDict: \(fixtures)/mlp_sequential.safetensors
              architecture: \(fixtures)/mlp_sequential.json
              inputs: \(root)/x.npy\(training)
              training: {epochs: 4, batchSize: 20, learningRate: 0.01}
            sites: [layers.1.post]
            claims:
              - {name: c, method: {name: logistic-probe, folds: 3}, target: \(root)/y.npy}
            nulls: [{family: permuted-labels, K: 3}]
            resampling: {bootstrap: 200}
            """, file: "permuted.yaml")
    }

    @Test func theArchitectureIsRetrainedOnPermutedTrainingLabels() async throws {
        let root = RidgeProbeAuditTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var stream = RandomStream(seed: 4)
        func rows(_ n: Int) -> (x: [Double], y: [Double]) {
            let x = (0..<(4 * n)).map { _ in stream.gaussian() }
            let y = (0..<n).map { r in Double((0..<3).max { x[4 * r + $0] < x[4 * r + $1] } ?? 0) }
            return (x, y)
        }
        let eval = rows(60), train = rows(100)
        for (name, values, shape) in [("x", eval.x, [60, 4]), ("y", eval.y, [60]), ("xt", train.x, [100, 4]), ("yt", train.y, [100])] {
            try RidgeProbeAuditTests.npy(values, shape: shape, float64: false).write(to: URL(fileURLWithPath: root + "/\(name).npy"))
        }
        let spec = try Self.spec(root: root, training: "\n  trainingInputs: \(root)/xt.npy\n  trainingLabels: \(root)/yt.npy")
        let subject = try #require(try Audit.subject(for: spec, specDirectory: root, jobs: 1) as? NetworkSubject)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 1 && result.tests[0].null.values.count == 3)
        // Null model 1 is the architecture retrained from `seed → null → permuted-labels → 1`.
        let stream1 = RandomStream(seed: 21, path: ["null", "permuted-labels", 1])
        let inputs = Tensor(shape: [100, 4], scalars: train.x.map(Float.init))
        let targets = Tensor(shape: [100], scalars: train.y.map(Float.init))
        BLAS.enterSingleThreaded()
        let retrained = NullModels.retrainedOnPermutedLabels(
            like: subject.trained[0], inputs: inputs, targets: targets,
            plan: NetworkSubject.plan(spec.model.training, stream: stream1.derived("training")), stream: stream1).model
        BLAS.leaveSingleThreaded()
        let direct = retrained.captured(subject.evaluationInputs, sites: ["layers.1.post"])["layers.1.post"]
        let audited = try subject.activations(.null(family: "permuted-labels", index: 1), sites: ["layers.1.post"])["layers.1.post"]
        #expect(direct != nil && direct == audited)
        #expect(retrained != subject.trained[0])
    }

    @Test func withoutTrainingDataPermutedLabelsIsRefused() throws {
        do {
            _ = try Self.spec(root: "/tmp", training: "")
            Issue.record("permuted-labels without training data was accepted")
        } catch {
            #expect("\(error)".contains("nulls[0].family") && "\(error)".contains("model.trainingInputs"), "\(error)")
        }
        do {
            _ = try Self.spec(root: "/tmp", training: "\n  trainingInputs: xt.npy")
            Issue.record("training inputs without labels were accepted")
        } catch {
            #expect("\(error)".contains("model.trainingLabels"), "\(error)")
        }
    }
}
