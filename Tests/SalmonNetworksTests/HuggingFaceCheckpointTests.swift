import Foundation
import Testing
import SalmonIO
import SalmonNetworks
import SalmonStatistics

/// Checkpoint directories written by Hugging Face transformers' `save_pretrained`
/// (Fixtures/hf_gpt2/generate.py): `config.json` read as the architecture, `model.safetensors` by
/// its native names, and the hidden states at every layer equal to transformers' to 1e-4.
@Suite struct HuggingFaceCheckpointTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hf_gpt2")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func array(_ name: String) throws -> NPYArray {
        try NPYArray(parsing: try Data(contentsOf: directory.appendingPathComponent(name)), source: name)
    }

    /// transformers' `output_hidden_states` are the embeddings, the residual stream after each
    /// block but the last, and the last block's output after the final LayerNorm: DeadSalmon's
    /// `embed`, `blocks.i.resid` (i < L − 1) and `final`.
    @Test(arguments: [("lm", 2, 16), ("base", 3, 12)])
    func hiddenStatesAtEveryLayerEqualTransformers(name: String, layers: Int, width: Int) throws {
        guard case .transformer(let model) = try StateDict.load(path: Self.path("\(name)/model.safetensors"),
                                                                architecturePath: Self.path("\(name)/config.json")) else {
            Issue.record("expected a transformer")
            return
        }
        #expect(model.configuration.layers == layers && model.configuration.dimension == width)
        let tokens = try Self.array("tokens.npy").integers().map(Int.init)
        let expected = try Self.array("\(name)_hidden.npy")
        #expect(expected.shape == [layers + 1, 4, 7, width])
        let reference = try expected.floats()
        let sites = ["embed"] + (0..<(layers - 1)).map { "blocks.\($0).resid" } + ["final"]
        let pass = model.forward(tokens: tokens, batch: 4, length: 7, hooks: Hooks(capture: Set(sites)))
        let per = 4 * 7 * width
        var largest: Float = 0
        for (k, site) in sites.enumerated() {
            let ours = try #require(pass.captured[site])
            let theirs = reference[(k * per)..<((k + 1) * per)]
            let worst = zip(ours.scalars, theirs).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "\(name) \(site) (hidden state \(k)): largest difference \(worst)")
            largest = max(largest, worst)
        }
        if name == "lm" {
            let logits = try Self.array("lm_logits.npy").floats()
            let worst = zip(pass.logits.scalars, logits).map { abs($0 - $1) }.max() ?? .infinity
            #expect(pass.logits.count == logits.count && worst <= 1e-4, "logits: largest difference \(worst)")
        }
        print("Hugging Face \(name) checkpoint: hidden states at \(layers + 1) layers within \(largest) of transformers'")
    }

    /// Every key of a config.json is read, known to be irrelevant to a forward pass, or refused by
    /// name; a setting the loader does not implement is refused with the value it needs.
    @Test func configurationKeysTheLoaderDoesNotSupportAreRefusedByName() throws {
        let original = try String(contentsOfFile: Self.path("lm/config.json"), encoding: .utf8)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hf-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        func refusal(_ edit: (String) -> String) -> String {
            let config = scratch.appendingPathComponent("config.json")
            do {
                try edit(original).write(to: config, atomically: true, encoding: .utf8)
                _ = try StateDict.load(path: Self.path("lm/model.safetensors"), architecturePath: config.path)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(refusal { $0 } == "accepted")
        let unknown = refusal { $0.replacingOccurrences(of: "\"n_embd\"", with: "\"rotary_dim\": 4,\n  \"n_embd\"") }
        #expect(unknown.contains("config.json") && unknown.contains("rotary_dim") && unknown.contains("does not support"), "\(unknown)")
        let scaled = refusal { $0.replacingOccurrences(of: "\"scale_attn_by_inverse_layer_idx\": false", with: "\"scale_attn_by_inverse_layer_idx\": true") }
        #expect(scaled.contains("scale_attn_by_inverse_layer_idx") && scaled.contains("false"), "\(scaled)")
        let bert = refusal { $0.replacingOccurrences(of: "\"model_type\": \"gpt2\"", with: "\"model_type\": \"bert\"") }
        #expect(bert.contains("model_type") && bert.contains("\"bert\""), "\(bert)")
        let activation = refusal { $0.replacingOccurrences(of: "\"gelu_new\"", with: "\"swish\"") }
        #expect(activation.contains("activation_function") && activation.contains("swish"), "\(activation)")
        let shape = refusal { $0.replacingOccurrences(of: "\"n_embd\": 16", with: "\"n_embd\": 20") }
        #expect(shape.contains("model.safetensors") && shape.contains("shape"), "\(shape)")
    }

    /// The two-sample Kolmogorov–Smirnov statistic D = sup |F₁ − F₂|.
    static func kolmogorovSmirnov(_ a: [Float], _ b: [Float]) -> Double {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let v = min(x[i], y[j])
            while i < x.count && x[i] == v { i += 1 }
            while j < y.count && y[j] == v { j += 1 }
            d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return d
    }

    /// Random init of a checkpoint is transformers' own (`_init_weights` of GPT2PreTrainedModel):
    /// per group of parameters, DeadSalmon's draws (4 null models) and transformers' (4 fresh
    /// models, Fixtures/hf_gpt2/init_*.npy) pass the two-sample Kolmogorov–Smirnov test at
    /// α = 0.001 (D below its asymptotic critical value 1.949·√((n + m)/(n·m)); Smirnov 1948),
    /// while the unscaled σ on the residual projections fails it (the test has power); biases are 0,
    /// LayerNorms 1 and 0, the unembedding is the token embedding, ε is the config's.
    @Test func randomInitIsTransformersInitializerInDistribution() throws {
        guard case .transformer(let model) = try StateDict.load(path: Self.path("lm/model.safetensors"),
                                                                architecturePath: Self.path("lm/config.json")) else {
            Issue.record("expected a transformer")
            return
        }
        let initialization = model.configuration.initialization
        #expect(initialization == TransformerInitialization(standardDeviation: 0.2, scalesResidualProjections: true, tiedUnembedding: true,
                                                            layerNormEpsilon: 1e-5))
        let nulls = (0..<4).map { NullModels.reinitialized(model, stream: RandomStream(seed: 90, path: ["null", .index($0)])) }
        var ours: [String: [Float]] = [:]
        for null in nulls {
            ours["wte", default: []] += null.tokenEmbedding.weight.scalars
            ours["wpe", default: []] += null.positionEmbedding.weight.scalars
            #expect(null.unembedding == null.tokenEmbedding.weight)
            #expect(null.finalNorm.weight.scalars.allSatisfy { $0 == 1 } && null.finalNorm.bias.scalars.allSatisfy { $0 == 0 })
            for block in null.blocks {
                ours["c_attn", default: []] += block.attention.qkv.weight.scalars
                ours["attn_c_proj", default: []] += block.attention.output.weight.scalars
                ours["c_fc", default: []] += block.mlpIn.weight.scalars
                ours["mlp_c_proj", default: []] += block.mlpOut.weight.scalars
                for bias in [block.attention.qkv.bias, block.attention.output.bias, block.mlpIn.bias, block.mlpOut.bias] {
                    #expect(bias.scalars.allSatisfy { $0 == 0 })
                }
                #expect(block.norm1.weight.scalars.allSatisfy { $0 == 1 } && block.norm2.bias.scalars.allSatisfy { $0 == 0 })
            }
        }
        var theirs: [String: [Float]] = [:]
        for group in ["wte", "wpe", "c_attn", "attn_c_proj", "c_fc", "mlp_c_proj"] {
            let reference = try Self.array("init_\(group).npy").floats()
            let mine = try #require(ours[group])
            #expect(mine.count == reference.count)
            let d = Self.kolmogorovSmirnov(mine, reference)
            let critical = 1.949 * Double(mine.count + reference.count).squareRoot() / Double(mine.count * reference.count).squareRoot()
            #expect(d < critical, "\(group): D = \(d), critical value at α = 0.001 \(critical)")
            print("random init vs transformers, \(group): n = \(mine.count), D = \(d) (critical \(critical) at α = 0.001)")
            theirs[group] = reference
        }
        // Power: the residual projections at the unscaled σ are told apart from transformers'.
        let unscaled = try #require(ours["c_attn"]).prefix(try #require(theirs["mlp_c_proj"]).count)
        let d = Self.kolmogorovSmirnov(Array(unscaled), try #require(theirs["mlp_c_proj"]))
        #expect(d > 1.949 * (2.0 / Double(unscaled.count)).squareRoot(), "unscaled σ not rejected: D = \(d)")
        // The base checkpoint's ε and σ.
        guard case .transformer(let base) = try StateDict.load(path: Self.path("base/model.safetensors"),
                                                               architecturePath: Self.path("base/config.json")) else { return }
        #expect(base.configuration.initialization.layerNormEpsilon == 1e-6 && base.blocks[0].norm1.epsilon == 1e-6)
        #expect(NullModels.reinitialized(base, stream: RandomStream(seed: 1)).blocks[2].norm2.epsilon == 1e-6)
    }
}
