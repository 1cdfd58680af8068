import SalmonDiagnostics
import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// The model under audit: a built-in task with an MLP trained on it, or a state dict.
public struct ModelSpec: Sendable, Codable, Equatable {
    /// A built-in task: `planted-concepts`, `sparse-parity` or `digits` (the bundled 8 × 8
    /// handwritten digits: `taskOptions.examples` training images and `evaluationExamples` held
    /// out, 1,797 at most together).
    public var task: String?
    public var taskOptions: TaskOptions
    /// Hidden layer widths of the MLP.
    public var hidden: [Int]
    public var activation: String
    public var training: TrainingSpec
    /// Evaluation inputs drawn fresh from the task (never seen in training).
    public var evaluationExamples: Int
    /// A PyTorch state dict (safetensors) with its architecture JSON and evaluation inputs (.npy).
    public var stateDict: StateDictFiles?
    public var architecture: String?
    public var inputs: String?
    /// Activations exported from another framework: no network at all (`salmon probe`).
    public var activations: ActivationFiles?
    /// Attribution maps exported from another framework: no network, only its explanations
    /// (`salmon attribution`).
    public var maps: AttributionMapFiles?
    /// The transformer trained on a sequence task (`modular-addition`); absent for other tasks.
    public var transformer: TransformerShape?
    /// For a model loaded from a state dict: its training inputs (`.npy` rows, or token sequences
    /// for a transformer) and labels, so that `permuted-labels` can retrain the architecture on
    /// them with `training`'s recipe (the user's own recipe should be stated there).
    public var trainingInputs: String?
    public var trainingLabels: String?
    /// For a model loaded from a state dict: the outputs PyTorch computed on `inputs` (`.npy`,
    /// `[n, outputs]` for trained network 0, or `[seeds, n, outputs]` for every state dict; a
    /// transformer's logits at the last position), checked after loading (``ReferenceOutputs``).
    public var referenceOutputs: String?
    /// A CNN instead of an MLP (image tasks: `digits`): the output channels of each convolution
    /// block (3 × 3, same padding, ReLU, 2 × 2 max pooling), followed by dense layers of `hidden` widths.
    public var convolutions: [Int]?
    /// A built-in task's MLP: whether its layers have biases (absent: true; `false` is
    /// `nn.Linear(…, bias=False)`, as in Doshi et al. 2023). Not written to the canonical spec
    /// when absent, so specs written before it existed keep their hash.
    public var bias: Bool?
    /// A built-in task's MLP: how its layers are initialized — `pytorch-default` (absent),
    /// `xavier-uniform`, or `normal:SD` (N(0, SD²) weights, zero biases). Trained networks and
    /// every null model that redraws layers (random-init, cascading, independent layer,
    /// permuted labels) draw from it.
    public var initialization: String?
    /// A transformer loaded from a state dict: corrupted sequences and answer tokens for its
    /// `inputs` (``CounterfactualFiles``). Not written to the canonical spec when absent.
    public var counterfactuals: CounterfactualFiles?
    /// A BERT-family or GPT-2 checkpoint (`architecture` a `config.json`): its inputs as text,
    /// one example per line, instead of `inputs` (token ids). Tokenized with `tokenizer`: WordPiece
    /// for BERT, GPT-2's byte-level BPE for GPT-2. Not written to the canonical spec when absent
    /// (nor are the three keys below).
    public var text: String?
    /// The vocabulary that tokenizes `text`: BERT's `vocab.txt` (absent: the one beside
    /// `architecture`), configured by a `tokenizer_config.json` beside it, if any
    /// (``WordPieceTokenizer/configured(vocabularyFile:configurationFile:)``); GPT-2's `vocab.json`
    /// (absent: beside `architecture`), with `merges.txt` beside it.
    public var tokenizer: String?
    /// A text line longer than the model's positions: `refuse` (absent) or `truncate` (as
    /// transformers' `truncation=True` keeps it: BERT's first positions − 1 word pieces and `[SEP]`,
    /// GPT-2's first positions tokens).
    public var truncation: String?
    /// How a BERT checkpoint's token states become rows (``TokenPooling``): `mean` (absent),
    /// `first`, `last`, or `tokens` (one row per token).
    public var pooling: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, taskOptions, hidden, activation, training, evaluationExamples, stateDict, architecture, inputs, activations, transformer
        case convolutions, trainingInputs, trainingLabels, maps, referenceOutputs, bias, initialization, counterfactuals
        case text, tokenizer, truncation, pooling
    }

    /// A model with every setting at its default (what a spec that names only `task` gets): a
    /// 32–32 ReLU MLP, ``TrainingSpec()``, 1,000 evaluation examples.
    public init(task: String?) {
        self.task = task
        taskOptions = TaskOptions()
        hidden = [32, 32]
        activation = "relu"
        training = TrainingSpec()
        evaluationExamples = 1000
        if task.flatMap(BuiltInTask.init(rawValue:))?.isSequenceTask == true { transformer = TransformerShape() }
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelSpec(task: nil)
        task = try c.decodeIfPresent(String.self, forKey: .task)
        taskOptions = try c.decodeIfPresent(TaskOptions.self, forKey: .taskOptions) ?? d.taskOptions
        hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? d.hidden
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? d.activation
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training) ?? d.training
        evaluationExamples = try c.decodeIfPresent(Int.self, forKey: .evaluationExamples) ?? d.evaluationExamples
        stateDict = try c.decodeIfPresent(StateDictFiles.self, forKey: .stateDict)
        architecture = try c.decodeIfPresent(String.self, forKey: .architecture)
        inputs = try c.decodeIfPresent(String.self, forKey: .inputs)
        activations = try c.decodeIfPresent(ActivationFiles.self, forKey: .activations)
        maps = try c.decodeIfPresent(AttributionMapFiles.self, forKey: .maps)
        transformer = try c.decodeIfPresent(TransformerShape.self, forKey: .transformer)
        convolutions = try c.decodeIfPresent([Int].self, forKey: .convolutions)
        trainingInputs = try c.decodeIfPresent(String.self, forKey: .trainingInputs)
        trainingLabels = try c.decodeIfPresent(String.self, forKey: .trainingLabels)
        referenceOutputs = try c.decodeIfPresent(String.self, forKey: .referenceOutputs)
        bias = try c.decodeIfPresent(Bool.self, forKey: .bias)
        initialization = try c.decodeIfPresent(String.self, forKey: .initialization)
        counterfactuals = try c.decodeIfPresent(CounterfactualFiles.self, forKey: .counterfactuals)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        tokenizer = try c.decodeIfPresent(String.self, forKey: .tokenizer)
        truncation = try c.decodeIfPresent(String.self, forKey: .truncation)
        pooling = try c.decodeIfPresent(String.self, forKey: .pooling)
        if transformer == nil && task.flatMap(BuiltInTask.init(rawValue:))?.isSequenceTask == true { transformer = TransformerShape() }
    }

    /// The built-in tasks.
    public enum BuiltInTask: String, CaseIterable, Sendable {
        case plantedConcepts = "planted-concepts"
        case sparseParity = "sparse-parity"
        case digits
        /// (a + b) mod p from the token pair [a, b], learned by a transformer.
        case modularAddition = "modular-addition"
        /// Elhage et al.'s toy model of superposition: sparse features reconstructed through a
        /// narrower hidden layer (a regression task, mean squared error).
        case toySuperposition = "toy-superposition"
        /// (a + b) mod p from the one-hot codes of a and b (2p inputs), learned by an MLP; training
        /// labels corrupted by `taskOptions.corruption` (Gromov 2023; Doshi et al. 2023).
        case modularAdditionOneHot = "modular-addition-one-hot"
        /// Distinct random tokens and one of them again: predict at the last position the token
        /// that followed it earlier (induction heads; Olsson et al. 2022), learned by a transformer.
        case induction
        /// Four tokens [a, b, c, d]: answer 1 when (a = b) = (c = d), else 0, learned by a
        /// transformer; its variables left = (a = b) and right = (c = d) are what distributed
        /// alignment search aligns (Geiger et al. 2024; Sutter et al. 2025).
        case hierarchicalEquality = "hierarchical-equality"
        /// Hierarchical equality on vectors, learned by an MLP (Geiger et al. 2024's setting): four
        /// objects in ℝ^`taskOptions.dimension`, label (a = b) = (c = d); the same variables left
        /// and right, aligned at a hidden layer.
        case hierarchicalEqualityVectors = "hierarchical-equality-vectors"

        /// Whether the task's inputs are token sequences (its model a transformer).
        public var isSequenceTask: Bool { self == .modularAddition || self == .induction || self == .hierarchicalEquality }
        /// Whether the task's target is real-valued (its network trained on mean squared error).
        public var isRegressionTask: Bool { self == .toySuperposition }
        /// Whether the task knows the direction of each of its features in input space, so that a
        /// site linear in the inputs has known true features (``SyntheticTasks/plantedConcepts(examples:concepts:dimension:labelConcepts:noise:stream:)``,
        /// ``SyntheticTasks/sparseFeatures(features:sparsity:examples:stream:)``).
        public var hasFeatureDirections: Bool { self == .plantedConcepts || self == .toySuperposition }
    }

    public static let tasks = BuiltInTask.allCases.map(\.rawValue)
    /// The hidden activations of a built-in task's MLP, by name.
    static let hiddenActivations: [String: Activation] = ["relu": .relu, "tanh": .tanh, "gelu": .gelu, "sigmoid": .sigmoid, "square": .square]
    public static let activations = ["relu", "tanh", "gelu", "sigmoid", "square"]

    public var isFileModel: Bool { stateDict != nil || activations != nil || maps != nil }

    /// The initializer `initialization` names (pytorch-default when absent).
    /// - Throws: ``SpecError`` naming `model.initialization`.
    public func initializer() throws -> Initializer {
        guard let initialization else { return .pytorchDefault }
        switch initialization {
        case "pytorch-default": return .pytorchDefault
        case "xavier-uniform": return .xavierUniform
        default:
            let parts = initialization.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == "normal", let sd = Double(parts[1]), sd > 0, sd <= 1e3 {
                return .normal(standardDeviation: Float(sd))
            }
            throw SpecError(field: "model.initialization", "expected pytorch-default, xavier-uniform or normal:SD with 0 < SD ≤ 1000, found '\(initialization)'")
        }
    }

    /// L, the layers with parameters of the MLP or CNN a built-in task trains (convolutions, then
    /// dense layers, the logits last).
    public var layerCount: Int { (convolutions?.count ?? 0) + hidden.count + 1 }

    func validate() throws {
        if stateDict == nil && referenceOutputs != nil {
            throw SpecError(field: "model.referenceOutputs", "reference outputs check a model loaded from a state dict; this model has none")
        }
        if stateDict == nil && counterfactuals != nil {
            throw SpecError(field: "model.counterfactuals", "clean/corrupted pairs from files go with a transformer loaded from a state dict (a built-in task makes its own)")
        }
        if stateDict == nil && (trainingInputs != nil || trainingLabels != nil) {
            throw SpecError(field: trainingInputs != nil ? "model.trainingInputs" : "model.trainingLabels",
                            "training data is given for a model loaded from a state dict (a built-in task brings its own)")
        }
        if stateDict == nil, let field = [("model.text", text), ("model.tokenizer", tokenizer), ("model.truncation", truncation),
                                          ("model.pooling", pooling)].first(where: { $0.1 != nil })?.0 {
            throw SpecError(field: field, "applies to a checkpoint read on text (stateDict with a BERT or GPT-2 config.json as its architecture); this model has no state dict")
        }
        if text == nil, let field = [("model.tokenizer", tokenizer), ("model.truncation", truncation)].first(where: { $0.1 != nil })?.0 {
            throw SpecError(field: field, "applies to text inputs (model.text)")
        }
        if let truncation, !["refuse", "truncate"].contains(truncation) {
            throw SpecError(field: "model.truncation", "expected refuse or truncate, found '\(truncation)'")
        }
        if let pooling, TokenPooling(rawValue: pooling) == nil {
            var m = "unknown pooling '\(pooling)'"
            if let near = nearestName(to: pooling, in: TokenPooling.allCases.map(\.rawValue)) { m += "; did you mean '\(near)'?" }
            throw SpecError(field: "model.pooling", m + " (allowed: \(TokenPooling.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let maps {
            guard task == nil, stateDict == nil, activations == nil else {
                throw SpecError(field: "model", "give one of 'task', 'stateDict', 'activations' or 'maps'")
            }
            try maps.validate()
            return
        }
        if let activations {
            guard task == nil, stateDict == nil else { throw SpecError(field: "model", "give one of 'task', 'stateDict' or 'activations'") }
            try activations.validate()
            return
        }
        if let task {
            guard Self.tasks.contains(task) else {
                var m = "unknown task '\(task)'"
                if let s = nearestName(to: task, in: Self.tasks) { m += "; did you mean '\(s)'?" }
                throw SpecError(field: "model.task", m + " (allowed: \(Self.tasks.joined(separator: ", ")))")
            }
            guard stateDict == nil else { throw SpecError(field: "model", "give either 'task' or 'stateDict', not both") }
        } else {
            guard let stateDict else { throw SpecError(field: "model", "expected 'task' (a built-in task) or 'stateDict' with 'architecture' and 'inputs'") }
            if (trainingInputs == nil) != (trainingLabels == nil) {
                throw SpecError(field: trainingInputs == nil ? "model.trainingInputs" : "model.trainingLabels",
                                "training data takes both trainingInputs and trainingLabels")
            }
            guard !stateDict.paths.isEmpty, stateDict.paths.count <= 10_000 else {
                throw SpecError(field: "model.stateDict", "expected a state dict, or a list of 1 … 10,000 (one per trained seed)")
            }
            guard architecture != nil else { throw SpecError(field: "model.architecture", "a state dict needs its architecture JSON") }
            guard inputs != nil || text != nil else { throw SpecError(field: "model.inputs", "a state dict needs evaluation inputs (.npy; or model.text, lines of text, for a BERT checkpoint)") }
            guard inputs == nil || text == nil else { throw SpecError(field: "model.text", "give the evaluation inputs once: model.inputs (token ids) or model.text (lines of text), not both") }
        }
        guard hidden.allSatisfy({ $0 >= 1 }) else { throw SpecError(field: "model.hidden", "expected positive widths, found \(hidden)") }
        guard Self.activations.contains(activation) else {
            throw SpecError(field: "model.activation", "unknown activation '\(activation)' (allowed: \(Self.activations.joined(separator: ", ")))")
        }
        guard evaluationExamples >= 10 && evaluationExamples <= 10_000_000 else {
            throw SpecError(field: "model.evaluationExamples", "expected 10 … 10,000,000, found \(evaluationExamples)")
        }
        guard hidden.count <= 64 && hidden.allSatisfy({ $0 <= 100_000 }) else {
            throw SpecError(field: "model.hidden", "expected at most 64 layers of at most 100,000 units")
        }
        try taskOptions.validate()
        let builtIn = task.flatMap(BuiltInTask.init(rawValue:))
        if let shape = transformer {
            guard builtIn?.isSequenceTask == true else {
                throw SpecError(field: "model.transformer", "a transformer is trained on a sequence task (modular-addition, induction, hierarchical-equality); task '\(task ?? "")' has an MLP (model.hidden)")
            }
            try shape.validate()
        }
        if let convolutions {
            guard builtIn == .digits else {
                throw SpecError(field: "model.convolutions", "a CNN is trained on images: task 'digits' (found '\(task ?? "a state dict")')")
            }
            guard !convolutions.isEmpty, convolutions.allSatisfy({ (1...1024).contains($0) }) else {
                throw SpecError(field: "model.convolutions", "expected 1 … 1024 output channels per convolution block, found \(convolutions)")
            }
            guard convolutions.count <= 3 else {
                throw SpecError(field: "model.convolutions", "the 8 × 8 digits allow at most 3 blocks of 2 × 2 pooling, found \(convolutions.count)")
            }
            guard activation == "relu" else {
                throw SpecError(field: "model.activation", "a CNN uses ReLU (its pooling and guided backpropagation assume it), found '\(activation)'")
            }
        }
        if bias != nil || initialization != nil {
            let field = bias != nil ? "model.bias" : "model.initialization"
            guard builtIn != nil, transformer == nil, convolutions == nil else {
                throw SpecError(field: field, "applies to the MLP a built-in task trains, not to \(transformer != nil ? "a transformer" : convolutions != nil ? "a CNN" : "a model loaded from files")")
            }
            _ = try initializer()
        }
        if let loss = training.loss {
            guard builtIn != nil, transformer == nil else {
                throw SpecError(field: "model.training.loss", "applies to a network a built-in task trains on class labels (a transformer trains on cross-entropy)")
            }
            guard builtIn?.isRegressionTask != true else {
                throw SpecError(field: "model.training.loss", "'\(loss)' reads class labels; \(task ?? "") is a regression task (mean squared error)")
            }
        }
        if builtIn == .modularAddition || builtIn == .modularAdditionOneHot {
            let p = taskOptions.modulus ?? TaskOptions.defaultModulus
            guard (2...1000).contains(p) else { throw SpecError(field: "model.taskOptions.modulus", "expected 2 … 1000, found \(p)") }
            if let c = taskOptions.corruption, !(c >= 0 && c <= 1) {
                throw SpecError(field: "model.taskOptions.corruption", "expected a fraction in [0, 1], found \(c)")
            }
            guard taskOptions.examples + evaluationExamples <= p * p else {
                throw SpecError(field: "model.taskOptions.examples", "modular addition mod \(p) has \(p * p) pairs; examples (\(taskOptions.examples)) + evaluationExamples (\(evaluationExamples)) must be at most \(p * p)")
            }
        } else if taskOptions.modulus != nil || taskOptions.corruption != nil {
            throw SpecError(field: "model.taskOptions", "modulus and corruption are options of modular-addition and modular-addition-one-hot, not of '\(task ?? "")'")
        }
        if builtIn == .induction {
            let v = taskOptions.vocabulary ?? TaskOptions.defaultInductionVocabulary, h = taskOptions.tokens ?? TaskOptions.defaultInductionTokens
            guard (3...100_000).contains(v) else { throw SpecError(field: "model.taskOptions.vocabulary", "expected 3 … 100,000 tokens, found \(v)") }
            guard h >= 2, h < v, h <= 512 else {
                throw SpecError(field: "model.taskOptions.tokens", "expected 2 … \(min(v - 1, 512)) distinct tokens (fewer than the vocabulary \(v), so a corrupted sequence has a token to put in), found \(h)")
            }
        } else if builtIn == .hierarchicalEquality {
            let v = taskOptions.vocabulary ?? TaskOptions.defaultEqualityVocabulary
            guard (4...100_000).contains(v) else {
                throw SpecError(field: "model.taskOptions.vocabulary", "expected 4 … 100,000 tokens (the answers 0 and 1 and at least two symbols), found \(v)")
            }
            if taskOptions.tokens != nil {
                throw SpecError(field: "model.taskOptions.tokens", "hierarchical-equality's sequences are always 4 tokens; tokens is an option of induction")
            }
        } else if taskOptions.vocabulary != nil || taskOptions.tokens != nil {
            throw SpecError(field: "model.taskOptions", "vocabulary and tokens are options of induction (and vocabulary of hierarchical-equality), not of '\(task ?? "")'")
        }
        if builtIn != .toySuperposition && (taskOptions.features != nil || taskOptions.sparsity != nil) {
            throw SpecError(field: "model.taskOptions", "features and sparsity are options of toy-superposition, not of '\(task ?? "")'")
        }
        if task == "digits" && taskOptions.examples + evaluationExamples > 1797 {
            throw SpecError(field: "model.taskOptions.examples", "the digits hold 1,797 images; examples (\(taskOptions.examples)) + evaluationExamples (\(evaluationExamples)) must be at most 1797")
        }
        try training.validate()
        if let builtIn { try requireFitsInMemory(builtIn) }
    }

    /// Refuses, before anything is generated or trained, a built-in task's network or data that
    /// cannot fit in memory (``MemoryBudget``), naming the field to change:
    /// - the task's inputs: `examples + evaluationExamples` rows of its features, Float32, twice
    ///   (generated and split) — `model.taskOptions.examples`;
    /// - per trained network, its parameters with their gradients and AdamW's two moments (16
    ///   bytes each) — `model.hidden`, `model.convolutions` or `model.transformer`;
    /// - the activations a probe or attribution captures: every row through the widest layer,
    ///   Float32, twice (captured and standardized) — the same field.
    ///
    /// The MLP, the CNN (3 × 3 same-padded convolutions, each followed by 2 × 2 pooling, then the
    /// dense layers) and the transformer (GPT-2 blocks on two-token modular-addition sequences)
    /// are each counted from the shape they are built with. `hidden: [100000, 100000]` aborted on
    /// allocation for an MLP and for a CNN, and a transformer of 64 blocks of width 4096 did too.
    func requireFitsInMemory(_ task: BuiltInTask) throws {
        let features: Double
        switch task {
        case .plantedConcepts: features = Double(taskOptions.dimension)
        case .sparseParity: features = Double(taskOptions.bits)
        case .digits: features = 64
        case .modularAddition: features = 2
        case .modularAdditionOneHot: features = 2 * Double(taskOptions.modulus ?? TaskOptions.defaultModulus)
        case .induction: features = Double((taskOptions.tokens ?? TaskOptions.defaultInductionTokens) + 1)
        case .hierarchicalEquality: features = 4
        case .hierarchicalEqualityVectors: features = 4 * Double(taskOptions.dimension)
        case .toySuperposition: features = Double(taskOptions.features ?? TaskOptions.defaultFeatures)
        }
        let rows = Double(taskOptions.examples) + Double(evaluationExamples)
        let data = 2 * 4 * rows * features
        if let excess = MemoryBudget.excess(data, what: "\(Int(rows)) rows of \(Int(features)) features") {
            throw SpecError(field: "model.taskOptions.examples", "expected \(excess)")
        }
        let (field, parameters, widest) = networkSize(task, features: features)
        if let excess = MemoryBudget.excess(16 * parameters, what: "a network of \(Self.count(parameters)) parameters (weights, gradients and two AdamW moments)") {
            throw SpecError(field: field, "expected \(excess)")
        }
        if let excess = MemoryBudget.excess(2 * 4 * rows * widest, what: "the activations of \(Int(rows)) rows through a layer of \(Self.count(widest)) values") {
            throw SpecError(field: field, "expected \(excess)")
        }
    }

    /// The field that sets a built-in task's network size, its parameter count and its widest
    /// activation per example (as `Double`s, so that a product past `Int.max` still compares).
    private func networkSize(_ task: BuiltInTask, features: Double) -> (field: String, parameters: Double, widest: Double) {
        if task.isSequenceTask {
            let shape = transformer ?? TransformerShape()
            let vocabulary: Double, context: Double
            switch task {
            case .induction: (vocabulary, context) = (Double(taskOptions.vocabulary ?? TaskOptions.defaultInductionVocabulary), features)
            case .hierarchicalEquality: (vocabulary, context) = (Double(taskOptions.vocabulary ?? TaskOptions.defaultEqualityVocabulary), 4)
            default: (vocabulary, context) = (Double(taskOptions.modulus ?? TaskOptions.defaultModulus), 2)
            }
            let d = Double(shape.dimension), mlp = Double(shape.hidden ?? 4 * shape.dimension)
            // Per block: two LayerNorms, QKV and output projections with biases, the MLP's two layers.
            let block = 4 * d + (4 * d * d + 4 * d) + (2 * d * mlp + mlp + d)
            let parameters = vocabulary * d + context * d + Double(shape.layers) * block + 2 * d + d * vocabulary
            // Per sequence and block: the residual stream, QKV, the MLP's hidden layer and the
            // attention pattern of every head.
            let widest = Double(shape.layers) * context * (4 * d + mlp + Double(shape.heads) * context)
            return ("model.transformer", parameters, widest)
        }
        var convolutionParameters = 0.0, denseParameters = 0.0
        var widest = features
        var width = features
        if let convolutions {
            var channels = 1.0, side = 8.0
            for out in convolutions.map(Double.init) {
                convolutionParameters += channels * out * 9 + out
                widest = max(widest, out * side * side, channels * 9 * side * side)
                channels = out
                side = (side / 2).rounded(.down)
            }
            width = channels * side * side
        }
        // The output layer: at most 10 classes, p for modular addition, or one output per feature reconstructed.
        let outputs = task == .toySuperposition ? features : task == .modularAdditionOneHot ? features / 2 : 10
        let dense = hidden.map(Double.init) + [outputs]
        for out in dense {
            denseParameters += width * out + out
            widest = max(widest, out)
            width = out
        }
        let field = convolutionParameters > denseParameters ? "model.convolutions" : "model.hidden"
        return (field, convolutionParameters + denseParameters, widest)
    }

    /// A count in digits (`10002800010`), or in scientific notation past 2⁵³, where a `Double`
    /// no longer holds every integer (and `Int(_:)` would trap past `Int.max`).
    private static func count(_ value: Double) -> String {
        value < 9.0e15 ? String(Int64(value)) : String(format: "%.3g", value)
    }
}

