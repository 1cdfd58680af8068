import Foundation
import SalmonDiagnostics
import SalmonIO
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// A GPT-2-shaped transformer — trained here on a sequence task (`modular-addition`, K_t seeds)
/// or loaded from a GPT-2-layout state dict (`model.stateDict` with an architecture of type
/// `gpt2` and `model.inputs`, a 2-D integer array of token sequences) — with its null models made
/// on demand.
///
/// Rows: one per evaluation sequence. A site's activations are read at the **last position**,
/// where the model's prediction is read: `[sequences, width]`. Sites: ``Transformer/sites(layers:)``
/// — `embed`, per block i `blocks.i.resid.pre`, `.attn.heads`, `.attn.out`, `.resid.mid`,
/// `.mlp.hidden`, `.mlp.out`, `.resid` (after the block), then `final` and `logits`.
///
/// Data of the built-in task: the p² pairs of modular addition (labels corrupted by
/// `taskOptions.corruption`) from `seed → "task"`, shuffled by `seed → "task" → "split"`: the first
/// `evaluationExamples` pairs are held out, the next `taskOptions.examples` train. Trained network
/// s: GPT-2 initialization from `seed → "trained" → s → "init"`, AdamW minibatches from
/// `seed → "trained" → s → "training"`, cross-entropy at the last position.
///
/// Null model k of a family comes from `seed → "null" → family → k`, made from trained network
/// k mod K_t. The site-dependent families act on the component a site belongs to (block i for
/// `blocks.i.*`, the embeddings for `embed`, the unembedding and final norm for `final` and
/// `logits`; `blocks.i.resid.pre`, the stream entering block i, belongs to block i − 1 or, for
/// block 0, to the embeddings; a patching component `SITE@p` to its site's, an edge
/// `WRITER->READER` to its writer's):
/// - `cascading-top-down`: stages unembedding, block L−1, …, block 0, embeddings; the site is
///   tested at the stage where its own component has just been re-initialized (everything above it
///   random, everything below trained).
/// - `cascading-bottom-up`: stages embeddings, block 0, …, block L−1, unembedding; the site's
///   component and everything below it random.
/// - `independent-layer`: the site's component alone re-initialized.
/// The others: `random-init` (GPT-2 initialization), `within-layer-permutation` and
/// `moment-redraw` (every parameter tensor), `permuted-labels` (retrained from a fresh
/// initialization on permuted training targets; built-in task only).
///
/// Activation patching's pairs (``CounterfactualPairs``) on modular addition: each held-out pair
/// (a, b) is clean; its corruption is (a′, b) with a′ = a + δ mod p, δ uniform on 1 … p − 1 from
/// `seed → "counterfactual"`; the answer is the clean sum a + b mod p, the contrast a′ + b mod p.
public struct TransformerSubject: AuditSubject {
    /// Clean and corrupted token sequences with, per pair, the answer and its contrast.
    public struct CounterfactualPairs: Sendable, Equatable {
        public var clean: [[Int]]
        public var corrupted: [[Int]]
        public var correct: [Int]
        public var wrong: [Int]
    }

    public let spec: AuditSpec
    public let trained: [Transformer]
    /// The evaluation sequences (all of one length).
    public let evaluation: [[Int]]
    /// The training sequences and their targets (nil for a model loaded from a file).
    let training: (sequences: [[Int]], targets: [Int])?
    /// Per training sequence, whether its label was replaced (modular addition with
    /// `taskOptions.corruption`; nil for other tasks and models from files).
    let trainingCorrupted: [Bool]?
    let targets: [String: ProbeData.Target]
    /// How a sequence's positions become rows: its last position (a built-in task's, and a
    /// checkpoint's default), or for a checkpoint `model.pooling` — the mean, the first, or one row
    /// per position (``TokenPooling``).
    public let pooling: TokenPooling
    /// Activation patching's pairs (built-in modular addition; nil for a model from a file).
    public let counterfactuals: CounterfactualPairs?
    /// Interchange-intervention pairs per causal variable of the task (hierarchical-equality's
    /// `left` and `right`): training pairs on the training sequences, evaluation pairs on the
    /// held-out ones. Empty for tasks without variables and models from files.
    public let interchange: [String: (training: InterchangePairs, evaluation: InterchangePairs)]
    public let modelDescription: String
    public let dataHash: String
    public let evaluationHash: String

