import Foundation
import SalmonDiagnostics
import SalmonIO

/// A BERT-family checkpoint directory as `save_pretrained` writes it: `config.json` (`model_type:
/// "bert"`) and `model.safetensors` (`BertModel`'s names, or under `bert.` for the task heads'
/// models, whose extra tensors are refused) read into a ``BertEncoder``.
///
/// Every key of the config is accounted for (transformers' `BertConfig`, v4.x–5.x): read —
/// `vocab_size`, `hidden_size`, `num_hidden_layers`, `num_attention_heads`, `intermediate_size`,
/// `hidden_act` (`gelu`, `gelu_new`, `relu`), `max_position_embeddings`, `type_vocab_size`,
/// `layer_norm_eps`, `initializer_range` and `pad_token_id` (these two for null models:
/// ``BertEncoder/init(configuration:pooler:stream:)``); required at BertModel's plain value — `position_embedding_type`
/// (`absolute`), `is_decoder` and `add_cross_attention` (false); irrelevant to an evaluation
/// forward pass — dropout rates, token ids, caching, chunking and bookkeeping keys. Any other key
/// is an error naming it. The buffer `embeddings.position_ids` that older checkpoints store
/// (all-MiniLM-L6-v2's does) is accepted when it is 0, 1, … as BertModel uses it, refused otherwise.
public enum BertCheckpoint {
    public static let ignoredKeys: Set<String> = [
        "_name_or_path", "architectures", "model_type", "transformers_version", "torch_dtype", "dtype",
        "hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout", "bos_token_id",
        "eos_token_id", "use_cache", "gradient_checkpointing", "chunk_size_feed_forward", "tie_word_embeddings",
        "id2label", "label2id", "output_past",
    ]
    static let readKeys: Set<String> = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                                        "hidden_act", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "initializer_range",
                                        "pad_token_id"]

    /// Reads the checkpoint: `configPath` (config.json) and `path` (model.safetensors).
    /// - Throws: ``InputError`` naming the file and the key or tensor at fault.
    public static func load(path: String, configPath: String) throws -> BertEncoder {
        let configuration = try self.configuration(path: configPath)
        let source = InputFile.displayName(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: source, expected: "a readable safetensors file")
        }
        return try load(try SafeTensors(parsing: data, source: source), configuration: configuration)
    }

    /// The configuration a BERT `config.json` describes.
    public static func configuration(path: String) throws -> BertEncoder.Configuration {
        let (text, source) = try InputFile.readText(path)
        let data = Data(text.utf8)
        try JSONDocument.validate(data, source: source)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError(file: source, expected: "a JSON object (a Hugging Face config.json)")
        }
        guard (object["model_type"] as? String) == "bert" else {
            throw InputError(file: source, field: "model_type", expected: "\"bert\", found \(JSONValue.describe(object["model_type"] as Any))")
        }
        let config = ConfigurationObject(object: object, source: source, name: "BertConfig")
        try config.rejectUnknownKeys(known: ignoredKeys.union(readKeys).union(["position_embedding_type", "is_decoder", "add_cross_attention"]))
        if let kind = object["position_embedding_type"], (kind as? String) != "absolute" {
            throw InputError(file: source, field: "position_embedding_type", expected: "\"absolute\" (the only one this loader implements), found \(JSONValue.describe(kind))")
        }
        for key in ["is_decoder", "add_cross_attention"] {
            if let flag = object[key], JSONValue.boolean(flag) != false {
                throw InputError(file: source, field: key, expected: "false (an encoder), found \(JSONValue.describe(flag))")
            }
        }
        func size(_ key: String) throws(InputError) -> Int { try config.size(key) }
        func positive(_ key: String, default value: Float) throws(InputError) -> Float { try config.positiveNumber(key) ?? value }
        let activation: Activation
        switch (object["hidden_act"] ?? "gelu") as? String {
        case "gelu": activation = .gelu
        case "gelu_new", "gelu_pytorch_tanh": activation = .geluTanh
        case "relu": activation = .relu
        default:
            throw InputError(file: source, field: "hidden_act", expected: "gelu, gelu_new, gelu_pytorch_tanh or relu, found \(JSONValue.describe(object["hidden_act"] as Any))")
        }
        let dimension = try size("hidden_size"), heads = try size("num_attention_heads")
        guard dimension % heads == 0 else {
            throw InputError(file: source, field: "num_attention_heads", expected: "a divisor of hidden_size \(dimension), found \(heads)")
        }
        var pad: Int? = 0
        if let given = object["pad_token_id"] {
            if given is NSNull {
                pad = nil
            } else if case .value(let n) = JSONValue.nonNegativeInteger(given) {
                pad = n
            } else {
                throw InputError(file: source, field: "pad_token_id", expected: "a token id or null, found \(JSONValue.describe(given))")
            }
        }
        return BertEncoder.Configuration(vocabulary: try size("vocab_size"), positions: try size("max_position_embeddings"),
                                         types: try size("type_vocab_size"), dimension: dimension, heads: heads,
                                         layers: try size("num_hidden_layers"), intermediate: try size("intermediate_size"),
                                         activation: activation, layerNormEpsilon: try positive("layer_norm_eps", default: 1e-12),
                                         initializerRange: try positive("initializer_range", default: 0.02), padToken: pad)
    }

    /// Builds the encoder from a parsed state dict.
    public static func load(_ file: SafeTensors, configuration c: BertEncoder.Configuration) throws(InputError) -> BertEncoder {
        let p = file.tensors.contains { $0.name == "bert.embeddings.word_embeddings.weight" } ? "bert." : ""
        var reader = StateDict.Reader(file: file, names: [:])
        func linear(_ name: String, in i: Int, out o: Int) throws(InputError) -> Linear {
            Linear(weight: try reader.tensor("\(p)\(name).weight", shape: [o, i]), bias: try reader.tensor("\(p)\(name).bias", shape: [o]))
        }
        func norm(_ name: String) throws(InputError) -> LayerNorm {
            LayerNorm(weight: try reader.tensor("\(p)\(name).weight", shape: [c.dimension]),
                      bias: try reader.tensor("\(p)\(name).bias", shape: [c.dimension]), epsilon: c.layerNormEpsilon)
        }
        func embedding(_ name: String, rows: Int) throws(InputError) -> Embedding {
            Embedding(weight: try reader.tensor("\(p)embeddings.\(name).weight", shape: [rows, c.dimension]))
        }
        let words = try embedding("word_embeddings", rows: c.vocabulary)
        let positions = try embedding("position_embeddings", rows: c.positions)
        let types = try embedding("token_type_embeddings", rows: c.types)
        let embeddingNorm = try norm("embeddings.LayerNorm")
        var layers: [BertEncoder.Layer] = []
        for i in 0..<c.layers {
            let l = "encoder.layer.\(i)"
            layers.append(BertEncoder.Layer(
                query: try linear("\(l).attention.self.query", in: c.dimension, out: c.dimension),
                key: try linear("\(l).attention.self.key", in: c.dimension, out: c.dimension),
                value: try linear("\(l).attention.self.value", in: c.dimension, out: c.dimension),
                attentionOutput: try linear("\(l).attention.output.dense", in: c.dimension, out: c.dimension),
                attentionNorm: try norm("\(l).attention.output.LayerNorm"),
                intermediate: try linear("\(l).intermediate.dense", in: c.dimension, out: c.intermediate),
                output: try linear("\(l).output.dense", in: c.intermediate, out: c.dimension),
                outputNorm: try norm("\(l).output.LayerNorm")))
        }
        var pooler: Linear?
        if file.tensors.contains(where: { $0.name == "\(p)pooler.dense.weight" }) {
            pooler = try linear("pooler.dense", in: c.dimension, out: c.dimension)
        }
        let ids = "\(p)embeddings.position_ids"
        if let entry = file.tensors.first(where: { $0.name == ids }) {
            let values = try file.integers(named: ids)
            guard entry.shape.reduce(1, *) == c.positions, values.enumerated().allSatisfy({ Int64($0.offset) == $0.element }) else {
                throw InputError(file: file.source, field: "tensor \"\(ids)\"", expected: "the positions 0 … \(c.positions - 1) in order (the buffer BertModel reads)")
            }
            reader.used.insert(ids)
        }
        if let extra = file.tensors.map(\.name).sorted().first(where: { !reader.used.contains($0) }) {
            throw InputError(file: file.source, field: "tensor \"\(extra)\"", expected: "only tensors a BertModel uses; this one is not among them (a task head?)")
        }
        return BertEncoder(configuration: c, wordEmbedding: words, positionEmbedding: positions, typeEmbedding: types,
                           embeddingNorm: embeddingNorm, layers: layers, pooler: pooler)
    }
}
