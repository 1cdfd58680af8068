import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonReports
import SalmonStatistics
import Testing

/// Audits of transformers from a spec: a model trained here on modular addition, its sites and
/// null families, and the values recomputed from the networks.
@Suite struct TransformerAuditTests {
    static let yaml = """
    name: modular-addition-small
    seed: 4
    model:
      task: modular-addition
      taskOptions: {modulus: 7, examples: 30}
      transformer: {dimension: 16, heads: 2, layers: 2}
      training: {epochs: 60, batchSize: 30, learningRate: 0.003, weightDecay: 1.0}
      evaluationExamples: 19
    sites: [embed, blocks.0.resid.mid, blocks.1.resid, final]
    claims:
      - {name: sum, method: {name: logistic-probe, folds: 3}}
      - {name: first, method: {name: logistic-probe, folds: 3}, target: "operand:0"}
    nulls:
      - {family: random-init, K: 5}
      - {family: cascading-top-down, K: 5}
      - {family: cascading-bottom-up, K: 5}
      - {family: independent-layer, K: 5}
    resampling: {bootstrap: 200}
    """

    /// The rows of `all` at the last of `length` positions.
    static func lastPosition(_ all: Tensor, sequences: Int, length: Int) -> Tensor {
        let width = all.shape[1]
        var rows: [Float] = []
        for b in 0..<sequences { rows += all.scalars[((b * length + length - 1) * width)..<((b * length + length) * width)] }
        return Tensor(shape: [sequences, width], scalars: rows)
    }

