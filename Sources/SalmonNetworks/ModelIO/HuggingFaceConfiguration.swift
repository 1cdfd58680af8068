import Foundation
import SalmonDiagnostics
import SalmonIO

/// A Hugging Face `config.json` read as a ``ModelArchitecture``: the `config.json` that
/// `save_pretrained` writes beside `model.safetensors`, so that a checkpoint directory is audited as
/// it is (`model: {stateDict: DIR/model.safetensors, architecture: DIR/config.json, inputs: …}`).
///
/// Supported: `model_type: "gpt2"` (`GPT2Model` and `GPT2LMHeadModel` checkpoints; the
/// `transformer.` prefix of the latter is found from the tensor names). Every key of the file is
/// accounted for (transformers' `GPT2Config`, v4.x):
/// - read: `vocab_size`, `n_positions`, `n_embd`, `n_layer`, `n_head`, `n_inner` (null:
///   4·`n_embd`), `activation_function` (`gelu_new`, `gelu_pytorch_tanh` → the tanh GELU; `gelu`
///   → the exact one; `relu`), `layer_norm_epsilon`, `tie_word_embeddings` (default true), and
///   `initializer_range`, which with the last two sets how null models are initialized
///   (``TransformerInitialization``: as transformers' `_init_weights` draws a GPT-2);
/// - required at the value a plain GPT-2 forward pass has, else an error naming the key:
///   `scale_attn_weights` (true), `scale_attn_by_inverse_layer_idx` (false),
///   `add_cross_attention` (false), `is_encoder_decoder` (false);
/// - not used by a forward pass in evaluation, so accepted whatever their value: dropout rates,
///   initialization, the sequence-summary head's settings, special token ids, caching and
///   bookkeeping keys (``ignoredKeys``).
/// Any other key is an error naming it — a setting the loader would otherwise silently ignore.
public enum HuggingFaceConfiguration {
    /// Keys that do not change the hidden states or logits of a forward pass in evaluation.
    public static let ignoredKeys: Set<String> = [
        "_name_or_path", "architectures", "model_type", "transformers_version", "torch_dtype", "dtype",
        "attn_pdrop", "embd_pdrop", "resid_pdrop", "summary_first_dropout",
        "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels",
        "bos_token_id", "eos_token_id", "pad_token_id", "use_cache", "n_ctx", "task_specific_params",
        "reorder_and_upcast_attn", "gradient_checkpointing", "id2label", "label2id", "output_past",
    ]

    /// The keys read, and those required at one value.
    static let readKeys: Set<String> = ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "n_inner",
                                        "activation_function", "layer_norm_epsilon", "tie_word_embeddings", "initializer_range"]
    static let requiredValues: [String: Bool] = ["scale_attn_weights": true, "scale_attn_by_inverse_layer_idx": false,
                                                 "add_cross_attention": false, "is_encoder_decoder": false]

    /// Whether a JSON object is a Hugging Face configuration (it names a `model_type`).
    static func isConfiguration(_ object: [String: Any]) -> Bool { object["model_type"] != nil }

    /// The `model_type` of the configuration at `path`, or nil when the file is not a JSON object
    /// naming one (an architecture JSON of this project's own, or a file the loaders refuse with
    /// the reason): which loader reads it.
    public static func modelType(path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return object["model_type"] as? String
    }

    /// The architecture a `config.json` describes.
    /// - Throws: ``InputError`` naming the file and the key: an unsupported `model_type`, a key
    ///   the loader does not read, a required setting at another value, a missing or mistyped size.
    public static func architecture(_ object: [String: Any], source: String) throws(InputError) -> ModelArchitecture {
        guard let type = object["model_type"] as? String else {
            throw InputError(file: source, field: "model_type", expected: "a string naming the model type, found \(JSONValue.describe(object["model_type"] as Any))")
        }
        guard type == "gpt2" else {
            throw InputError(file: source, field: "model_type", expected: "a supported architecture (gpt2; bert, audited as an encoder), found \"\(type)\"")
        }
        let config = ConfigurationObject(object: object, source: source, name: "GPT2Config")
        try config.rejectUnknownKeys(known: ignoredKeys.union(readKeys).union(requiredValues.keys))
        for (key, value) in requiredValues.sorted(by: { $0.key < $1.key }) {
            guard let given = object[key] else { continue }
            guard let flag = given as? Bool, flag == value else {
                throw InputError(file: source, field: key, expected: "\(value) (the only setting this loader implements), found \(JSONValue.describe(given))")
            }
        }
        func size(_ key: String) throws(InputError) -> Int { try config.size(key) }
        var a = ModelArchitecture(type: "gpt2")
        a.vocabulary = try size("vocab_size")
        a.context = try size("n_positions")
        a.dimension = try size("n_embd")
        a.layers = try size("n_layer")
        a.heads = try size("n_head")
        if let inner = object["n_inner"], !(inner is NSNull) { a.hidden = try size("n_inner") }
        let activation = object["activation_function"] ?? "gelu_new"
        switch activation as? String {
        case "gelu_new", "gelu_pytorch_tanh": a.activation = "gelu_tanh"
        case "gelu": a.activation = "gelu"
        case "relu": a.activation = "relu"
        default:
            throw InputError(file: source, field: "activation_function", expected: "gelu_new, gelu_pytorch_tanh, gelu or relu, found \(JSONValue.describe(activation))")
        }
        a.layerNormEpsilon = try config.positiveNumber("layer_norm_epsilon")
        if let tied = object["tie_word_embeddings"] {
            guard let flag = tied as? Bool else {
                throw InputError(file: source, field: "tie_word_embeddings", expected: "true or false, found \(JSONValue.describe(tied))")
            }
            a.tiedUnembedding = flag
        }
        a.initialization = TransformerInitialization(standardDeviation: try config.positiveNumber("initializer_range") ?? 0.02, scalesResidualProjections: true,
                                                     tiedUnembedding: a.tiedUnembedding ?? true, layerNormEpsilon: a.layerNormEpsilon ?? 1e-5)
        a.linearLayout = "conv1d"
        a.huggingFace = true
        return a
    }
}
