import Foundation
import SalmonDiagnostics
import SalmonIO

/// The small JSON description that, with a state dict, defines a model from PyTorch.
///
/// MLP (`"type": "mlp"`): `sizes` `[in, hidden…, out]`, `hiddenActivation` and `outputActivation`
/// (`identity`, `relu`, `leaky_relu`, `tanh`, `sigmoid`, `gelu`, `gelu_tanh`), `negativeSlope`
/// for LeakyReLU (0.01), and `naming`: `sequential` — `nn.Sequential(Linear, act, Linear, …)`,
/// linear k at index 2k (`0.weight`, `2.weight`, …); `modulelist` — `nn.ModuleList` of
/// `nn.Sequential(Linear, act)` blocks (`layers.0.0.weight`, `layers.1.0.weight`, …), the naming
/// of Méloux et al.'s code; or `linear` — linear k named `linears.k` … All names may carry a `prefix`.
///
/// GPT-2 (`"type": "gpt2"`): `vocabulary`, `context`, `dimension`, `heads`, `layers`, optional
/// `hidden` (4·dimension) and `activation` (`gelu_tanh`, GPT-2's), `prefix` (e.g. `transformer.`),
/// `linearLayout` — `conv1d` (Hugging Face's GPT-2: weights stored `[in, out]`) or `linear`
/// (`nn.Linear`: `[out, in]`) — and `tiedUnembedding` (the unembedding is the token embedding;
/// otherwise it is read from `lm_head.weight`). Names: `wte.weight`, `wpe.weight`,
/// `h.i.ln_1.{weight,bias}`, `h.i.attn.c_attn.{weight,bias}`, `h.i.attn.c_proj.*`, `h.i.ln_2.*`,
/// `h.i.mlp.c_fc.*`, `h.i.mlp.c_proj.*`, `ln_f.*`.
///
/// CNN (`"type": "cnn"`, ``ConvNet``): `input` `[channels, height, width]`, `convolutions` (the
/// output channels of each block: `nn.Conv2d(c_in, c_out, 3, padding=1)`, ReLU, 2 × 2 max
/// pooling), `dense` (the widths of the fully connected layers after flattening NCHW, the logits
/// last; ReLU between them). Names: `convs.k.{weight,bias}` (`[out, in, 3, 3]`) and
/// `dense.k.{weight,bias}` — the `nn.ModuleList`s of the module in
/// `Tests/SalmonAuditTests/Fixtures/cnn_digits/generate.py` — after an optional `prefix`.
///
/// Every type: `names`, an object from the names above (after `prefix`) to the module names of
/// the user's own state dict, for modules named otherwise: `{"0": "fc1", "2": "fc2", "4": "fc3"}`
/// reads an MLP's `0.weight` from `fc1.weight`. A key maps a module (every tensor below it) or a
/// whole tensor name; the longest key that matches wins; a key that matches nothing, or two keys
/// mapped to one name, is an error.
public struct ModelArchitecture: Sendable, Codable, Equatable {
    public var type: String
    // MLP
    public var sizes: [Int]?
    public var hiddenActivation: String?
    public var outputActivation: String?
    public var negativeSlope: Float?
    public var naming: String?
    // GPT-2
    public var vocabulary: Int?
    public var context: Int?
    public var dimension: Int?
    public var heads: Int?
    public var layers: Int?
    public var hidden: Int?
    public var activation: String?
    public var linearLayout: String?
    public var tiedUnembedding: Bool?
    /// LayerNorm's ε (1e-5, GPT-2's, when absent).
    public var layerNormEpsilon: Float?
    /// Read from a Hugging Face `config.json` (``HuggingFaceConfiguration``): the state dict's
    /// prefix (`transformer.` for `GPT2LMHeadModel`) is found from its tensor names. Not a key of
    /// the architecture JSON.
    public var huggingFace: Bool?
    /// How null models of this architecture are initialized (from a Hugging Face `config.json`;
    /// the default GPT-2 scheme otherwise). Not a key of the architecture JSON.
    public var initialization: TransformerInitialization?
    // CNN
    public var input: [Int]?
    public var convolutions: [Int]?
    public var dense: [Int]?
    // All
    public var prefix: String?
    public var names: [String: String]?