/// Options of the built-in tasks (each used by the tasks it applies to).
public struct TaskOptions: Sendable, Codable, Equatable {
    public var examples: Int
    public var concepts: Int
    public var dimension: Int
    public var labelConcepts: [Int]
    public var noise: Double
    public var bits: Int
    public var relevant: Int
    /// Modular addition: the modulus p (default 23); inputs are the p² pairs.
    public var modulus: Int?
    /// Modular addition: the fraction of labels replaced by a wrong one (default 0).
    public var corruption: Double?
    /// Toy superposition: the number of sparse features (default 20).
    public var features: Int?
    /// Induction: the vocabulary (default 16) and h, the distinct tokens before the repeated one
    /// (default 5; the sequence is h + 1 tokens long).
    public var vocabulary: Int?
    public var tokens: Int?
    /// Toy superposition: the probability S that a feature is zero (default 0.9).
    public var sparsity: Double?

    static let defaultModulus = 23
    static let defaultFeatures = 20
    static let defaultSparsity = 0.9
    static let defaultInductionVocabulary = 16
    static let defaultInductionTokens = 5
    static let defaultEqualityVocabulary = 10

    enum CodingKeys: String, CodingKey, CaseIterable { case examples, concepts, dimension, labelConcepts, noise, bits, relevant, modulus, corruption, features, sparsity, vocabulary, tokens }