    /// What a transformer subject gives its claims (attribution claims audit MLPs for now).
    static func capabilities(fromFile: Bool, pairs: Bool = false) -> Set<ClaimRequirement> {
        if fromFile {
            let read: Set<ClaimRequirement> = [.activations, .classLabels, .realValuedTargets, .tokenSequences]
            return pairs ? read.union([.counterfactualPairs, .circuitComponents]) : read
        }
        return [.activations, .classLabels, .tokenSequences, .splicedOutputs, .counterfactualPairs, .circuitComponents, .interchangePairs, .ablatableUnits]
    }

    /// Generates the task's data and trains the K_t transformers (`jobs` at a time).
    public init(spec: AuditSpec, jobs: Int = 1) throws {
        guard let task = spec.model.task, ModelSpec.BuiltInTask(rawValue: task)?.isSequenceTask == true, let shape = spec.model.transformer else {
            throw SpecError(field: "model.task", "a transformer subject trains on a sequence task (modular-addition, induction)")
        }
        self.spec = spec
        pooling = .last
        let builtIn = ModelSpec.BuiltInTask(rawValue: task)
        let length = builtIn == .induction ? (spec.model.taskOptions.tokens ?? TaskOptions.defaultInductionTokens) + 1 : builtIn == .hierarchicalEquality ? 4 : 2
        try Self.check(spec, capabilities: Self.capabilities(fromFile: false), layers: shape.layers, heads: shape.heads, length: length)
        let data: SequenceTaskData
        switch builtIn {
        case .induction: data = try Self.inductionData(spec)
        case .hierarchicalEquality: data = try Self.hierarchicalEqualityData(spec)
        default: data = try Self.modularAdditionData(spec)
        }
        interchange = data.interchange
        let train = data.training
        training = train
        trainingCorrupted = data.trainingCorrupted
        evaluation = data.evaluation
        targets = data.targets   // checked before the (long) training, so a bad target fails at once
        counterfactuals = data.counterfactuals
        let configuration = TransformerConfiguration(vocabulary: data.vocabulary, context: data.context, dimension: shape.dimension, heads: shape.heads,
                                                     layers: shape.layers, hidden: shape.hidden)
        let plan = spec.model.training
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        trained = ParallelMap.run(count: plan.seeds, jobs: jobs) { s -> Transformer in
            var model = Transformer(configuration, stream: RandomStream(seed: spec.seed, path: ["trained", .index(s), "init"]))
            model.train(sequences: train.sequences, targets: train.targets,
                        plan: NetworkSubject.plan(plan, stream: RandomStream(seed: spec.seed, path: ["trained", .index(s), "training"])))
            return model
        }
        let tokens = evaluation.flatMap { $0 }.map(Float.init)
        let evaluationLabels = data.evaluationLabels.map(Float.init)
        evaluationHash = FNV1a.hex(floats: tokens + evaluationLabels)
        dataHash = FNV1a.hex(floats: train.sequences.flatMap { $0 }.map(Float.init) + train.targets.map(Float.init) + tokens
                             + evaluationLabels + trained.flatMap { $0.parameterArrays.flatMap { $0 } })
        modelDescription = "transformer (d \(shape.dimension), \(shape.heads) heads, \(shape.layers) block\(shape.layers == 1 ? "" : "s")) trained on \(data.description) (\(train.sequences.count) \(data.rows), \(plan.epochs) epochs of AdamW, \(plan.seeds) seed\(plan.seeds == 1 ? "" : "s")); \(evaluation.count) held-out \(data.rows)"
    }