    public init(type: String) { self.type = type }

    /// Reads and validates an architecture file.
    public static func read(path: String) throws -> ModelArchitecture {
        let (text, source) = try InputFile.readText(path)
        let data = Data(text.utf8)
        try JSONDocument.validate(data, source: source)
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], HuggingFaceConfiguration.isConfiguration(object) {
            let architecture = try HuggingFaceConfiguration.architecture(object, source: source)
            try architecture.validate(source: source)
            return architecture
        }
        try requireIntegers(in: data, source: source)
        let architecture: ModelArchitecture
        do {
            architecture = try JSONDecoder().decode(ModelArchitecture.self, from: data)
        } catch let error as DecodingError {
            let (field, expected) = JSONDocument.describe(error, in: data)
            if field.isEmpty { throw InputError(file: source, expected: "an architecture JSON object (see the README's \"Architecture JSON\"), found \(JSONDocument.describeValue(at: [], in: data) ?? "something else")") }
            throw InputError(file: source, field: field, expected: expected)
        } catch {
            throw InputError(file: source, expected: "an architecture JSON object")
        }
        try architecture.validate(source: source)
        try rejectUnknownKeys(in: Data(text.utf8), type: architecture.type, source: source)
        return architecture
    }

    /// The fields that hold integers, and those that hold lists of integers.
    static let integerFields = ["vocabulary", "context", "dimension", "heads", "layers", "hidden"]
    static let integerListFields = ["sizes", "input", "convolutions", "dense"]

    /// Refuses a size that is not an integer literal (`1.5`, `1e400`, `"3"`), naming its field and
    /// index: the JSON decoder reported these as "not valid JSON" without saying where.
    static func requireIntegers(in data: Data, source: String) throws(InputError) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return }
        for key in integerFields.sorted() {
            guard let value = object[key] else { continue }
            if case .invalid(let found) = JSONValue.nonNegativeInteger(value) {
                throw InputError(file: source, field: key, expected: "a non-negative integer, found \(found)")
            }
        }
        for key in integerListFields.sorted() {
            guard let value = object[key] else { continue }
            guard let list = value as? [Any] else {
                throw InputError(file: source, field: key, expected: "a list of integers, found \(JSONValue.describe(value))")
            }
            for (i, element) in list.enumerated() {
                if case .invalid(let found) = JSONValue.nonNegativeInteger(element) {
                    throw InputError(file: source, field: "\(key)[\(i)]", expected: "a non-negative integer, found \(found)")
                }
            }
        }
    }

    /// The keys each type reads (every other key is an error, never silently ignored).
    public static let keys: [String: [String]] = [
        "mlp": ["type", "sizes", "hiddenActivation", "outputActivation", "negativeSlope", "naming", "prefix", "names"],
        "gpt2": ["type", "vocabulary", "context", "dimension", "heads", "layers", "hidden", "activation", "linearLayout", "tiedUnembedding",
                 "layerNormEpsilon", "prefix", "names"],
        "cnn": ["type", "input", "convolutions", "dense", "prefix", "names"],
    ]

    /// Refuses a key the architecture's type does not read, naming the nearest one it does.
    static func rejectUnknownKeys(in json: Data, type: String, source: String) throws(InputError) {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any], let allowed = keys[type] else { return }
        for key in object.keys.sorted() where !allowed.contains(key) {
            let near = nearestName(to: key, in: allowed).map { "; did you mean \"\($0)\"?" } ?? ""
            throw InputError(file: source, field: key, expected: "a key the \(type) architecture reads (\(allowed.joined(separator: ", ")))\(near)")
        }
    }

    /// Checks the fields the type needs, naming the first one at fault.
    public func validate(source: String) throws(InputError) {
        if let names {
            if let empty = names.sorted(by: { $0.key < $1.key }).first(where: { $0.key.isEmpty || $0.value.isEmpty }) {
                throw InputError(file: source, field: "names", expected: "non-empty module names, found \"\(empty.key)\": \"\(empty.value)\"")
            }
            let targets = Dictionary(grouping: names.keys.sorted(), by: { names[$0] ?? "" })
            if let twice = targets.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
                throw InputError(file: source, field: "names", expected: "one module per name, found \(twice.value.map { "\"\($0)\"" }.joined(separator: " and ")) both mapped to \"\(twice.key)\"")
            }
        }
        func need<T>(_ value: T?, _ field: String) throws(InputError) -> T {
            guard let value else { throw InputError(file: source, field: field, expected: "a value for a \(type) architecture") }
            return value
        }
        switch type {
        case "mlp":
            let s = try need(sizes, "sizes")
            guard s.count >= 2, s.allSatisfy({ $0 > 0 }) else {
                throw InputError(file: source, field: "sizes", expected: "at least two positive layer sizes, found \(s)")
            }
            for (field, value) in [("hiddenActivation", hiddenActivation), ("outputActivation", outputActivation)] {
                if let value, Self.activation(value, slope: 0.01) == nil {
                    throw InputError(file: source, field: field, expected: "one of \(Self.activationNames.joined(separator: ", ")), found \"\(value)\"")
                }
            }
            if let naming, !["sequential", "modulelist", "linear"].contains(naming) {
                throw InputError(file: source, field: "naming", expected: "sequential, modulelist or linear, found \"\(naming)\"")
            }
        case "gpt2":
            for (field, value) in [("vocabulary", vocabulary), ("context", context), ("dimension", dimension),
                                   ("heads", heads), ("layers", layers)] {
                let v = try need(value, field)
                guard v > 0 else { throw InputError(file: source, field: field, expected: "a positive integer, found \(v)") }
            }
            if let d = dimension, let h = heads, d % h != 0 {
                throw InputError(file: source, field: "heads", expected: "a divisor of dimension \(d), found \(h)")
            }
            if let linearLayout, !["conv1d", "linear"].contains(linearLayout) {
                throw InputError(file: source, field: "linearLayout", expected: "conv1d or linear, found \"\(linearLayout)\"")
            }
            if let activation, Self.activation(activation, slope: 0.01) == nil {
                throw InputError(file: source, field: "activation", expected: "one of \(Self.activationNames.joined(separator: ", "))")
            }
            if let layerNormEpsilon, !(layerNormEpsilon > 0 && layerNormEpsilon.isFinite) {
                throw InputError(file: source, field: "layerNormEpsilon", expected: "a positive number, found \(layerNormEpsilon)")
            }
        case "cnn":
            let shape = try need(input, "input")
            guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
                throw InputError(file: source, field: "input", expected: "[channels, height, width], positive, found \(shape)")
            }
            let blocks = try need(convolutions, "convolutions"), widths = try need(dense, "dense")
            guard !blocks.isEmpty, blocks.allSatisfy({ $0 > 0 }) else {
                throw InputError(file: source, field: "convolutions", expected: "the output channels of one or more convolution blocks, found \(blocks)")
            }
            guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
                throw InputError(file: source, field: "dense", expected: "the widths of one or more dense layers (the logits last), found \(widths)")
            }
            guard shape[1] >> blocks.count >= 1, shape[2] >> blocks.count >= 1 else {
                throw InputError(file: source, field: "convolutions", expected: "at most as many 2 × 2 poolings as a \(shape[1]) × \(shape[2]) image survives, found \(blocks.count)")
            }
        default:
            throw InputError(file: source, field: "type", expected: "\"mlp\", \"gpt2\" or \"cnn\", found \"\(type)\"")
        }
    }

    static let activationNames = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "gelu", "gelu_tanh", "square"]

    static func activation(_ name: String, slope: Float) -> Activation? {
        switch name {
        case "identity": return .identity
        case "relu": return .relu
        case "leaky_relu": return .leakyReLU(slope: slope)
        case "tanh": return .tanh
        case "sigmoid": return .sigmoid
        case "gelu": return .gelu
        case "gelu_tanh": return .geluTanh
        case "square": return .square
        default: return nil
        }
    }
}