    public init() {
        examples = 2000; concepts = 3; dimension = 16; labelConcepts = [0, 1]; noise = 0.5; bits = 8; relevant = 3
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TaskOptions()
        examples = try c.decodeIfPresent(Int.self, forKey: .examples) ?? d.examples
        concepts = try c.decodeIfPresent(Int.self, forKey: .concepts) ?? d.concepts
        dimension = try c.decodeIfPresent(Int.self, forKey: .dimension) ?? d.dimension
        labelConcepts = try c.decodeIfPresent([Int].self, forKey: .labelConcepts) ?? d.labelConcepts
        noise = try c.decodeIfPresent(Double.self, forKey: .noise) ?? d.noise
        bits = try c.decodeIfPresent(Int.self, forKey: .bits) ?? d.bits
        relevant = try c.decodeIfPresent(Int.self, forKey: .relevant) ?? d.relevant
        modulus = try c.decodeIfPresent(Int.self, forKey: .modulus)
        corruption = try c.decodeIfPresent(Double.self, forKey: .corruption)
        features = try c.decodeIfPresent(Int.self, forKey: .features)
        sparsity = try c.decodeIfPresent(Double.self, forKey: .sparsity)
        vocabulary = try c.decodeIfPresent(Int.self, forKey: .vocabulary)
        tokens = try c.decodeIfPresent(Int.self, forKey: .tokens)
    }

