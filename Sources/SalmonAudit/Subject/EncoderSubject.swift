import Foundation
import SalmonDiagnostics
import SalmonIO
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// A BERT-family encoder loaded from a Hugging Face checkpoint (`model.stateDict`, a
/// `model.safetensors`, with `model.architecture`, its `config.json` of `model_type: bert` —
/// ``BertCheckpoint``), read on text or token ids, with its null models made from seeds on the
/// fly: no null checkpoint is ever written.
///
/// Inputs: `model.text`, one example per line, tokenized by WordPiece (``WordPieceTokenizer``:
/// `model.tokenizer`, default the `vocab.txt` beside the config, configured by a
/// `tokenizer_config.json` beside it) with `[CLS] … [SEP]`; a line longer than the model's
/// positions (or the tokenizer's `model_max_length`, if smaller) is refused, or with
/// `model.truncation: truncate` cut to its first positions − 1 pieces and `[SEP]`. Or
/// `model.inputs`, a 2-D `.npy` of token ids as a tokenizer pads them: a sequence's trailing
/// `pad_token_id`s are padding (attention mask 0), every other position is attended. Token types
/// are 0 (one segment).
///
/// Rows (``TokenPooling``, `model.pooling`): one per sequence — the mean over its attended
/// positions (default), its first or its last — or one per attended token (`tokens`). Sites:
/// `embeddings` (transformers' `hidden_states[0]`), `layers.i` for i in 0 ..< L (the output of
/// layer i, `hidden_states[i + 1]`), and `pooler` (tanh(W h + b) of the first position of the last
/// layer; a checkpoint with a pooler, sequence-level pooling).
///
/// Null model k of a family comes from `seed → "null" → family → k`, made from trained
/// checkpoint k mod K_t:
/// - `random-init`: a fresh encoder of the config, as transformers initializes one
///   (``BertEncoder/reinitialized(stream:)``).
/// - `cascading-top-down`, `cascading-bottom-up`, `independent-layer`: act on the component a site
///   belongs to (`embeddings`, layer i, the pooler), with components taken from one fresh encoder
///   per null (``NullModels/cascaded(_:topDown:through:stream:)``): top-down, the site's component
///   and everything above it random; bottom-up, it and everything below; independent, it alone.
/// - `within-layer-permutation`, `moment-redraw`, `moment-redraw-except-embeddings`: every
///   parameter tensor (``BertEncoder/parameterArrays``), the latter putting the trained embeddings
///   back (Heap et al. 2025).
/// - `gaussian-activations` and the estimator-level families keep the trained encoder.
/// `permuted-labels` is refused: a checkpoint comes without its training recipe.
public struct EncoderSubject: AuditSubject {
    public let spec: AuditSpec
    public let trained: [BertEncoder]
    /// Each evaluation sequence's attended token ids (`[CLS] … [SEP]` for text).
    public let sequences: [[Int]]
    public let pooling: TokenPooling
    let targets: [String: ProbeData.Target]
    public let modelDescription: String
    public let dataHash: String
    public let evaluationHash: String

    /// What an encoder subject gives its claims: activations, and targets from files.
    static let capabilities: Set<ClaimRequirement> = [.activations, .classLabels, .realValuedTargets]

    /// The sites of an encoder of `layers` layers, bottom to top.
    public static func sites(layers: Int, pooler: Bool) -> [String] {
        ["embeddings"] + (0..<layers).map { "layers.\($0)" } + (pooler ? ["pooler"] : [])
    }