    /// A GPT-2-layout transformer loaded from a state dict, read on the token sequences of
    /// `model.inputs`; claim targets are files. Relative paths resolve against `baseDirectory`.
    public init(fileSpec spec: AuditSpec, loaded models: [Transformer], baseDirectory: String) throws {
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : baseDirectory + "/" + p }
        guard let stateDict = spec.model.stateDict, let inputs = spec.model.inputs ?? spec.model.text, let model = models.first else {
            throw SpecError(field: "model", "a state-dict model needs stateDict, architecture and inputs (or text)")
        }
        if spec.model.text != nil && spec.model.counterfactuals != nil {
            throw SpecError(field: "model.counterfactuals", "clean/corrupted pairs are token ids matching model.inputs; give the clean inputs as token ids too (model.inputs), not as text")
        }
        self.spec = spec
        pooling = TokenPooling(rawValue: spec.model.pooling ?? "last") ?? .last
        try Self.check(spec, capabilities: Self.capabilities(fromFile: true, pairs: spec.model.counterfactuals != nil), layers: model.configuration.layers,
                       heads: model.configuration.heads, length: model.configuration.context)
        trained = models
        let c = model.configuration
        var trainingHash: [Float] = []
        if let file = spec.model.trainingInputs, let labelsFile = spec.model.trainingLabels {
            let sequences = try ArrayInput.tokenSequences(resolve(file), vocabulary: c.vocabulary, context: c.context)
            let labels = try ArrayInput.integers(resolve(labelsFile), what: "training labels")
            guard labels.count == sequences.count else {
                throw SpecError(file: resolve(labelsFile), field: "", "\(labels.count) labels for \(sequences.count) training sequences in \(file); expected one per sequence")
            }
            if let r = labels.firstIndex(where: { !(0..<c.vocabulary).contains($0) }) {
                throw SpecError(file: resolve(labelsFile), field: "", "label \(labels[r]) at row \(r) is not a token (expected 0..<\(c.vocabulary): the next token predicted at the last position)")
            }
            training = (sequences, labels)
            trainingHash = sequences.flatMap { $0 }.map(Float.init) + labels.map(Float.init)
        } else {
            training = nil
        }
        trainingCorrupted = nil
        let clean: [[Int]]
        var truncated = 0
        if spec.model.text != nil {
            let vocabulary = spec.model.tokenizer.map(resolve) ?? ((spec.model.architecture.map(resolve) ?? "") as NSString).deletingLastPathComponent + "/vocab.json"
            let merges = (vocabulary as NSString).deletingLastPathComponent + "/merges.txt"
            let tokenizer = try ByteLevelBPETokenizer(vocabularyFile: vocabulary, mergesFile: merges)
            guard tokenizer.vocabulary.count == c.vocabulary else {
                throw InputError(file: InputFile.displayName(vocabulary), expected: "the checkpoint's vocabulary of vocab_size \(c.vocabulary) tokens, found \(tokenizer.vocabulary.count)")
            }
            let context = c.context
            let read = try TextLines(path: resolve(inputs), limit: context, truncate: spec.model.truncation == "truncate", encode: { tokenizer.encode($0) },
                                     cut: { Array($0.prefix(context)) }, pieces: "tokens", remedy: "model.truncation: truncate keeps the first \(context)")
            clean = read.sequences
            truncated = read.truncated
        } else {
            clean = try ArrayInput.tokenSequences(resolve(inputs), vocabulary: c.vocabulary, context: c.context)
        }
        evaluation = clean
        let inputsPath = resolve(inputs)
        if let files = spec.model.counterfactuals {
            counterfactuals = try Self.counterfactuals(files, clean: clean, inputs: inputsPath, vocabulary: c.vocabulary,
                                                       resolve: { $0.hasPrefix("/") ? $0 : baseDirectory + "/" + $0 })
        } else {
            counterfactuals = nil
        }
        interchange = [:]
        var hashed = evaluation.flatMap { $0 }.map(Float.init)
        if let pairs = counterfactuals {
            hashed += pairs.corrupted.flatMap { $0 }.map(Float.init) + pairs.correct.map(Float.init) + pairs.wrong.map(Float.init)
        }
        let rows = pooling.rows(lengths: evaluation.map(\.count))
        let read = try ClaimTargetFile.targets(of: spec, rows: rows, of: pooling == .tokens ? "tokens of the sequences in \(inputs)" : "token sequences in \(inputs)",
                                               typesRefusal: "control types on token sequences are not supported yet", resolve: resolve)
        targets = read.targets
        hashed += read.hashed
        evaluationHash = FNV1a.hex(floats: hashed)
        dataHash = FNV1a.hex(floats: hashed + trainingHash + models.flatMap { $0.parameterArrays.flatMap { $0 } })
        modelDescription = "GPT-2-layout transformer (vocabulary \(c.vocabulary), d \(c.dimension), \(c.heads) heads, \(c.layers) block\(c.layers == 1 ? "" : "s")) loaded from \(stateDict.description); "
            + (spec.model.text != nil
               ? "\(evaluation.count) lines of \(inputs) (byte-level BPE), each read at its last token" + (truncated > 0 ? "; \(truncated) line\(truncated == 1 ? "" : "s") longer than the context truncated" : "")
               : "\(evaluation.count) token sequences of length \(evaluation.first?.count ?? 0) from \(inputs)")
            + (pooling == .last ? "" : pooling == .tokens ? "; \(rows) token rows" : "; \(pooling.rawValue)-pooled rows")
    }

    /// Every claim's requirements met by `capabilities`, and every site a transformer site.
    /// `length` is the sequences' length (positions a component `SITE@p` may name).
    static func check(_ spec: AuditSpec, capabilities: Set<ClaimRequirement>, layers: Int, heads: Int, length: Int) throws {
        let known = Set(Transformer.sites(layers: layers))
        for claim in spec.claims {
            // K_t (`.trainedSeeds`) is checked with the spec (``SubjectCapabilities``).
            for requirement in claim.requirements.sorted(by: { ($0.field, $0.phrase) < ($1.field, $1.phrase) })
            where !capabilities.contains(requirement) {
                if case .trainedSeeds = requirement { continue }
                throw SpecError(field: "claims.\(claim.name).\(requirement.field)",
                                "method '\(claim.method.name)' needs \(requirement.phrase), which a transformer subject cannot give yet (attribution claims audit MLPs; TransformerAttribution explains a transformer's tokens in the library)")
            }
            if let edgeCircuit = claim.method.parameters as? EdgeCircuitParameters {
                try edgeCircuit.validate(field: "claims.\(claim.name).method", layers: layers, heads: heads)
            }
            if claim.family.siteRole == .measurement && !claim.requirements.isDisjoint(with: [.counterfactualPairs, .interchangePairs]) {
                for site in AuditPlan.sites(for: claim, in: spec) {
                    guard let component = PatchingComponent(parsing: site) else {
                        throw SpecError(field: "claims.\(claim.name).sites", "'\(site)' names no component; expected blocks.i.attn.heads.h, embed, blocks.i.{attn.out, mlp.hidden, mlp.out, resid}, one of these at one position, SITE@p, or an edge WRITER->READER (writers embed, blocks.i.attn.heads.h, blocks.i.mlp; readers blocks.j.attn.in, blocks.j.mlp.in, logits)")
                    }
                    do { try component.check(layers: layers, heads: heads, length: length) } catch let error as MethodError {
                        throw SpecError(field: "claims.\(claim.name).sites", error.message.replacingOccurrences(of: "activation patching: ", with: ""))
                    }
                }
                continue
            }
            for site in AuditPlan.sites(for: claim, in: spec) where !known.contains(site) {
                var message = "unknown site '\(site)' of a \(layers)-block transformer"
                if let near = nearestName(to: site, in: Array(known)) { message += "; did you mean '\(near)'?" }
                throw SpecError(field: "sites", message + " (sites: embed, blocks.i.{resid.pre, attn.heads, attn.out, resid.mid, mlp.hidden, mlp.out, resid}, final, logits)")
            }
            for site in claim.family.readSites(of: claim) where !known.contains(site) {
                var message = "unknown site '\(site)' of a \(layers)-block transformer"
                if let near = nearestName(to: site, in: Array(known)) { message += "; did you mean '\(near)'?" }
                throw SpecError(field: "claims.\(claim.name).method.reads", message)
            }
        }
    }

    public var trainedSeeds: Int { trained.count }

    public func sites(for claim: ClaimSpec) -> [String] { AuditPlan.sites(for: claim, in: spec) }

    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        if let drawn = try ActivationLevelNull.activations(unit, sites: sites, trainedSeeds: trainedSeeds, seed: spec.seed,
                                                           trained: activations) { return drawn }
        return try activations(unit, sites: sites, model: { try model($0, site: $1) }, capture: capture)
    }

    /// The component of the transformer a site belongs to.
    enum Component: Equatable {
        case embeddings
        case block(Int)
        case unembedding
    }

    /// `blocks.i.resid.pre` is the residual stream *entering* block i: it belongs to what produced
    /// it, block i − 1 (the embeddings for block 0), so that re-initializing "its" component changes it.
    static func component(of name: String) -> Component? {
        // A patching claim's `SITE@p` (one position of a site) belongs to the site's component, an
        // edge `WRITER->READER` to its writer's.
        var site = name.split(separator: "@").first.map(String.init) ?? name
        if let arrow = site.range(of: "->") { site = String(site[..<arrow.lowerBound]) }
        if site == "embed" { return .embeddings }
        if site == "final" || site == "logits" { return .unembedding }
        let parts = site.split(separator: ".")
        guard parts.count >= 3, parts[0] == "blocks", let i = Int(parts[1]) else { return nil }
        if parts.dropFirst(2).joined(separator: ".") == "resid.pre" { return i == 0 ? .embeddings : .block(i - 1) }
        return .block(i)
    }

    /// The network a method runs for `unit` at `site`: its model (``model(_:site:)``), except for a
    /// family that keeps the trained network (a method-level null such as `random-circuits`),
    /// whose null k runs on trained network k mod K_t.
    func evaluatedModel(_ unit: AuditUnit, site: String) throws -> Transformer {
        if case .null(let name, let k) = unit, let family = NullSpec.Family(rawValue: name), family.keepsTrainedNetwork {
            return trained[k % trained.count]
        }
        return try model(unit, site: site)
    }

    /// The null model `unit` names (a null unit), for the site-dependent families at `site`'s component.
    func model(_ unit: AuditUnit, site: String) throws -> Transformer {
        guard case .null(let familyName, let k) = unit else {
            if case .trained(let s) = unit { return trained[s] }
            throw AuditError("\(unit): not a model")
        }
        let base = trained[k % trained.count]
        let stream = RandomStream(seed: spec.seed, path: ["null", .label(familyName), .index(k)])
        let layers = base.blocks.count
        guard let family = NullSpec.Family(rawValue: familyName) else { throw AuditError("\(unit): unknown null family '\(familyName)'") }
        switch family {
        case .randomInit:
            return NullModels.reinitialized(base, stream: stream)
        case .cascadingTopDown, .cascadingBottomUp, .independentLayer:
            guard let component = Self.component(of: site) else { throw AuditError("\(unit): site '\(site)' names no component") }
            let topDown: Int, bottomUp: Int
            switch component {
            case .unembedding: (topDown, bottomUp) = (0, layers + 1)
            case .block(let i): (topDown, bottomUp) = (1 + (layers - 1 - i), 1 + i)
            case .embeddings: (topDown, bottomUp) = (layers + 1, 0)
            }
            if family == .cascadingTopDown { return NullModels.cascade(base, topDown: true, stream: stream)[topDown] }
            if family == .cascadingBottomUp { return NullModels.cascade(base, topDown: false, stream: stream)[bottomUp] }
            switch component {
            case .block(let i): return NullModels.independentBlock(base, block: i, stream: stream)
            case .unembedding: return NullModels.cascade(base, topDown: true, stream: stream)[0]
            case .embeddings: return NullModels.cascade(base, topDown: false, stream: stream)[0]
            }
        case .withinLayerPermutation:
            return NullModels.permutedWithinLayers(base, stream: stream)
        case .momentRedraw:
            return NullModels.redrawnFromMoments(base, stream: stream)
        case .momentRedrawExceptEmbeddings:
            return NullModels.redrawnFromMomentsExceptEmbeddings(base, stream: stream)
        case .permutedLabels:
            guard let training else { throw AuditError("permuted-labels retrains the network, which needs training data (a built-in task's, or model.trainingInputs and trainingLabels)") }
            var fresh = NullModels.reinitialized(base, stream: stream.derived("init"))
            let permuted = NullModels.permutedTargets(Tensor(shape: [training.targets.count], scalars: training.targets.map(Float.init)),
                                                      stream: stream.derived("labels"))
            fresh.train(sequences: training.sequences, targets: permuted.scalars.map { Int($0) },
                        plan: NetworkSubject.plan(Self.retrainingPlan(spec), stream: stream.derived("training")))
            return fresh
        case .supplied:
            throw AuditError("\(unit): the family 'supplied' has no network (its null models are activation files)")
        case .gaussianActivations, .frozenDecoder, .frozenEncoder, .randomUnits, .randomCircuits, .inflatedCircuits, .equivalenceMargin, .permutedComplement, .untrainedMap:
            throw AuditError("\(unit): the family '\(familyName)' keeps the trained network and has no null network")
        }
    }


    /// The next-token log-probabilities at the last position of evaluation sequences `rows`, with
    /// the activation at `site` there (the row the audit reads) replaced by `replacement`; every
    /// other position keeps its own value, so the splice changes only what the last position
    /// computes from the site on (log-softmax in Float64).
    public func activationPatching(_ unit: AuditUnit, site: String) throws -> ActivationPatching {
        guard let pairs = counterfactuals else {
            throw AuditError("activation patching needs clean and corrupted inputs; give model.counterfactuals for a transformer loaded from a state dict")
        }
        let network = try evaluatedModel(unit, site: site)
        let length = pairs.clean.first?.count ?? 0
        do {
            return try ActivationPatching(model: network, clean: pairs.clean.flatMap { $0 }, corrupted: pairs.corrupted.flatMap { $0 },
                                          batch: pairs.clean.count, length: length, correct: pairs.correct, wrong: pairs.wrong)
        } catch let error as MethodError {
            throw AuditError("\(unit): \(error.message)")
        }
    }

    /// Distributed alignment search on the model `unit` names (for a family that keeps the trained
    /// network, trained network k mod K_t) at `site` = `SITE@p`, on sequences of the task's length.
    public func alignmentSearch(_ unit: AuditUnit, site: String) throws -> DistributedAlignmentSearch {
        guard case .position(let name, let position)? = PatchingComponent(parsing: site) else {
            throw AuditError("\(unit): an interchange intervention acts at one position of a site, SITE@p; found '\(site)'")
        }
        let network = try evaluatedModel(unit, site: site)
        do {
            return try DistributedAlignmentSearch(model: network, site: name, position: position, length: evaluation.first?.count ?? 0)
        } catch let error as MethodError {
            throw AuditError("\(unit): \(error.message)")
        }
    }

    public func interchangePairs(variable: String) throws -> (training: InterchangePairs, evaluation: InterchangePairs) {
        guard let pairs = interchange[variable] else {
            throw AuditError("no interchange pairs for the variable '\(variable)' (hierarchical-equality's variables: left, right)")
        }
        return pairs
    }

    /// The runs of ``alignmentSearch(_:site:)`` on the variable's pairs.
    public func interventionRuns(_ unit: AuditUnit, site: String, variable: String) throws -> (training: any InterventionRuns, evaluation: any InterventionRuns) {
        let search = try alignmentSearch(unit, site: site)
        let pairs = try interchangePairs(variable: variable)
        do {
            return (try search.runs(pairs.training), try search.runs(pairs.evaluation))
        } catch let error as MethodError {
            throw AuditError("\(unit) at \(site): \(error.message)")
        }
    }

    /// The transformer `unit` names (``evaluatedModel(_:site:)``), whose MLP blocks' units a
    /// neuron-ablation claim removes.
    public func ablatableNetwork(_ unit: AuditUnit, site: String) throws -> any AblatableNetwork {
        try evaluatedModel(unit, site: site)
    }

    /// The sequences of a subset of a built-in task's data as rows of token ids `[rows, length]`
    /// with their answers: `evaluation` (the held-out sequences with their clean answers, those
    /// activation patching and circuits judge by), `training` (the training sequences with their
    /// labels as trained, corrupted or not), and modular addition's `training-clean` and
    /// `training-corrupted` (the training rows whose label was kept or replaced).
    public func labelledRows(_ subset: String) throws -> (inputs: Tensor, labels: [Int]) {
        func rows(_ sequences: [[Int]]) -> Tensor {
            Tensor(shape: [sequences.count, sequences.first?.count ?? 0], scalars: sequences.flatMap { $0 }.map(Float.init))
        }
        if subset == "evaluation" {
            guard let pairs = counterfactuals else { throw AuditError("this subject (\(modelDescription)) has no answers for its evaluation sequences") }
            return (rows(evaluation), pairs.correct)
        }
        guard let training else { throw AuditError("this subject (\(modelDescription)) has no labelled training sequences") }
        if subset == "training" { return (rows(training.sequences), training.targets) }
        guard let flags = trainingCorrupted, flags.count == training.targets.count, subset == "training-clean" || subset == "training-corrupted" else {
            throw AuditError("no subset '\(subset)' of this subject's data (\(modelDescription))")
        }
        let kept = flags.indices.filter { flags[$0] == (subset == "training-corrupted") }
        return (rows(kept.map { training.sequences[$0] }), kept.map { training.targets[$0] })
    }

    /// Heads and MLP blocks of the model `unit` names (for a family that keeps the trained network,
    /// trained network k mod K_t), judged by next-token accuracy on the clean answers of the
    /// held-out pairs at the last position.
    public func circuitProblem(_ unit: AuditUnit, site: String, ablation: GreedyCircuitSearch.Ablation, stream: RandomStream) throws -> GreedyCircuitSearch.Problem {
        guard let pairs = counterfactuals else {
            throw AuditError("circuit discovery needs the task's answers; give model.counterfactuals for a transformer loaded from a state dict")
        }
        let network = try evaluatedModel(unit, site: site)
        return GreedyCircuitSearch.transformerComponents(network, tokens: evaluation.flatMap { $0 }, batch: evaluation.count,
                                                         length: evaluation.first?.count ?? 0, targets: pairs.correct,
                                                         ablation: ablation, stream: stream)
    }

    public func splicedLogProbabilities(_ unit: AuditUnit, site: String, rows: [Int], replacement: [Float]?) throws -> Tensor {
        guard Transformer.isReplaceable(site) else {
            throw AuditError("\(unit): a reconstruction cannot be spliced in at '\(site)', which a transformer reads but does not replace; splice at embed or blocks.i.{attn.out, mlp.hidden, mlp.out, resid}")
        }
        guard rows.allSatisfy({ evaluation.indices.contains($0) }) else { throw AuditError("\(unit): evaluation rows out of range") }
        let network = try evaluatedModel(unit, site: site)
        let length = evaluation.first?.count ?? 0, n = rows.count
        let tokens = rows.flatMap { evaluation[$0] }
        var hooks = Hooks.none
        if let replacement {
            guard var full = network.forward(tokens: tokens, batch: n, length: length, hooks: Hooks(capture: [site])).captured[site] else {
                throw AuditError("\(unit): site '\(site)' produced no activations")
            }
            let width = full.shape[1]
            guard replacement.count == n * width else {
                throw AuditError("\(unit): a replacement of \(replacement.count) values for \(n) rows of width \(width) at '\(site)'")
            }
            for b in 0..<n {
                let to = (b * length + length - 1) * width
                for j in 0..<width { full.scalars[to + j] = replacement[b * width + j] }
            }
            hooks = Hooks(replace: [site: full])
        }
        let logits = network.forward(tokens: tokens, batch: n, length: length, hooks: hooks).logits
        let outputs = logits.shape[1]
        var out = [Float](repeating: 0, count: n * outputs)
        for b in 0..<n {
            let from = (b * length + length - 1) * outputs
            var top = -Double.infinity
            for v in 0..<outputs { top = max(top, Double(logits.scalars[from + v])) }
            var total = 0.0
            for v in 0..<outputs { total += exp(Double(logits.scalars[from + v]) - top) }
            let logTotal = top + log(total)
            for v in 0..<outputs { out[b * outputs + v] = Float(Double(logits.scalars[from + v]) - logTotal) }
        }
        return Tensor(shape: [n, outputs], scalars: out)
    }

    /// The activations at `sites` at the last position of every evaluation sequence (or pooled as
    /// ``pooling`` says): sequences of one length run as one batch (all of them, unless the inputs
    /// are lines of text), each row put back at its sequence's index.
    func capture(_ model: Transformer, sites: Set<String>) -> [String: Tensor] {
        let lengths = evaluation.map(\.count)
        let n = pooling.rows(lengths: lengths)
        var firstRow = Array(evaluation.indices)
        if pooling == .tokens {
            var total = 0
            for (i, length) in lengths.enumerated() { firstRow[i] = total; total += length }
        }
        var groups: [Int: [Int]] = [:]
        for (i, sequence) in evaluation.enumerated() { groups[sequence.count, default: []].append(i) }
        var out: [String: [Float]] = [:], widths: [String: Int] = [:]
        for (length, members) in groups.sorted(by: { $0.key < $1.key }) {
            let pass = model.forward(tokens: members.flatMap { evaluation[$0] }, batch: members.count, length: length, hooks: Hooks(capture: sites))
            for (site, all) in pass.captured {
                let width = all.shape[1]
                var rows = out[site] ?? [Float](repeating: 0, count: n * width)
                out[site] = nil   // keep the buffer unique while it is written
                widths[site] = width
                pooling.pool(all, length: length, lengths: [Int](repeating: length, count: members.count),
                             rows: members.map { firstRow[$0] }, into: &rows)
                out[site] = rows
            }
        }
        return out.reduce(into: [:]) { result, entry in
            let width = widths[entry.key] ?? 1
            result[entry.key] = Tensor(shape: [n, width], scalars: entry.value)
        }
    }

    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        guard let target = targets[claim.name] else { throw AuditError("no target for claim \(claim.name)") }
        do { return try ProbeData(activations: activations, target: target) } catch let e as MethodError {
            throw MethodError("claim \(claim.name): \(e.message)")
        }
    }
}