    func validate() throws {
        guard examples >= 10 && examples <= 10_000_000 else { throw SpecError(field: "model.taskOptions.examples", "expected 10 … 10,000,000, found \(examples)") }
        guard concepts >= 1, dimension >= 1, concepts <= 62, dimension <= 100_000 else {
            throw SpecError(field: "model.taskOptions", "expected 1 ≤ concepts ≤ 62 and 1 ≤ dimension ≤ 100,000")
        }
        guard !labelConcepts.isEmpty, labelConcepts.allSatisfy({ (0..<concepts).contains($0) }) else {
            throw SpecError(field: "model.taskOptions.labelConcepts", "expected indices in 0..<\(concepts), found \(labelConcepts)")
        }
        guard noise.isFinite && noise >= 0 else { throw SpecError(field: "model.taskOptions.noise", "expected a finite number ≥ 0, found \(noise)") }
        guard bits >= 1, bits <= 62, relevant >= 1, relevant <= bits else { throw SpecError(field: "model.taskOptions", "sparse parity needs 1 ≤ relevant ≤ bits ≤ 62") }
        if let features, !(1...100_000).contains(features) {
            throw SpecError(field: "model.taskOptions.features", "expected 1 … 100,000 features, found \(features)")
        }
        if let sparsity, !(sparsity >= 0 && sparsity < 1) {
            throw SpecError(field: "model.taskOptions.sparsity", "expected a probability in [0, 1), found \(sparsity)")
        }
    }
}