    @Test func probeClaimsOnTheResidualStreamAgainstBlockwiseNulls() async throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml)
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        #expect(subject.evaluation.count == 19 && subject.evaluation.allSatisfy { $0.count == 2 })
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 2 * 4 * 4)
        let again = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 1).result)
        #expect(CSVReport.render(again) == CSVReport.render(result))

        // The trained value is the probe on the last-position activations of a plain forward pass.
        let model = subject.trained[0]
        let tokens = subject.evaluation.flatMap { $0 }
        let sum = subject.evaluation.map { ($0[0] + $0[1]) % 7 }
        let pass = model.forward(tokens: tokens, batch: 19, length: 2, hooks: Hooks(capture: ["blocks.1.resid"]))
        let resid = Self.lastPosition(try #require(pass.captured["blocks.1.resid"]), sequences: 19, length: 2)
        let probe = Probe(.logistic(LogisticRegression()), folds: 3)
        let direct = try probe.explain(try ProbeData(activations: resid, target: .classes(sum, count: 7)),
                                       stream: RandomStream(seed: 4, path: ["method", "sum", "blocks.1.resid"]))
        let test = try #require(result.tests.first { $0.id == "sum@blocks.1.resid~random-init" })
        #expect(test.estimate == direct.scalars["accuracy"])
        #expect(test.statistic == "accuracy" && test.direction == "larger")

        // Null models by stage: for 2 blocks the top-down cascade is [unembedding, block 1, block 0,
        // embeddings], bottom-up the reverse; independent-layer re-initializes the site's block alone.
        func nullActivations(_ family: String, _ k: Int, _ site: String) throws -> Tensor {
            try #require(try subject.activations(.null(family: family, index: k), sites: [site])[site])
        }
        func captured(_ m: Transformer, _ site: String) throws -> Tensor {
            let p = m.forward(tokens: tokens, batch: 19, length: 2, hooks: Hooks(capture: [site]))
            return Self.lastPosition(try #require(p.captured[site]), sequences: 19, length: 2)
        }
        for k in [0, 3] {
            func stream(_ family: String) -> RandomStream { RandomStream(seed: 4, path: ["null", .label(family), .index(k)]) }
            let top = NullModels.cascade(model, topDown: true, stream: stream("cascading-top-down"))
            let bottom = NullModels.cascade(model, topDown: false, stream: stream("cascading-bottom-up"))
            #expect(try nullActivations("cascading-top-down", k, "blocks.0.resid.mid") == captured(top[2], "blocks.0.resid.mid"))
            #expect(try nullActivations("cascading-top-down", k, "embed") == captured(top[3], "embed"))
            #expect(try nullActivations("cascading-top-down", k, "final") == captured(top[0], "final"))
            #expect(try nullActivations("cascading-bottom-up", k, "blocks.1.resid") == captured(bottom[2], "blocks.1.resid"))
            #expect(try nullActivations("cascading-bottom-up", k, "embed") == captured(bottom[0], "embed"))
            let independent = NullModels.independentBlock(model, block: 1, stream: stream("independent-layer"))
            #expect(try nullActivations("independent-layer", k, "blocks.1.resid") == captured(independent, "blocks.1.resid"))
            // The stream entering block 1 belongs to block 0 (and entering block 0, to the embeddings):
            // re-initializing "its" component changes it.
            let independent0 = NullModels.independentBlock(model, block: 0, stream: stream("independent-layer"))
            #expect(try nullActivations("independent-layer", k, "blocks.1.resid.pre") == captured(independent0, "blocks.1.resid.pre"))
            #expect(try nullActivations("cascading-top-down", k, "blocks.1.resid.pre") == captured(top[2], "blocks.1.resid.pre"))
            #expect(try nullActivations("cascading-top-down", k, "blocks.0.resid.pre") == captured(top[3], "blocks.0.resid.pre"))
            #expect(try nullActivations("independent-layer", k, "blocks.1.resid.pre") != captured(model, "blocks.1.resid.pre"))
            let fresh = NullModels.reinitialized(model, stream: stream("random-init"))
            #expect(try nullActivations("random-init", k, "blocks.1.resid") == captured(fresh, "blocks.1.resid"))
        }
        // The null draws of one test are the statistic of those null models.
        let cascadeTest = try #require(result.tests.first { $0.id == "first@blocks.0.resid.mid~cascading-top-down" })
        let first = subject.evaluation.map { $0[0] }
        let draws = try (0..<5).map { k in
            try #require(try probe.explain(try ProbeData(activations: try nullActivations("cascading-top-down", k, "blocks.0.resid.mid"),
                                                         target: .classes(first, count: 7)),
                                           stream: RandomStream(seed: 4, path: ["method", "first", "blocks.0.resid.mid"])).scalars["accuracy"])
        }
        #expect(cascadeTest.null.values == draws)
    }

    /// Heap et al.'s two moment redraws: `moment-redraw` redraws every tensor, and
    /// `moment-redraw-except-embeddings` the same way from its own stream but keeps the trained
    /// token and position embeddings, so its embed site equals the trained network's and its
    /// deeper sites do not. A layered network, which has no embeddings, refuses the second.
    @Test func momentRedrawExceptEmbeddingsKeepsTheTrainedEmbeddings() throws {
        let spec = try AuditSpec.parse(yaml: Self.yaml.replacingOccurrences(of: "  - {family: random-init, K: 5}",
                                                                            with: "  - {family: moment-redraw, K: 5}\n  - {family: moment-redraw-except-embeddings, K: 5}"))
        let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 2) as? TransformerSubject)
        let model = subject.trained[0]
        for k in [0, 4] {
            let stream = RandomStream(seed: 4, path: ["null", "moment-redraw-except-embeddings", .index(k)])
            let redrawn = NullModels.redrawnFromMoments(model, stream: stream)
            let kept = NullModels.redrawnFromMomentsExceptEmbeddings(model, stream: stream)
            #expect(kept.tokenEmbedding == model.tokenEmbedding && kept.positionEmbedding == model.positionEmbedding)
            #expect(kept.blocks == redrawn.blocks && kept.unembedding == redrawn.unembedding && kept.blocks != model.blocks)
            let null = try subject.activations(.null(family: "moment-redraw-except-embeddings", index: k), sites: ["embed", "blocks.1.resid"])
            let trained = try subject.activations(.trained(seed: 0), sites: ["embed", "blocks.1.resid"])
            #expect(null["embed"] == trained["embed"] && null["blocks.1.resid"] != trained["blocks.1.resid"])
            let all = try subject.activations(.null(family: "moment-redraw", index: k), sites: ["embed"])
            #expect(all["embed"] != trained["embed"])
        }
        #expect(throws: SpecError.self) {
            _ = try AuditSpec.parse(yaml: """
                name: mlp
                model: {task: planted-concepts, hidden: [4]}
                claims: [{name: p, method: {name: logistic-probe}, sites: [layers.0.post]}]
                nulls: [{family: moment-redraw-except-embeddings, K: 2}]
                """)
        }
    }

    /// `fourier:K` is the binary concept cos(2πK·(a + b mod p)/p) > 0 of each held-out pair,
    /// recomputed here from the pairs; every frequency of modulus 7 splits the sums 4 to 3 or 3 to 4.
    @Test func fourierTargetIsTheSignOfTheSumsCosine() throws {
        for k in 1...3 {
            let spec = try AuditSpec.parse(yaml: Self.yaml.replacingOccurrences(of: "operand:0", with: "fourier:\(k)"))
            let subject = try #require(try Audit.subject(for: spec, specDirectory: ".", jobs: 1) as? TransformerSubject)
            let claim = try #require(spec.claims.first { $0.name == "first" })
            let activations = try #require(try subject.activations(.trained(seed: 0), sites: ["final"])["final"])
            let expected = subject.evaluation.map { cos(2 * Double.pi * Double(k * (($0[0] + $0[1]) % 7)) / 7) > 0 ? 1 : 0 }
            guard case .classes(let values, let count) = try subject.probeData(claim: claim, activations: activations).target else {
                Issue.record("fourier:\(k) is not a class target"); continue
            }
            #expect(count == 2 && values == expected)
            #expect(Set(values) == [0, 1])
            let positives = (0..<7).filter { cos(2 * Double.pi * Double(k * $0) / 7) > 0 }.count
            #expect(positives == 3 || positives == 4)
        }
    }

    @Test func transformerSitesAndClaimsAreCheckedNamingTheField() throws {
        func refusal(_ edit: (String) -> String) -> String { subjectRefusal(of: Self.yaml, file: "t.yaml", edit) }
        let site = refusal { $0.replacingOccurrences(of: "blocks.1.resid, final", with: "blocks.1.resid.post, final") }
        #expect(site.contains("unknown site 'blocks.1.resid.post'") && site.contains("did you mean"), "\(site)")
        let attribution = refusal {
            $0.replacingOccurrences(of: "  - {name: first, method: {name: logistic-probe, folds: 3}, target: \"operand:0\"}",
                                    with: "  - {name: first, method: {name: gradient}, statistic: deletionAUC}")
        }
        #expect(attribution.contains("t.yaml: field 'claims[1].method'") && attribution.contains("attribution claims audit MLPs"), "\(attribution)")
        let target = refusal { $0.replacingOccurrences(of: "operand:0", with: "operand:2") }
        #expect(target.contains("claims.first.target") && target.contains("operand:1"), "\(target)")
        for frequency in ["fourier:0", "fourier:4", "fourier:x"] {
            let fourier = refusal { $0.replacingOccurrences(of: "operand:0", with: frequency) }
            #expect(fourier.contains("claims.first.target") && fourier.contains("1 … 3 (modulus 7)") && fourier.contains(frequency), "\(fourier)")
        }
        let pairs = refusal { $0.replacingOccurrences(of: "examples: 30", with: "examples: 31") }
        #expect(pairs.contains("model.taskOptions.examples") && pairs.contains("49 pairs"), "\(pairs)")
        let mlp = refusal { $0.replacingOccurrences(of: "task: modular-addition", with: "task: digits") }
        #expect(mlp.contains("model.transformer"), "\(mlp)")
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gpt2_modular_addition").path

    /// The committed spec on the state dict PyTorch wrote (`Fixtures/gpt2_modular_addition/generate.py`):
    /// the activations the subject captures equal PyTorch's to 1e-5, and the audit runs from the
    /// YAML file (with fewer null models than the committed spec, for time).
    @Test func aGPT2StateDictWrittenByPyTorchIsAuditedFromYAML() async throws {
        let text = try String(contentsOfFile: Self.fixture + "/spec.yaml", encoding: .utf8)
        let spec = try AuditSpec.parse(yaml: text.replacingOccurrences(of: "K: 499", with: "K: 9"), file: "spec.yaml")
        let subject = try #require(try Audit.subject(for: spec, specDirectory: Self.fixture, jobs: 1) as? TransformerSubject)
        #expect(subject.evaluation.count == 39 && subject.trained[0].configuration.vocabulary == 13)
        let captured = try subject.activations(.trained(seed: 0), sites: ["blocks.0.resid", "logits"])
        for (site, file) in [("blocks.0.resid", "reference_resid.npy"), ("logits", "reference_logits.npy")] {
            let ours = try #require(captured[site]), theirs = try ArrayInput.activations(Self.fixture + "/" + file)
            #expect(ours.shape == theirs.shape)
            let worst = zip(ours.scalars, theirs.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
            #expect(worst < 1e-5, "\(site): worst relative difference \(worst)")
        }
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        #expect(result.tests.count == 2 * 3 * 2)
        let labels = try ArrayInput.integers(Self.fixture + "/labels.npy", what: "labels")
        let direct = try Probe(.logistic(LogisticRegression(inverseRegularization: 100)), folds: 3).explain(
            try ProbeData(activations: try #require(captured["blocks.0.resid"]), target: .classes(labels, count: 13)),
            stream: RandomStream(seed: 2, path: ["method", "sum", "blocks.0.resid"]))
        #expect(result.tests.first { $0.id == "sum@blocks.0.resid~random-init" }?.estimate == direct.scalars["accuracy"])
        #expect(result.model.contains("GPT-2-layout transformer"))
    }

    /// Activation patching of a state dict PyTorch wrote, on pairs from files
    /// (`Fixtures/gpt2_modular_addition/generate_counterfactuals.py`): each head's logit difference
    /// recovered equals PyTorch's own head patching to 1e-4.
    @Test func headPatchingOfAStateDictOnPairsFromFilesIsPyTorchs() async throws {
        let yaml = """
            name: gpt2-patching
            seed: 2
            model:
              stateDict: model.safetensors
              architecture: architecture.json
              inputs: tokens.npy
              counterfactuals: {corrupted: corrupted.npy, correct: correct.npy, wrong: wrong.npy}
            claims:
              - {name: carries, method: {name: activation-patching}, sites: [blocks.0.attn.heads.0, blocks.0.attn.heads.1, blocks.0.attn.heads.2, blocks.0.attn.heads.3]}
            nulls:
              - {family: random-init, K: 4}
            resampling: {bootstrap: 100}
            """
        let spec = try AuditSpec.parse(yaml: yaml, file: "spec.yaml")
        let subject = try #require(try Audit.subject(for: spec, specDirectory: Self.fixture, jobs: 1) as? TransformerSubject)
        let pairs = try #require(subject.counterfactuals)
        #expect(pairs.clean == subject.evaluation && pairs.corrupted.count == 39)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let reference = try ArrayInput.activations(Self.fixture + "/reference_head_recovered.npy").scalars.map(Double.init)
        #expect(reference.count == 4)
        for h in 0..<4 {
            let test = try #require(result.tests.first { $0.id == "carries@blocks.0.attn.heads.\(h)~random-init" })
            #expect(abs(test.estimate - reference[h]) <= 1e-4, "head \(h): \(test.estimate) vs PyTorch \(reference[h])")
        }
    }

    /// A Hugging Face checkpoint directory audited as it is (`config.json` as the architecture):
    /// the activations the subject captures are transformers' hidden states, and each random-init
    /// null model is drawn with the config's initialization (σ = initializer_range 0.2, the
    /// residual projections scaled, the unembedding tied).
    @Test func aHuggingFaceCheckpointDirectoryIsAuditedWithItsOwnInitialization() async throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SalmonNetworksTests/Fixtures/hf_gpt2").path
        let spec = try AuditSpec.parse(yaml: """
            name: hf-gpt2
            seed: 4
            model:
              stateDict: lm/model.safetensors
              architecture: lm/config.json
              inputs: tokens.npy
            claims:
              - {name: mean, method: {name: activation-statistics}, sites: [blocks.0.resid, final], statistic: meanActivation}
            nulls:
              - {family: random-init, K: 3}
            resampling: {bootstrap: 100}
            """, file: "spec.yaml")
        let subject = try #require(try Audit.subject(for: spec, specDirectory: directory, jobs: 1) as? TransformerSubject)
        let model = subject.trained[0]
        #expect(model.configuration.initialization.standardDeviation == 0.2 && model.configuration.initialization.tiedUnembedding)
        let hidden = try ArrayInput.activations(directory + "/lm_hidden.npy").scalars
        let captured = try subject.activations(.trained(seed: 0), sites: ["blocks.0.resid"])
        // The subject reads the last position of each sequence: hidden state 1 (after block 0) at position 6.
        let ours = try #require(captured["blocks.0.resid"])
        #expect(ours.shape == [4, 16])
        for b in 0..<4 {
            for j in 0..<16 {
                let row: Int = (4 + b) * 7 + 6   // hidden state 1, sequence b, position 6
                let theirs: Float = hidden[row * 16 + j]
                #expect(abs(ours.scalars[b * 16 + j] - theirs) <= 1e-5)
            }
        }
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let test = try #require(result.tests.first { $0.id == "mean@final~random-init" })
        for k in 0..<3 {
            let null = NullModels.reinitialized(model, stream: RandomStream(seed: 4, path: ["null", "random-init", .index(k)]))
            #expect(null.unembedding == null.tokenEmbedding.weight)
            let pass = null.forward(tokens: subject.evaluation.flatMap { $0 }, batch: 4, length: 7, hooks: Hooks(capture: ["final"]))
            let final = try #require(pass.captured["final"])
            var total = 0.0
            for b in 0..<4 { for j in 0..<16 { total += Double(final.scalars[(b * 7 + 6) * 16 + j]) } }
            #expect(abs(test.null.values[k] - total / 64) <= 1e-6, "null \(k): \(test.null.values[k]) vs \(total / 64)")
        }
    }
}
