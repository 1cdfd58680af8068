import Foundation
import Testing
import SalmonIO
import SalmonNetworks
import SalmonStatistics

/// A BERT checkpoint directory written by transformers' `save_pretrained` (Fixtures/hf_bert/generate.py):
/// hidden states at every layer, with token types and padding, and the pooler equal transformers'
/// to 1e-4; config keys the loader does not support refused by name.
@Suite struct BertCheckpointTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hf_bert")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    static func array(_ name: String) throws -> NPYArray {
        try NPYArray(parsing: try Data(contentsOf: directory.appendingPathComponent(name)), source: name)
    }

    @Test func hiddenStatesAndPoolerEqualTransformers() throws {
        let model = try BertCheckpoint.load(path: Self.path("model/model.safetensors"), configPath: Self.path("model/config.json"))
        let c = model.configuration
        #expect(c.layers == 3 && c.dimension == 16 && c.heads == 4 && c.intermediate == 32 && c.layerNormEpsilon == 1e-12)
        let tokens = try Self.array("tokens.npy").integers().map(Int.init)
        let types = try Self.array("types.npy").integers().map(Int.init)
        let mask = try Self.array("mask.npy").integers().map(Int.init)
        let states = model.hiddenStates(tokens: tokens, types: types, mask: mask, batch: 3, length: 9)
        let expected = try Self.array("hidden.npy")
        #expect(expected.shape == [4, 3, 9, 16] && states.count == 4)
        let reference = try expected.floats()
        var largest: Float = 0
        for (k, state) in states.enumerated() {
            let theirs = reference[(k * 432)..<((k + 1) * 432)]
            let worst = zip(state.scalars, theirs).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "hidden state \(k): largest difference \(worst)")
            largest = max(largest, worst)
        }
        let pooled = try #require(model.pooled(states[3], batch: 3, length: 9))
        let worst = zip(pooled.scalars, try Self.array("pooled.npy").floats()).map { abs($0 - $1) }.max() ?? .infinity
        #expect(pooled.shape == [3, 16] && worst <= 1e-4, "pooler: largest difference \(worst)")
        // Padding matters: without the mask, sequence 2's first tokens would attend to its padding.
        let unmasked = model.hiddenStates(tokens: tokens, types: types, batch: 3, length: 9)
        #expect(zip(unmasked[1].scalars[(18 * 16)..<(19 * 16)], states[1].scalars[(18 * 16)..<(19 * 16)]).contains { abs($0 - $1) > 1e-3 })
        print("BERT checkpoint: hidden states at 4 layers within \(largest) of transformers', pooler within \(worst)")
    }

    @Test func configurationKeysTheLoaderDoesNotSupportAreRefusedByName() throws {
        let original = try String(contentsOfFile: Self.path("model/config.json"), encoding: .utf8)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bert-config-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func refusal(_ edit: (String) -> String) -> String {
            do {
                try edit(original).write(to: scratch, atomically: true, encoding: .utf8)
                _ = try BertCheckpoint.load(path: Self.path("model/model.safetensors"), configPath: scratch.path)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(refusal { $0 } == "accepted")
        let relative = refusal { $0.replacingOccurrences(of: "\"model_type\"", with: "\"position_embedding_type\": \"relative_key\",\n  \"model_type\"") }
        #expect(relative.contains("position_embedding_type") && relative.contains("absolute"), "\(relative)")
        let unknown = refusal { $0.replacingOccurrences(of: "\"model_type\"", with: "\"rotary_value\": true,\n  \"model_type\"") }
        #expect(unknown.contains("rotary_value") && unknown.contains("does not support"), "\(unknown)")
        let decoder = refusal { $0.replacingOccurrences(of: "\"is_decoder\": false", with: "\"is_decoder\": true") }
        #expect(decoder.contains("is_decoder"), "\(decoder)")
        let gpt = refusal { $0.replacingOccurrences(of: "\"model_type\": \"bert\"", with: "\"model_type\": \"gpt2\"") }
        #expect(gpt.contains("model_type") && gpt.contains("\"bert\""), "\(gpt)")
        let shape = refusal { $0.replacingOccurrences(of: "\"intermediate_size\": 32", with: "\"intermediate_size\": 64") }
        #expect(shape.contains("model.safetensors") && shape.contains("intermediate.dense.weight"), "\(shape)")
    }

    /// Random init is transformers' `_init_weights` for this config: per group of weights, 4 of
    /// DeadSalmon's fresh encoders and 4 of transformers' (Fixtures/hf_bert/init_*.npy) pass the
    /// two-sample Kolmogorov–Smirnov test at α = 0.001; biases 0, LayerNorms 1 and 0 with the
    /// config's ε, the [PAD] word embedding 0; the same stream gives the same bits.
    @Test func randomInitIsTransformersInitializerInDistribution() throws {
        let model = try BertCheckpoint.load(path: Self.path("model/model.safetensors"), configPath: Self.path("model/config.json"))
        #expect(model.configuration.initializerRange == 0.2 && model.configuration.padToken == 0)
        let nulls = (0..<4).map { model.reinitialized(stream: RandomStream(seed: 91, path: ["null", .index($0)])) }
        #expect(model.reinitialized(stream: RandomStream(seed: 91, path: ["null", .index(2)])) == nulls[2])
        var ours: [String: [Float]] = [:]
        for null in nulls {
            #expect(null.wordEmbedding.weight.scalars[0..<16].allSatisfy { $0 == 0 })
            ours["words", default: []] += null.wordEmbedding.weight.scalars[16...]
            ours["positions", default: []] += null.positionEmbedding.weight.scalars
            ours["types", default: []] += null.typeEmbedding.weight.scalars
            ours["pooler", default: []] += try #require(null.pooler).weight.scalars
            for layer in null.layers {
                ours["attention", default: []] += layer.query.weight.scalars + layer.key.weight.scalars + layer.value.weight.scalars
                ours["attention_output", default: []] += layer.attentionOutput.weight.scalars
                ours["intermediate", default: []] += layer.intermediate.weight.scalars
                ours["output", default: []] += layer.output.weight.scalars
                for linear in [layer.query, layer.key, layer.value, layer.attentionOutput, layer.intermediate, layer.output] {
                    #expect(linear.bias.scalars.allSatisfy { $0 == 0 })
                }
                #expect(layer.outputNorm.weight.scalars.allSatisfy { $0 == 1 } && layer.attentionNorm.epsilon == 1e-12)
            }
        }
        for group in ["words", "positions", "types", "attention", "attention_output", "intermediate", "output", "pooler"] {
            let reference = try Self.array("init_\(group).npy").floats()
            let mine = try #require(ours[group])
            #expect(mine.count == reference.count)
            let d = HuggingFaceCheckpointTests.kolmogorovSmirnov(mine, reference)
            let critical = 1.949 * Double(mine.count + reference.count).squareRoot() / Double(mine.count * reference.count).squareRoot()
            #expect(d < critical, "\(group): D = \(d), critical value at α = 0.001 \(critical)")
            print("BERT random init vs transformers, \(group): n = \(mine.count), D = \(d) (critical \(critical) at α = 0.001)")
        }
    }
}