/// The shape of a transformer trained here (GPT-2 style: pre-LayerNorm blocks, GELU MLP; the
/// vocabulary and context follow from the task).
public struct TransformerShape: Sendable, Codable, Equatable {
    public var dimension: Int
    public var heads: Int
    public var layers: Int
    /// Each block's MLP width (default 4 × dimension).
    public var hidden: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case dimension, heads, layers, hidden }

    public init() { dimension = 64; heads = 4; layers = 1 }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TransformerShape()
        dimension = try c.decodeIfPresent(Int.self, forKey: .dimension) ?? d.dimension
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? d.layers
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden)
    }

    func validate() throws {
        guard (1...4096).contains(dimension) else { throw SpecError(field: "model.transformer.dimension", "expected 1 … 4096, found \(dimension)") }
        guard heads >= 1, dimension % heads == 0 else {
            throw SpecError(field: "model.transformer.heads", "expected a divisor of dimension \(dimension), found \(heads)")
        }
        guard (1...64).contains(layers) else { throw SpecError(field: "model.transformer.layers", "expected 1 … 64 blocks, found \(layers)") }
        if let hidden, !(1...65_536).contains(hidden) {
            throw SpecError(field: "model.transformer.hidden", "expected 1 … 65,536, found \(hidden)")
        }
    }
}

