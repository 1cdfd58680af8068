import Foundation
import SalmonIO

/// A model loaded from a state dict: an MLP, a CNN or a GPT-2-shaped transformer.
public enum LoadedModel: Sendable {
    case mlp(MLP)
    case cnn(ConvNet)
    case transformer(Transformer)
}

/// Loading and saving models by their PyTorch state-dict names (see ``ModelArchitecture``).
///
/// Loading checks that every tensor the architecture needs is present with the right shape and
/// a floating-point dtype, and that the file holds no tensor the architecture does not use; each
/// failure is an ``InputError`` naming the file and the tensor.
public enum StateDict {
    /// Reads `path` (safetensors) with the architecture at `architecturePath`.
    public static func load(path: String, architecturePath: String) throws -> LoadedModel {
        let architecture = try ModelArchitecture.read(path: architecturePath)
        let source = InputFile.displayName(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: source, expected: "a readable safetensors file")
        }
        let file = try SafeTensors(parsing: data, source: source)
        var resolved = architecture
        if architecture.huggingFace == true, architecture.prefix == nil, file.tensors.contains(where: { $0.name == "transformer.wte.weight" }) {
            resolved.prefix = "transformer."   // GPT2LMHeadModel's checkpoint; GPT2Model's has no prefix
        }
        return try load(file, architecture: resolved)
    }

    /// Builds the model an architecture describes from a parsed state dict.
    public static func load(_ file: SafeTensors, architecture: ModelArchitecture) throws(InputError) -> LoadedModel {
        try architecture.validate(source: file.source)
        var reader = Reader(file: file, names: architecture.names ?? [:])
        let model: LoadedModel
        switch architecture.type {
        case "mlp": model = .mlp(try loadMLP(&reader, architecture))
        case "cnn": model = .cnn(try loadCNN(&reader, architecture))
        default: model = .transformer(try loadTransformer(&reader, architecture))
        }
        if let unmatched = reader.names.keys.sorted().first(where: { !reader.matched.contains($0) }) {
            throw InputError(file: file.source, field: "names", expected: "keys that name a module of this \(architecture.type) architecture, found \"\(unmatched)\" (it reads \(reader.requested.prefix(8).joined(separator: ", "))\(reader.requested.count > 8 ? ", …" : ""))")
        }
        if let extra = file.tensors.map(\.name).sorted().first(where: { !reader.used.contains($0) }) {
            throw InputError(file: file.source, field: "tensor \"\(extra)\"",
                             expected: "only tensors the \(architecture.type) architecture uses; this one is not among them")
        }
        return model
    }

    /// The state-dict names of an MLP's linear layers.
    static func mlpNames(_ architecture: ModelArchitecture, layers: Int) -> [String] {
        let prefix = architecture.prefix ?? ""
        return (0..<layers).map { k in
            switch architecture.naming ?? "sequential" {
            case "modulelist": return "\(prefix)layers.\(k).0"
            case "linear": return "\(prefix)linears.\(k)"
            default: return "\(prefix)\(2 * k)"
            }
        }
    }

    private static func loadMLP(_ reader: inout Reader, _ a: ModelArchitecture) throws(InputError) -> MLP {
        let sizes = a.sizes ?? []
        let names = mlpNames(a, layers: sizes.count - 1)
        var layers: [Linear] = []
        for (k, name) in names.enumerated() {
            let weight = try reader.tensor("\(name).weight", shape: [sizes[k + 1], sizes[k]])
            let bias = try reader.tensor("\(name).bias", shape: [sizes[k + 1]])
            layers.append(Linear(weight: weight, bias: bias))
        }
        let slope = a.negativeSlope ?? 0.01
        return MLP(layers: layers,
                   hiddenActivation: ModelArchitecture.activation(a.hiddenActivation ?? "relu", slope: slope) ?? .relu,
                   outputActivation: ModelArchitecture.activation(a.outputActivation ?? "identity", slope: slope) ?? .identity)
    }

    /// A CNN from `convs.k.*` and `dense.k.*` (see ``ModelArchitecture``), shapes checked against
    /// the architecture (validated: the image survives every pooling).
    private static func loadCNN(_ reader: inout Reader, _ a: ModelArchitecture) throws(InputError) -> ConvNet {
        let p = a.prefix ?? ""
        let input = a.input ?? [1, 1, 1], blocks = a.convolutions ?? [], widths = a.dense ?? []
        var channels = input[0], height = input[1], width = input[2]
        var convolutions: [Conv2D] = []
        for (k, out) in blocks.enumerated() {
            convolutions.append(Conv2D(weight: try reader.tensor("\(p)convs.\(k).weight", shape: [out, channels, 3, 3]),
                                       bias: try reader.tensor("\(p)convs.\(k).bias", shape: [out]), padding: 1))
            channels = out
            height /= 2
            width /= 2
        }
        var dense: [Linear] = []
        var features = channels * height * width
        for (k, out) in widths.enumerated() {
            dense.append(Linear(weight: try reader.tensor("\(p)dense.\(k).weight", shape: [out, features]),
                                bias: try reader.tensor("\(p)dense.\(k).bias", shape: [out])))
            features = out
        }
        return ConvNet(channels: input[0], height: input[1], width: input[2], convolutions: convolutions, pool: MaxPool2D(size: 2),
                       dense: dense)
    }

    private static func loadTransformer(_ reader: inout Reader, _ a: ModelArchitecture) throws(InputError) -> Transformer {
        let c = configuration(a)
        let p = a.prefix ?? ""
        let conv1d = (a.linearLayout ?? "conv1d") == "conv1d"
        var model = Transformer(c, stream: .init(seed: 0))
        func linear(_ name: String, in i: Int, out o: Int) throws(InputError) -> Linear {
            let stored = try reader.tensor("\(name).weight", shape: conv1d ? [i, o] : [o, i])
            return Linear(weight: conv1d ? transpose(stored) : stored, bias: try reader.tensor("\(name).bias", shape: [o]))
        }
        func norm(_ name: String) throws(InputError) -> LayerNorm {
            LayerNorm(weight: try reader.tensor("\(name).weight", shape: [c.dimension]),
                      bias: try reader.tensor("\(name).bias", shape: [c.dimension]), epsilon: a.layerNormEpsilon ?? 1e-5)
        }
        model.tokenEmbedding = Embedding(weight: try reader.tensor("\(p)wte.weight", shape: [c.vocabulary, c.dimension]))
        model.positionEmbedding = Embedding(weight: try reader.tensor("\(p)wpe.weight", shape: [c.context, c.dimension]))
        for i in 0..<c.layers {
            let h = "\(p)h.\(i)"
            model.blocks[i] = TransformerBlock(
                norm1: try norm("\(h).ln_1"),
                attention: CausalSelfAttention(qkv: try linear("\(h).attn.c_attn", in: c.dimension, out: 3 * c.dimension),
                                               output: try linear("\(h).attn.c_proj", in: c.dimension, out: c.dimension),
                                               heads: c.heads),
                norm2: try norm("\(h).ln_2"),
                mlpIn: try linear("\(h).mlp.c_fc", in: c.dimension, out: c.hidden),
                mlpOut: try linear("\(h).mlp.c_proj", in: c.hidden, out: c.dimension))
        }
        model.finalNorm = try norm("\(p)ln_f")
        if a.tiedUnembedding ?? true {
            model.unembedding = model.tokenEmbedding.weight
            reader.used.insert(reader.mapped("lm_head.weight").name)  // a tied copy may be stored as well
        } else {
            model.unembedding = try reader.tensor("lm_head.weight", shape: [c.vocabulary, c.dimension])
        }
        return model
    }

    static func configuration(_ a: ModelArchitecture) -> TransformerConfiguration {
        TransformerConfiguration(vocabulary: a.vocabulary ?? 1, context: a.context ?? 1, dimension: a.dimension ?? 1,
                                 heads: a.heads ?? 1, layers: a.layers ?? 1, hidden: a.hidden,
                                 activation: ModelArchitecture.activation(a.activation ?? "gelu_tanh", slope: 0.01) ?? .geluTanh,
                                 initialization: a.initialization ?? TransformerInitialization(layerNormEpsilon: a.layerNormEpsilon ?? 1e-5))
    }

    static func transpose(_ t: Tensor) -> Tensor {
        let (r, c) = (t.shape[0], t.shape[1])
        var out = [Float](repeating: 0, count: t.count)
        for i in 0..<r { for j in 0..<c { out[j * r + i] = t.scalars[i * c + j] } }
        return Tensor(shape: [c, r], scalars: out)
    }

    /// Reads named tensors, checking shapes and recording which names were used.
    struct Reader {
        let file: SafeTensors
        /// The architecture's `names`: module (or tensor) names → the user's.
        let names: [String: String]
        var used: Set<String> = []
        /// The keys of `names` that mapped a tensor, and every name the architecture asked for.
        var matched: Set<String> = []
        var requested: [String] = []

        /// The file's name for the architecture's tensor `canonical`, and the key that mapped it.
        func mapped(_ canonical: String) -> (name: String, key: String?) {
            var best: String?
            for key in names.keys where canonical == key || canonical.hasPrefix(key + ".") {
                if key.count > (best?.count ?? -1) { best = key }
            }
            guard let key = best, let target = names[key] else { return (canonical, nil) }
            return (target + canonical.dropFirst(key.count), key)
        }

        mutating func tensor(_ canonical: String, shape: [Int]) throws(InputError) -> Tensor {
            requested.append(canonical)
            let (name, key) = mapped(canonical)
            if let key { matched.insert(key) }
            let via = key == nil ? "" : " (\"\(canonical)\" by names)"
            guard let entry = file.tensors.first(where: { $0.name == name }) else {
                let held = file.tensors.map(\.name).sorted()
                let listed = held.prefix(12).joined(separator: ", ") + (held.count > 12 ? ", … (\(held.count) in all)" : "")
                throw InputError(file: file.source, field: "tensor \"\(name)\"\(via)",
                                 expected: "a tensor of shape \(shape), but the file has none of that name (it holds \(listed)); the architecture's \"names\" maps modules named otherwise")
            }
            guard entry.shape == shape else {
                throw InputError(file: file.source, field: "tensor \"\(name)\"", expected: "shape \(shape), found \(entry.shape)")
            }
            used.insert(name)
            let scalars = try file.floats(named: name)
            // A NaN or infinite weight makes every output it touches undefined (a circuit count of
            // 0 that looks like an answer): refused here, naming the tensor and the index.
            if let i = scalars.firstIndex(where: { !$0.isFinite }) {
                throw InputError(file: file.source, field: "tensor \"\(name)\"", expected: "finite weights, found \(scalars[i]) at index \(i)")
            }
            return Tensor(shape: shape, scalars: scalars)
        }
    }

    // MARK: Saving

    /// The state dict of an MLP as F32 safetensors entries, by the architecture's naming.
    public static func entries(_ model: MLP, architecture: ModelArchitecture) -> [SafeTensors.Entry] {
        let names = mlpNames(architecture, layers: model.layers.count)
        return zip(names, model.layers).flatMap { name, layer in
            [entry("\(name).weight", layer.weight), entry("\(name).bias", layer.bias)]
        }
    }

    /// The state dict of a CNN as F32 entries (`convs.k.*`, `dense.k.*` after the architecture's prefix).
    public static func entries(_ model: ConvNet, architecture: ModelArchitecture) -> [SafeTensors.Entry] {
        let p = architecture.prefix ?? ""
        return model.convolutions.enumerated().flatMap { k, c in [entry("\(p)convs.\(k).weight", c.weight), entry("\(p)convs.\(k).bias", c.bias)] }
            + model.dense.enumerated().flatMap { k, l in [entry("\(p)dense.\(k).weight", l.weight), entry("\(p)dense.\(k).bias", l.bias)] }
    }

    /// The state dict of a transformer as F32 entries (GPT-2 names, the architecture's layout).
    public static func entries(_ model: Transformer, architecture: ModelArchitecture) -> [SafeTensors.Entry] {
        let p = architecture.prefix ?? ""
        let conv1d = (architecture.linearLayout ?? "conv1d") == "conv1d"
        func linear(_ name: String, _ l: Linear) -> [SafeTensors.Entry] {
            [entry("\(name).weight", conv1d ? transpose(l.weight) : l.weight), entry("\(name).bias", l.bias)]
        }
        func norm(_ name: String, _ n: LayerNorm) -> [SafeTensors.Entry] {
            [entry("\(name).weight", n.weight), entry("\(name).bias", n.bias)]
        }
        var out = [entry("\(p)wte.weight", model.tokenEmbedding.weight), entry("\(p)wpe.weight", model.positionEmbedding.weight)]
        for (i, b) in model.blocks.enumerated() {
            let h = "\(p)h.\(i)"
            out += norm("\(h).ln_1", b.norm1) + linear("\(h).attn.c_attn", b.attention.qkv)
                + linear("\(h).attn.c_proj", b.attention.output) + norm("\(h).ln_2", b.norm2)
                + linear("\(h).mlp.c_fc", b.mlpIn) + linear("\(h).mlp.c_proj", b.mlpOut)
        }
        out += norm("\(p)ln_f", model.finalNorm)
        if !(architecture.tiedUnembedding ?? true) { out.append(entry("lm_head.weight", model.unembedding)) }
        return out
    }

    static func entry(_ name: String, _ t: Tensor) -> SafeTensors.Entry {
        var bytes = [UInt8](repeating: 0, count: 4 * t.count)
        for (k, v) in t.scalars.enumerated() {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { raw in for b in 0..<4 { bytes[4 * k + b] = raw[b] } }
        }
        return SafeTensors.Entry(name: name, dtype: .F32, shape: t.shape, bytes: bytes)
    }
}