    /// - Parameters:
    ///   - models: the trained checkpoints (K_t seeds of one configuration).
    ///   - architecture: the config.json's path (its folder holds the default `vocab.txt`).
    ///   - baseDirectory: where relative paths in the spec resolve.
    /// - Throws: ``SpecError`` or `InputError` naming the field or file (and line) at fault.
    public init(fileSpec spec: AuditSpec, loaded models: [BertEncoder], architecture: String, baseDirectory: String) throws {
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : baseDirectory + "/" + p }
        guard let model = models.first, let stateDict = spec.model.stateDict else {
            throw SpecError(field: "model.stateDict", "a BERT checkpoint subject needs its model.safetensors")
        }
        if let i = models.firstIndex(where: { $0.configuration != model.configuration || ($0.pooler == nil) != (model.pooler == nil) }) {
            throw SpecError(field: "model.stateDict", "\(stateDict.paths[i]) is not of \(stateDict.paths[0])'s configuration; the checkpoints of one audit are trained seeds of one architecture")
        }
        self.spec = spec
        trained = models
        let c = model.configuration
        let pooling = TokenPooling(rawValue: spec.model.pooling ?? "mean") ?? .mean
        self.pooling = pooling
        try Self.check(spec, layers: c.layers, pooler: model.pooler != nil, pooling: pooling)

        var truncated = 0
        var source: String
        if let textFile = spec.model.text {
            let vocabulary = spec.model.tokenizer.map(resolve) ?? (resolve(architecture) as NSString).deletingLastPathComponent + "/vocab.txt"
            let beside = (vocabulary as NSString).deletingLastPathComponent + "/tokenizer_config.json"
            let (tokenizer, maximum) = try WordPieceTokenizer.configured(vocabularyFile: vocabulary,
                                                                         configurationFile: FileManager.default.fileExists(atPath: beside) ? beside : nil)
            guard tokenizer.vocabulary.count == c.vocabulary else {
                throw InputError(file: InputFile.displayName(vocabulary),
                                 expected: "the checkpoint's vocabulary of vocab_size \(c.vocabulary) tokens (\(InputFile.displayName(resolve(architecture)))), found \(tokenizer.vocabulary.count)")
            }
            let limit = min(c.positions, maximum ?? c.positions)
            let read = try TextLines(path: resolve(textFile), limit: limit, truncate: spec.model.truncation == "truncate", encode: { tokenizer.encode($0) },
                                     cut: { Array($0.prefix(limit - 1)) + [tokenizer.separator] }, pieces: "word pieces with [CLS] and [SEP]",
                                     remedy: "model.truncation: truncate keeps the first \(limit - 1) and [SEP]")
            sequences = read.sequences
            truncated = read.truncated
            let vocabularyName = spec.model.tokenizer ?? (architecture as NSString).deletingLastPathComponent + "/vocab.txt"
            source = "\(read.sequences.count) lines of \(textFile) (WordPiece, \(vocabularyName))"
        } else if let inputs = spec.model.inputs {
            let padded = try ArrayInput.tokenSequences(resolve(inputs), vocabulary: c.vocabulary, context: c.positions)
            let pad = c.padToken
            var read: [[Int]] = []
            for (r, row) in padded.enumerated() {
                var n = row.count
                while n > 0, let pad, row[n - 1] == pad { n -= 1 }
                guard n > 0 else {
                    throw InputError(file: InputFile.displayName(resolve(inputs)), expected: "token ids with at least one that is not padding (pad_token_id \(pad ?? 0)), found sequence \(r) all padding")
                }
                read.append(Array(row.prefix(n)))
            }
            sequences = read
            source = "\(read.count) token sequences of \(inputs)"
        } else {
            throw SpecError(field: "model.inputs", "a BERT checkpoint needs model.text (lines of text) or model.inputs (token ids)")
        }