/// How the trained network(s) are trained: AdamW on cross-entropy, K_t seeds.
public struct TrainingSpec: Sendable, Codable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var weightDecay: Double
    /// K_t: independently trained networks (seeds); their statistics are averaged and resampled two-level.
    public var seeds: Int
    /// A built-in task's MLP: its loss, `cross-entropy` or `mse-one-hot` (mean squared error to
    /// the one-hot label, Doshi et al. 2023); absent: the task's own (mean squared error for a
    /// regression task, cross-entropy otherwise). Not written to the canonical spec when absent.
    public var loss: String?
    /// AdamW's β₂ (absent: 0.999, PyTorch's default; 0.98 in Doshi et al. 2023). Not written when absent.
    public var beta2: Double?

    enum CodingKeys: String, CodingKey, CaseIterable { case epochs, batchSize, learningRate, weightDecay, seeds, loss, beta2 }

    /// The losses `loss` names.
    public static let losses = ["cross-entropy", "mse-one-hot"]

    public init() { epochs = 40; batchSize = 100; learningRate = 0.01; weightDecay = 0.0; seeds = 1 }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingSpec()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? d.weightDecay
        seeds = try c.decodeIfPresent(Int.self, forKey: .seeds) ?? d.seeds
        loss = try c.decodeIfPresent(String.self, forKey: .loss)
        beta2 = try c.decodeIfPresent(Double.self, forKey: .beta2)
    }

    func validate() throws {
        guard epochs >= 1 && epochs <= 1_000_000 else { throw SpecError(field: "model.training.epochs", "expected 1 … 1,000,000, found \(epochs)") }
        guard batchSize >= 1 else { throw SpecError(field: "model.training.batchSize", "expected ≥ 1, found \(batchSize)") }
        guard learningRate > 0 && learningRate.isFinite else { throw SpecError(field: "model.training.learningRate", "expected a positive number, found \(learningRate)") }
        guard weightDecay >= 0 && weightDecay.isFinite else { throw SpecError(field: "model.training.weightDecay", "expected ≥ 0, found \(weightDecay)") }
        guard seeds >= 1 && seeds <= 10_000 else { throw SpecError(field: "model.training.seeds", "expected 1 ≤ K_t ≤ 10,000 trained seeds, found \(seeds)") }
        if let loss, !Self.losses.contains(loss) {
            throw SpecError(field: "model.training.loss", "expected \(Self.losses.joined(separator: " or ")), found '\(loss)'")
        }
        if let beta2, !(beta2 >= 0 && beta2 < 1) {
            throw SpecError(field: "model.training.beta2", "expected a number in [0, 1), found \(beta2)")
        }
    }
}
