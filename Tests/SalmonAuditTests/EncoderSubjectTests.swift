import Foundation
import SalmonAudit
import SalmonIO
import SalmonNetworks
import SalmonStatistics
import Testing

/// A BERT checkpoint as an audit subject: text through WordPiece, padding and pooling equal to
/// transformers' (`Fixtures/bert_encoder/generate.py`, on the tiny checkpoint of
/// `SalmonNetworksTests/Fixtures/hf_bert`), its null models made from seeds, byte-identical across jobs.
@Suite struct EncoderSubjectTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bert_encoder").path
    static let checkpoint = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SalmonNetworksTests/Fixtures/hf_bert/model").path
    static let sites = ["embeddings", "layers.0", "layers.1", "layers.2"]

    static func spec(inputs: String = "text: lines.txt\n  tokenizer: vocab.txt\n  truncation: truncate", pooling: String = "mean",
                     claims: String? = nil, nulls: String = "  - {family: random-init, K: 3}") throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: bert
            seed: 11
            model:
              stateDict: \(checkpoint)/model.safetensors
              architecture: \(checkpoint)/config.json
              \(inputs)
              pooling: \(pooling)
            claims:
            \(claims ?? "  - {name: mean, method: {name: activation-statistics}, sites: [embeddings, layers.0, layers.1, layers.2], statistic: meanActivation}")
            nulls:
            \(nulls)
            resampling: {bootstrap: 100}
            """, file: "spec.yaml")
    }

    /// Equal shapes and every value within 1e-5 (a padded batch and one sequence at a time run
    /// products of other shapes).
    static func close(_ a: Tensor?, _ b: Tensor) -> Bool {
        guard let a, a.shape == b.shape else { return false }
        return zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-5 }
    }

    static func subject(_ spec: AuditSpec) throws -> EncoderSubject {
        try #require(try Audit.subject(for: spec, specDirectory: fixtures, jobs: 1) as? EncoderSubject)
    }

    /// Each pooling's rows at every hidden state equal transformers' hidden states pooled over its
    /// attention mask (14 lines, one truncated to the 12 positions as `truncation=True` cuts it).
    @Test(arguments: ["mean", "first", "last", "tokens"])
    func textRowsEqualTransformersHiddenStates(pooling: String) throws {
        let subject = try Self.subject(try Self.spec(pooling: pooling))
        let expected = try ArrayInput.activations(Self.fixtures + "/\(pooling).npy")
        // [4 hidden states, rows, 16], read as [4, rows · 16].
        let d = 16, rows = expected.shape[1] / d
        try #require(expected.shape == [4, rows * d] && rows == (pooling == "tokens" ? 100 : 14))
        let captured = try subject.activations(.trained(seed: 0), sites: Set(Self.sites + (pooling == "tokens" ? [] : ["pooler"])))
        var largest: Float = 0
        for (i, site) in Self.sites.enumerated() {
            let ours = try #require(captured[site])
            #expect(ours.shape == [rows, d])
            for k in 0..<(rows * d) { largest = max(largest, abs(ours.scalars[k] - expected.scalars[i * rows * d + k])) }
        }
        #expect(largest <= 2e-6, "largest difference \(largest)")
        if pooling != "tokens" {
            let pooled = try ArrayInput.activations(Self.fixtures + "/pooled.npy")
            let ours = try #require(captured["pooler"])
            #expect(zip(ours.scalars, pooled.scalars).allSatisfy { abs($0 - $1) <= 2e-6 })
        }
    }

    /// The word pieces are the fast tokenizer's ids (without the padding), and token ids given as
    /// `model.inputs` — padded on the right with [PAD] — make the same sequences and rows.
    @Test func idsAsInputsMakeTheSameSequencesAsText() throws {
        let text = try Self.subject(try Self.spec())
        let ids = try ArrayInput.tokenSequences(Self.fixtures + "/ids.npy", vocabulary: 50, context: 12)
        #expect(text.sequences == ids.map { row in Array(row.prefix { $0 != 0 }) })
        #expect(text.sequences.map(\.count) == [9, 6, 12, 3, 8, 8, 4, 10, 3, 10, 3, 8, 6, 10])
        let fromIDs = try Self.subject(try Self.spec(inputs: "inputs: ids.npy"))
        #expect(fromIDs.sequences == text.sequences)
        let a = try text.activations(.trained(seed: 0), sites: ["layers.2"]), b = try fromIDs.activations(.trained(seed: 0), sites: ["layers.2"])
        #expect(a["layers.2"] == b["layers.2"])
        #expect(text.modelDescription.contains("1 line longer than the model's positions truncated"))
    }

    /// Without `truncation: truncate`, the 13-piece line is refused, naming the file and line.
    @Test func aLineLongerThanThePositionsIsRefusedUnlessTruncated() throws {
        let spec = try Self.spec(inputs: "text: lines.txt\n  tokenizer: vocab.txt")
        #expect {
            _ = try Audit.subject(for: spec, specDirectory: Self.fixtures, jobs: 1)
        } throws: { error in
            let message = (error as? InputError)?.description ?? ""
            return message.contains("lines.txt") && message.contains("3") && message.contains("at most 12 word pieces") && message.contains("found 13")
        }
    }

    /// Null model k of each family is the library's null of the checkpoint drawn from
    /// `seed → "null" → family → k`, at the site's component for the layer-wise families.
    @Test func nullModelsAreMadeFromTheirSeeds() throws {
        let spec = try Self.spec(nulls: """
              - {family: random-init, K: 2}
              - {family: cascading-top-down, K: 2}
              - {family: independent-layer, K: 2}
              - {family: moment-redraw-except-embeddings, K: 2}
            """)
        let subject = try Self.subject(spec)
        let trained = subject.trained[0]
        func stream(_ family: String, _ k: Int) -> RandomStream { RandomStream(seed: 11, path: ["null", .label(family), .index(k)]) }
        let random = try subject.activations(.null(family: "random-init", index: 1), sites: ["layers.1"])
        let fresh = trained.reinitialized(stream: stream("random-init", 1))
        #expect(Self.close(random["layers.1"], fresh.hiddenStatesPooledForTest(subject)))
        let top = try subject.activations(.null(family: "cascading-top-down", index: 0), sites: ["layers.1"])
        let cascaded = NullModels.cascaded(trained, topDown: true, through: .layer(1), stream: stream("cascading-top-down", 0))
        #expect(cascaded.layers[0] == trained.layers[0] && cascaded.wordEmbedding == trained.wordEmbedding)
        #expect(cascaded.layers[1] != trained.layers[1] && cascaded.layers[2] != trained.layers[2] && cascaded.pooler != trained.pooler)
        #expect(Self.close(top["layers.1"], cascaded.hiddenStatesPooledForTest(subject)))
        let alone = NullModels.independentComponent(trained, .layer(1), stream: stream("independent-layer", 0))
        #expect(alone.layers[2] == trained.layers[2] && alone.layers[0] == trained.layers[0] && alone.layers[1] != trained.layers[1])
        let independent = try subject.activations(.null(family: "independent-layer", index: 0), sites: ["layers.1"])
        #expect(Self.close(independent["layers.1"], alone.hiddenStatesPooledForTest(subject)))
        let redrawn = NullModels.redrawnFromMomentsExceptEmbeddings(trained, stream: stream("moment-redraw-except-embeddings", 0))
        #expect(redrawn.wordEmbedding == trained.wordEmbedding && redrawn.embeddingNorm == trained.embeddingNorm && redrawn.layers[0] != trained.layers[0])
    }

    /// The whole audit — a probe on labels from a file, random-init, cascading and moment-redraw
    /// nulls — gives the same tests and claim outcomes, to the byte, with one job and with two.
    @Test func theAuditIsByteIdenticalAcrossJobs() async throws {
        let root = NSTemporaryDirectory() + "encoder-jobs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["lines.txt", "vocab.txt", "tokenizer_config.json"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + name, toPath: root + "/" + name)
        }
        // Whether a line holds "bad" or "not": 4 of 14.
        let labels: [Double] = [0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]
        try RidgeProbeAuditTests.npy(labels, shape: [14], float64: false).write(to: URL(fileURLWithPath: root + "/negative.npy"))
        let spec = try Self.spec(claims: """
              - {name: negative, method: {name: logistic-probe, folds: 2}, sites: [layers.0, layers.2], target: negative.npy}
              - {name: mean, method: {name: activation-statistics}, sites: [layers.2], statistic: meanActivation}
            """, nulls: """
              - {family: random-init, K: 6}
              - {family: cascading-bottom-up, K: 4}
              - {family: moment-redraw, K: 4}
            """)
        var results: [Data] = []
        for jobs in [1, 2] {
            let subject = try #require(try Audit.subject(for: spec, specDirectory: root, jobs: jobs) as? EncoderSubject)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: jobs).result)
            #expect(result.tests.count == 2 * 3 + 3)
            // The provenance records the jobs; every test and claim outcome must be the same bytes.
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            results.append(try encoder.encode(result.tests) + encoder.encode(result.claims))
        }
        #expect(results[0] == results[1])
    }
}

extension BertEncoder {
    /// Mean-pooled `layers.1` rows of `subject`'s sequences, one sequence at a time (no padding):
    /// what the subject's batched, padded capture must equal.
    func hiddenStatesPooledForTest(_ subject: EncoderSubject) -> Tensor {
        var rows: [Float] = []
        for sequence in subject.sequences {
            let state = hiddenStates(tokens: sequence, batch: 1, length: sequence.count)[2]
            let d = state.shape[1]
            for j in 0..<d {
                var total = 0.0
                for t in 0..<sequence.count { total += Double(state.scalars[t * d + j]) }
                rows.append(Float(total / Double(sequence.count)))
            }
        }
        return Tensor(shape: [subject.sequences.count, configuration.dimension], scalars: rows)
    }
}

/// Calibration of a checkpoint's null families: audits whose "trained" encoder is one more null
/// draw call the claim distinguishable at a rate inside the binomial 99.9 % band around 5 %.
@Suite struct EncoderCalibrationTests {
    static func spec(seed: Int, family: String,
                     claim: String = "{name: mean, method: {name: activation-statistics}, sites: [layers.1], statistic: meanActivation}") throws -> AuditSpec {
        try AuditSpec.parse(yaml: """
            name: calibration
            seed: \(seed)
            model:
              stateDict: \(EncoderSubjectTests.checkpoint)/model.safetensors
              architecture: \(EncoderSubjectTests.checkpoint)/config.json
              text: \(EncoderSubjectTests.fixtures)/lines.txt
              tokenizer: \(EncoderSubjectTests.fixtures)/vocab.txt
              truncation: truncate
            claims:
              - \(claim)
            nulls:
              - {family: \(family), K: 19}
            resampling: {bootstrap: 100}
            """, file: "calibration.yaml")
    }

    @Test(arguments: ["random-init", "moment-redraw"])
    func oneMoreNullDrawIsDistinguishableAtTheNominalRate(family: String) async throws {
        let (distinguishable, band) = try await calibrationCount(family: family) { try Self.spec(seed: $0, family: family) }
        print("encoder calibration, \(family): \(distinguishable) of 400 distinguishable (band \(band))")
        #expect(band.contains(distinguishable), "\(family): \(distinguishable) of 400 distinguishable, band \(band)")
    }

    /// `pca-target-correlation` (top-3 components against a real-valued target read from a file,
    /// one per line) on the checkpoint's mean-pooled rows: one more random-init draw is called
    /// distinguishable at the nominal rate.
    @Test func aRealValuedPCACorrelationIsCalibrated() async throws {
        let target = NSTemporaryDirectory() + "encoder-pca-target-\(UUID().uuidString).npy"
        defer { try? FileManager.default.removeItem(atPath: target) }
        // A real value per line, unrelated to any model: the lines' lengths in characters, jittered.
        let values: [Double] = [22, 13, 36, 4, 7, 17, 4, 19, 5, 27, 4, 13, 10, 31].enumerated().map { $1 + 0.1 * Double($0 % 3) }
        try RidgeProbeAuditTests.npy(values, shape: [14], float64: true).write(to: URL(fileURLWithPath: target))
        let claim = "{name: pc, method: {name: pca-target-correlation, components: 3}, sites: [layers.1], target: \(target)}"
        let (distinguishable, band) = try await calibrationCount { try Self.spec(seed: $0, family: "random-init", claim: claim) }
        print("encoder calibration, pca-target-correlation: \(distinguishable) of 400 distinguishable (band \(band))")
        #expect(band.contains(distinguishable), "\(distinguishable) of 400 distinguishable, band \(band)")
    }
}