        let rows = pooling.rows(lengths: sequences.map(\.count))
        let sites = Set(spec.claims.flatMap { AuditPlan.sites(for: $0, in: spec) + $0.family.readSites(of: $0) })
        // A unit's captured activations, and a probe's standardized copy, per site.
        if let excess = MemoryBudget.excess(2 * 4 * Double(rows) * Double(c.dimension) * Double(max(sites.count, 1)),
                                            what: "the activations of \(rows) rows of width \(c.dimension) at \(sites.count) sites") {
            throw SpecError(field: spec.model.text != nil ? "model.text" : "model.inputs", "expected \(excess)")
        }
        let read = try ClaimTargetFile.targets(of: spec, rows: rows, of: pooling == .tokens ? "tokens of \(source)" : source,
                                               typesRefusal: "control types on an encoder's rows are not supported yet", resolve: resolve)
        targets = read.targets
        let hashed = sequences.flatMap { [Float($0.count)] + $0.map(Float.init) } + read.hashed
        evaluationHash = FNV1a.hex(floats: hashed)
        dataHash = FNV1a.hex(floats: hashed + models.flatMap { $0.parameterArrays.flatMap { $0 } })
        let shape = "d \(c.dimension), \(c.heads) heads, \(c.layers) layer\(c.layers == 1 ? "" : "s"), vocabulary \(c.vocabulary)"
        let rowsText = pooling == .tokens ? "\(rows) token rows" : "\(pooling.rawValue)-pooled rows"
        modelDescription = "BERT encoder (\(shape)) loaded from \(stateDict.description); \(source), \(rowsText)"
            + (truncated > 0 ? "; \(truncated) line\(truncated == 1 ? "" : "s") longer than the model's positions truncated" : "")
    }

    /// Every claim's requirements met, its sites encoder sites, and its null families ones an
    /// encoder checkpoint has.
    static func check(_ spec: AuditSpec, layers: Int, pooler: Bool, pooling: TokenPooling) throws {
        let known = sites(layers: layers, pooler: pooler && pooling != .tokens)
        for claim in spec.claims {
            for requirement in claim.requirements.sorted(by: { ($0.field, $0.phrase) < ($1.field, $1.phrase) })
            where !capabilities.contains(requirement) {
                if case .trainedSeeds = requirement { continue }
                throw SpecError(field: "claims.\(claim.name).\(requirement.field)",
                                "method '\(claim.method.name)' needs \(requirement.phrase), which a BERT checkpoint subject cannot give yet (its claims read activations)")
            }
            for (field, site) in AuditPlan.sites(for: claim, in: spec).map({ ("sites", $0) }) + claim.family.readSites(of: claim).map({ ("claims.\(claim.name).method.reads", $0) })
            where !known.contains(site) {
                var message = "unknown site '\(site)' of a \(layers)-layer BERT encoder"
                if site == "pooler" && pooler { message = "the pooler reads a sequence's first position; with pooling 'tokens' there is no pooler row per token" }
                else if let near = nearestName(to: site, in: known) { message += "; did you mean '\(near)'?" }
                throw SpecError(field: field, message + " (sites: \(known.count > 4 ? "embeddings, layers.0 … layers.\(layers - 1)" : known.joined(separator: ", "))\(pooler && pooling != .tokens ? ", pooler" : ""))")
            }
        }
        for null in spec.nulls where null.family == NullSpec.Family.permutedLabels.rawValue || null.family == NullSpec.Family.supplied.rawValue {
            throw SpecError(field: "nulls.\(null.family)", null.family == NullSpec.Family.supplied.rawValue
                            ? "supplied null activations go with model.activations; a checkpoint's null models are made here"
                            : "permuted-labels retrains the network, and a checkpoint comes without its training data and recipe")
        }
    }

    public var trainedSeeds: Int { trained.count }

    public func sites(for claim: ClaimSpec) -> [String] { AuditPlan.sites(for: claim, in: spec) }

    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        if let drawn = try ActivationLevelNull.activations(unit, sites: sites, trainedSeeds: trainedSeeds, seed: spec.seed,
                                                           trained: activations) { return drawn }
        return try activations(unit, sites: sites, model: { try model($0, site: $1) }, capture: capture)
    }

    /// The component a site belongs to.
    static func component(of site: String) -> NullModels.EncoderComponent? {
        if site == "embeddings" { return .embeddings }
        if site == "pooler" { return .pooler }
        guard site.hasPrefix("layers."), let i = Int(site.dropFirst("layers.".count)) else { return nil }
        return .layer(i)
    }

    /// The model `unit` names (for the site-dependent families, at `site`'s component).
    func model(_ unit: AuditUnit, site: String) throws -> BertEncoder {
        guard case .null(let familyName, let k) = unit else {
            if case .trained(let s) = unit { return trained[s] }
            throw AuditError("\(unit): not a model")
        }
        let base = trained[k % trained.count]
        let stream = RandomStream(seed: spec.seed, path: ["null", .label(familyName), .index(k)])
        guard let family = NullSpec.Family(rawValue: familyName) else { throw AuditError("\(unit): unknown null family '\(familyName)'") }
        switch family {
        case .randomInit:
            return base.reinitialized(stream: stream)
        case .cascadingTopDown, .cascadingBottomUp, .independentLayer:
            guard let component = Self.component(of: site) else { throw AuditError("\(unit): site '\(site)' names no component") }
            if family == .independentLayer { return NullModels.independentComponent(base, component, stream: stream) }
            return NullModels.cascaded(base, topDown: family == .cascadingTopDown, through: component, stream: stream)
        case .withinLayerPermutation:
            return NullModels.permutedWithinLayers(base, stream: stream)
        case .momentRedraw:
            return NullModels.redrawnFromMoments(base, stream: stream)
        case .momentRedrawExceptEmbeddings:
            return NullModels.redrawnFromMomentsExceptEmbeddings(base, stream: stream)
        case .permutedLabels, .supplied:
            throw AuditError("\(unit): the family '\(familyName)' has no null model of a checkpoint")
        case .gaussianActivations, .frozenDecoder, .frozenEncoder, .randomUnits, .randomCircuits, .inflatedCircuits, .equivalenceMargin, .permutedComplement, .untrainedMap:
            return base
        }
    }

    /// Positions per padded batch: sequences of similar length (sorted by length) are run
    /// together, at most this many positions or 256 sequences at a time.
    static let batchPositions = 8192

    /// The rows at `sites` of `model` on every evaluation sequence, pooled.
    func capture(_ model: BertEncoder, sites: Set<String>) -> [String: Tensor] {
        let d = model.configuration.dimension, layers = model.layers.count
        let lengths = sequences.map(\.count)
        let rowCount = pooling.rows(lengths: lengths)
        var firstRow = [Int](repeating: 0, count: sequences.count)
        if pooling == .tokens {
            var total = 0
            for (i, n) in lengths.enumerated() { firstRow[i] = total; total += n }
        } else {
            firstRow = Array(sequences.indices)
        }
        func state(_ site: String) -> Int {
            switch Self.component(of: site) {
            case .layer(let i)?: return i + 1
            case .pooler?: return layers
            default: return 0
            }
        }
        let running = sites.map(state).max() ?? 0
        var out: [String: [Float]] = [:]
        for site in sites { out[site] = [Float](repeating: 0, count: (site == "pooler" ? sequences.count : rowCount) * d) }
        let order = sequences.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, end - start < 256, (end - start + 1) * lengths[order[end]] <= Self.batchPositions { end += 1 }
            let chunk = Array(order[start..<end])
            let length = lengths[chunk[chunk.count - 1]]
            var tokens = [Int](repeating: model.configuration.padToken ?? 0, count: chunk.count * length)
            var mask = [Int](repeating: 0, count: chunk.count * length)
            for (b, i) in chunk.enumerated() {
                for (t, id) in sequences[i].enumerated() { tokens[b * length + t] = id; mask[b * length + t] = 1 }
            }
            let states = model.hiddenStates(tokens: tokens, mask: mask, batch: chunk.count, length: length, running: running)
            for site in sites {
                guard var rows = out[site] else { continue }
                out[site] = nil   // keep the buffer unique while it is written
                if site == "pooler" {
                    if let pooled = model.pooled(states[layers], batch: chunk.count, length: length) {
                        for (b, i) in chunk.enumerated() { rows.replaceSubrange((i * d)..<((i + 1) * d), with: pooled.scalars[(b * d)..<((b + 1) * d)]) }
                    }
                } else {
                    pooling.pool(states[state(site)], length: length, lengths: chunk.map { lengths[$0] }, rows: chunk.map { firstRow[$0] }, into: &rows)
                }
                out[site] = rows
            }
            start = end
        }
        return out.mapValues { Tensor(shape: [$0.count / d, d], scalars: $0) }
    }

    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        guard let target = targets[claim.name] else { throw AuditError("no target for claim \(claim.name)") }
        do { return try ProbeData(activations: activations, target: target) } catch let e as MethodError {
            throw MethodError("claim \(claim.name): \(e.message)")
        }
    }
}
