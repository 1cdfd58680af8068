import Foundation
import Testing
import SalmonIO
import SalmonNetworks

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
}
