import Foundation
import SalmonMethods
import SalmonStatistics

/// An audit, as written in YAML: the model, the claims (method × target × statistic × sites), the
/// null families with their sizes, the resampling plan and the significance policy.
///
/// Every section rejects unknown keys (naming the nearest valid one), every enumerated value names
/// its allowed values, and ``validate()`` checks ranges (K ≥ 1, 0 < alpha < 1, …). See
/// `README.md` (Audit specs) for an annotated example.
public struct AuditSpec: Sendable, Codable, Equatable {
    public var version: Int
    public var name: String
    /// The master seed every stream derives from.
    public var seed: UInt64
    public var model: ModelSpec
    /// Sites (hook points) claims are tested at, unless a claim names its own.
    public var sites: [String]?
    public var claims: [ClaimSpec]
    public var nulls: [NullSpec]
    public var resampling: ResamplingSpec
    public var alpha: Double
    public var correction: MultipleTestingMethod
    public var gate: GateSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, kind, name, seed, model, sites, claims, nulls, resampling, alpha, correction, gate
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        // `kind: audit` may be written out (``SpecKind``); it is not part of the spec's hash.
        if let kind = try c.decodeIfPresent(String.self, forKey: .kind), kind != "audit" {
            throw SpecError(field: "kind", "this command reads audit specs (kind: audit), found kind '\(kind)'")
        }
        name = try c.decode(String.self, forKey: .name)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1
        model = try c.decode(ModelSpec.self, forKey: .model)
        sites = try c.decodeIfPresent([String].self, forKey: .sites)
        claims = try c.decode([ClaimSpec].self, forKey: .claims)
        nulls = try c.decode([NullSpec].self, forKey: .nulls)
        resampling = try c.decodeIfPresent(ResamplingSpec.self, forKey: .resampling) ?? ResamplingSpec()
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 0.05
        if let name = try c.decodeIfPresent(String.self, forKey: .correction) {
            guard let method = MultipleTestingMethod(rawValue: name) else {
                throw SpecError(field: "correction", "unknown correction '\(name)'; expected one of \(MultipleTestingMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            correction = method
        } else {
            correction = .holm
        }
        gate = try c.decodeIfPresent(GateSpec.self, forKey: .gate) ?? GateSpec()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(name, forKey: .name)
        try c.encode(seed, forKey: .seed)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(sites, forKey: .sites)
        try c.encode(claims, forKey: .claims)
        try c.encode(nulls, forKey: .nulls)
        try c.encode(resampling, forKey: .resampling)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(correction.rawValue, forKey: .correction)
        try c.encode(gate, forKey: .gate)
    }

    /// Checks ranges and cross-field rules that decoding cannot.
    public func validate() throws {
        guard version == 1 else { throw SpecError(field: "version", "expected 1, found \(version)") }
        guard alpha > 0 && alpha < 1 else { throw SpecError(field: "alpha", "expected a level strictly between 0 and 1, found \(alpha)") }
        guard !claims.isEmpty else { throw SpecError(field: "claims", "expected at least one claim") }
        guard !nulls.isEmpty else { throw SpecError(field: "nulls", "expected at least one null family") }
        try model.validate()
        if let sites, sites.isEmpty { throw SpecError(field: "sites", "expected at least one site") }
        if model.task != nil && model.hidden.isEmpty && sites == nil && claims.contains(where: { $0.sites == nil }) {
            throw SpecError(field: "model.hidden", "an MLP without hidden layers has no default sites; give hidden widths or sites")
        }
        var names = Set<String>()
        for (i, claim) in claims.enumerated() {
            try claim.validate(field: "claims[\(i)]")
            guard names.insert(claim.name).inserted else { throw SpecError(field: "claims[\(i)].name", "duplicate claim name '\(claim.name)'") }
            if claim.method.isAttribution {
                try validateAttribution(claim, field: "claims[\(i)]")
            } else if claim.sites == nil && sites == nil && model.stateDict != nil {
                throw SpecError(field: "claims[\(i)].sites", "a model loaded from a state dict needs sites (top-level 'sites' or per claim)")
            }
        }
        var families = Set<String>()
        for (i, null) in nulls.enumerated() {
            guard null.K >= 1 else { throw SpecError(field: "nulls[\(i)].K", "expected K ≥ 1 null models, found \(null.K)") }
            guard null.K <= 1_000_000 else { throw SpecError(field: "nulls[\(i)].K", "expected at most 1,000,000 null models, found \(null.K)") }
            let trainedSeeds = model.isFileModel ? 1 : model.training.seeds
            guard null.K >= trainedSeeds else {
                throw SpecError(field: "nulls[\(i)].K", "expected K ≥ K_t = \(trainedSeeds) (each null draw averages K_t null models), found \(null.K)")
            }
            guard families.insert(null.family).inserted else { throw SpecError(field: "nulls[\(i)].family", "duplicate family '\(null.family)'") }
            guard NullSpec.families.contains(null.family) else {
                var message = "unknown null family '\(null.family)'"
                if let s = nearestName(to: null.family, in: NullSpec.families) { message += "; did you mean '\(s)'?" }
                throw SpecError(field: "nulls[\(i)].family", message + " (allowed: \(NullSpec.families.joined(separator: ", ")))")
            }
            if (null.family == "supplied") != (model.activations != nil) {
                throw SpecError(field: "nulls[\(i)].family", model.activations != nil
                    ? "activation files come with the family 'supplied' only" : "'supplied' needs model.activations")
            }
            if let files = model.activations, null.K != files.nulls.count {
                throw SpecError(field: "nulls[\(i)].K", "expected K = \(files.nulls.count), the number of null activation files, found \(null.K)")
            }
            if null.family == "permuted-labels" && model.isFileModel {
                throw SpecError(field: "nulls[\(i)].family", "permuted-labels retrains the network, which needs a built-in task; this model is loaded from a state dict")
            }
        }
        try resampling.validate()
        guard alpha.isFinite else { throw SpecError(field: "alpha", "expected a finite level") }
        guard gate.minimumEffect.isFinite && gate.minimumEffect >= 0 else {
            throw SpecError(field: "gate.minimumEffect", "expected a finite number ≥ 0, found \(gate.minimumEffect)")
        }
    }
}

extension AuditSpec {
    /// The rules an attribution claim adds: a network to explain, labels as targets, two trained
    /// seeds for `similarityToTrained`, and sites that name layers (randomization stages).
    func validateAttribution(_ claim: ClaimSpec, field: String) throws {
        guard model.activations == nil else {
            throw SpecError(field: field + ".method", "attribution methods explain a network's inputs; activation files have no network")
        }
        if model.task != nil && claim.target != "label" {
            throw SpecError(field: field + ".target", "an attribution claim explains the logit of each input's label; expected 'label', found '\(claim.target)'")
        }
        if claim.statistic == AttributionClaim.Statistic.similarityToTrained.rawValue && AuditPlan.trainedSeeds(self) < 2 {
            throw SpecError(field: field + ".statistic", "similarityToTrained compares trained seeds 1 … K_t − 1 with seed 0, so it needs model.training.seeds ≥ 2 (a model loaded from a file has one; use deletionAUC or insertionAUC)")
        }
        if claim.method.name == "guided-backprop" && model.activation != "relu" && model.task != nil {
            throw SpecError(field: field + ".method", "guided-backprop is defined for ReLU networks; model.activation is '\(model.activation)'")
        }
        if model.stateDict != nil && claim.sites == nil {
            throw SpecError(field: field + ".sites", "an attribution claim on a model loaded from a state dict needs its sites (layers.ℓ.post, the randomization stages)")
        }
        for site in claim.sites ?? [] where AttributionClaim.layer(of: site) == nil {
            throw SpecError(field: field + ".sites", "an attribution claim's sites name layers (layers.ℓ.pre or layers.ℓ.post: the randomization stage), found '\(site)'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to attribution methods")
        }
    }
}

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
    public var stateDict: String?
    public var architecture: String?
    public var inputs: String?
    /// Activations exported from another framework: no network at all (`salmon probe`).
    public var activations: ActivationFiles?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, taskOptions, hidden, activation, training, evaluationExamples, stateDict, architecture, inputs, activations
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        task = try c.decodeIfPresent(String.self, forKey: .task)
        taskOptions = try c.decodeIfPresent(TaskOptions.self, forKey: .taskOptions) ?? TaskOptions()
        hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? [32, 32]
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? "relu"
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training) ?? TrainingSpec()
        evaluationExamples = try c.decodeIfPresent(Int.self, forKey: .evaluationExamples) ?? 1000
        stateDict = try c.decodeIfPresent(String.self, forKey: .stateDict)
        architecture = try c.decodeIfPresent(String.self, forKey: .architecture)
        inputs = try c.decodeIfPresent(String.self, forKey: .inputs)
        activations = try c.decodeIfPresent(ActivationFiles.self, forKey: .activations)
    }

    public static let tasks = ["planted-concepts", "sparse-parity", "digits"]
    public static let activations = ["relu", "tanh", "gelu", "sigmoid"]

    public var isFileModel: Bool { stateDict != nil || activations != nil }

    func validate() throws {
        if let activations {
            guard task == nil, stateDict == nil else { throw SpecError(field: "model", "give one of 'task', 'stateDict' or 'activations'") }
            guard !activations.nulls.isEmpty else { throw SpecError(field: "model.activations.nulls", "expected at least one null activation file") }
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
            guard stateDict != nil else { throw SpecError(field: "model", "expected 'task' (a built-in task) or 'stateDict' with 'architecture' and 'inputs'") }
            guard architecture != nil else { throw SpecError(field: "model.architecture", "a state dict needs its architecture JSON") }
            guard inputs != nil else { throw SpecError(field: "model.inputs", "a state dict needs evaluation inputs (.npy)") }
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
        if task == "digits" && taskOptions.examples + evaluationExamples > 1797 {
            throw SpecError(field: "model.taskOptions.examples", "the digits hold 1,797 images; examples (\(taskOptions.examples)) + evaluationExamples (\(evaluationExamples)) must be at most 1797")
        }
        try training.validate()
    }
}

/// Activation files from any framework: the trained model's, one per null model, and the labels.
public struct ActivationFiles: Sendable, Codable, Equatable {
    public var trained: String
    public var nulls: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case trained, nulls }

    public init(trained: String, nulls: [String]) { self.trained = trained; self.nulls = nulls }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trained = try c.decode(String.self, forKey: .trained)
        nulls = try c.decode([String].self, forKey: .nulls)
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

    enum CodingKeys: String, CodingKey, CaseIterable { case examples, concepts, dimension, labelConcepts, noise, bits, relevant }

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

    enum CodingKeys: String, CodingKey, CaseIterable { case epochs, batchSize, learningRate, weightDecay, seeds }

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
    }

    func validate() throws {
        guard epochs >= 1 && epochs <= 1_000_000 else { throw SpecError(field: "model.training.epochs", "expected 1 … 1,000,000, found \(epochs)") }
        guard batchSize >= 1 else { throw SpecError(field: "model.training.batchSize", "expected ≥ 1, found \(batchSize)") }
        guard learningRate > 0 && learningRate.isFinite else { throw SpecError(field: "model.training.learningRate", "expected a positive number, found \(learningRate)") }
        guard weightDecay >= 0 && weightDecay.isFinite else { throw SpecError(field: "model.training.weightDecay", "expected ≥ 0, found \(weightDecay)") }
        guard seeds >= 1 && seeds <= 10_000 else { throw SpecError(field: "model.training.seeds", "expected 1 ≤ K_t ≤ 10,000 trained seeds, found \(seeds)") }
    }
}

/// One claim: "at these sites, this method finds this target, measured by this statistic".
public struct ClaimSpec: Sendable, Codable, Equatable {
    public var name: String
    public var method: MethodSpec
    /// `label` (the task's label), `concept:N` (planted concept N), or for a state-dict model a
    /// `.npy` file of labels.
    public var target: String
    public var statistic: String
    public var sites: [String]?
    /// `concepts` (the combination of planted concept bits) or a `.npy` file of integer types.
    public var controlTypes: String?
    /// What the claim asserts: `distinguishable` (the default) or `null` (a negative control that
    /// should be a dead salmon).
    public var expect: Expectation

    public enum Expectation: String, Sendable, Codable, CaseIterable { case distinguishable, null }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, method, target, statistic, sites, controlTypes, expect }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        method = try c.decode(MethodSpec.self, forKey: .method)
        target = try c.decodeIfPresent(String.self, forKey: .target) ?? "label"
        statistic = try c.decodeIfPresent(String.self, forKey: .statistic) ?? method.defaultStatistic
        sites = try c.decodeIfPresent([String].self, forKey: .sites)
        controlTypes = try c.decodeIfPresent(String.self, forKey: .controlTypes)
        let e = try c.decodeIfPresent(String.self, forKey: .expect) ?? "distinguishable"
        guard let expectation = Expectation(rawValue: e) else {
            throw SpecError(field: SpecError.path(decoder.codingPath) + ".expect", "expected 'distinguishable' or 'null', found '\(e)'")
        }
        expect = expectation
    }

    func validate(field: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw SpecError(field: field + ".name", "expected a name of letters, digits, '-', '_' or '.', found '\(name)'")
        }
        try method.validate(field: field + ".method")
        let offered = method.statistics
        guard offered.contains(statistic) else {
            var m = "method \(method.name) does not report '\(statistic)'"
            if let s = nearestName(to: statistic, in: offered) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: field + ".statistic", m + " (allowed: \(offered.joined(separator: ", ")))")
        }
        if ["controlAccuracy", "selectivity"].contains(statistic) && controlTypes == nil {
            throw SpecError(field: field + ".controlTypes", "statistic '\(statistic)' needs control types ('concepts' or a .npy file)")
        }
        if let sites, sites.isEmpty { throw SpecError(field: field + ".sites", "expected at least one site") }
    }
}

/// A method and its parameters.
///
/// Probe-family methods (`logistic-probe`, `ridge-probe`, `mlp-probe`, `pca-label-correlation`)
/// read the activations at a site. Attribution methods (`gradient`, `absolute-gradient`,
/// `gradient-times-input`, `integrated-gradients`, `smoothgrad`, `occlusion`, `guided-backprop`;
/// see ``AttributionMethod``) explain the logit of each evaluation input's label with one score
/// per input feature; their statistics (``AttributionClaim``) compare maps across models, and
/// their sites name the randomization stage of the site-dependent null families.
public struct MethodSpec: Sendable, Codable, Equatable {
    public var name: String
    /// Logistic probe: inverse L2 strength (scikit-learn's C).
    public var C: Double
    /// Ridge probe: L2 strength.
    public var alpha: Double
    public var folds: Int
    /// PCA: the number of top components.
    public var components: Int
    /// MLP probe: hidden width and epochs.
    public var hidden: Int
    public var epochs: Int
    public var tolerance: Double
    /// Integrated Gradients: the starting step count (refined until the completeness gap is ≤ 1 %).
    public var steps: Int
    /// SmoothGrad: noisy samples per input and the noise level (a fraction of the input's range).
    public var samples: Int
    public var noiseLevel: Double
    /// `similarityToTrained`: the map similarity measure — `spearman-abs` (default), `spearman`,
    /// `cosine`, `ssim` or `top-K` (for example `top-10`).
    public var similarity: String
    /// SSIM: the input seen as an image `[height, width]` (`[8, 8]` for the digits); required by `ssim`.
    public var image: [Int]?
    /// Deletion and insertion curves: the number of steps S.
    public var curveSteps: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, C, alpha, folds, components, hidden, epochs, tolerance, steps, samples, noiseLevel, similarity, image, curveSteps
    }

    public static let probeNames = ["logistic-probe", "ridge-probe", "mlp-probe", "pca-label-correlation"]
    public static let attributionNames = ["gradient", "absolute-gradient", "gradient-times-input", "integrated-gradients",
                                          "smoothgrad", "occlusion", "guided-backprop"]
    public static let names = probeNames + attributionNames

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        C = try c.decodeIfPresent(Double.self, forKey: .C) ?? 1
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 1
        folds = try c.decodeIfPresent(Int.self, forKey: .folds) ?? 5
        components = try c.decodeIfPresent(Int.self, forKey: .components) ?? 5
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? 64
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? 30
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 1e-4
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? 50
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 50
        noiseLevel = try c.decodeIfPresent(Double.self, forKey: .noiseLevel) ?? 0.15
        similarity = try c.decodeIfPresent(String.self, forKey: .similarity) ?? "spearman-abs"
        image = try c.decodeIfPresent([Int].self, forKey: .image)
        curveSteps = try c.decodeIfPresent(Int.self, forKey: .curveSteps) ?? 16
        guard Self.names.contains(name) else {
            var m = "unknown method '\(name)'"
            if let s = nearestName(to: name, in: Self.names) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: SpecError.path(decoder.codingPath) + ".name", m + " (allowed: \(Self.names.joined(separator: ", ")))")
        }
    }

    public init(name: String, C: Double = 1, alpha: Double = 1, folds: Int = 5, components: Int = 5, hidden: Int = 64,
                epochs: Int = 30, tolerance: Double = 1e-4, steps: Int = 50, samples: Int = 50, noiseLevel: Double = 0.15,
                similarity: String = "spearman-abs", image: [Int]? = nil, curveSteps: Int = 16) {
        self.name = name; self.C = C; self.alpha = alpha; self.folds = folds; self.components = components
        self.hidden = hidden; self.epochs = epochs; self.tolerance = tolerance
        self.steps = steps; self.samples = samples; self.noiseLevel = noiseLevel; self.similarity = similarity
        self.image = image; self.curveSteps = curveSteps
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if isAttribution {
            try c.encode(steps, forKey: .steps)
            try c.encode(samples, forKey: .samples)
            try c.encode(noiseLevel, forKey: .noiseLevel)
            try c.encode(similarity, forKey: .similarity)
            try c.encodeIfPresent(image, forKey: .image)
            try c.encode(curveSteps, forKey: .curveSteps)
        } else {
            // The probe settings only, as before attribution methods existed: spec hashes of probe
            // audits (and the baselines recorded with them) stay valid.
            try c.encode(C, forKey: .C)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(folds, forKey: .folds)
            try c.encode(components, forKey: .components)
            try c.encode(hidden, forKey: .hidden)
            try c.encode(epochs, forKey: .epochs)
            try c.encode(tolerance, forKey: .tolerance)
        }
    }

    /// Whether the method is an attribution method (explains inputs, not activations).
    public var isAttribution: Bool { Self.attributionNames.contains(name) }

    var statistics: [String] {
        switch name {
        case "ridge-probe": return ["r2"]
        case "pca-label-correlation": return ["maxAbsCorrelation"]
        case _ where isAttribution: return AttributionClaim.Statistic.allCases.map(\.rawValue)
        default: return ["accuracy", "controlAccuracy", "selectivity"]
        }
    }

    var defaultStatistic: String { statistics[0] }

    /// Whether larger values of `statistic` mean more structure (`larger`) or fewer (`smaller`).
    public func direction(of statistic: String) -> ExplanationStatistic.Direction {
        AttributionClaim.Statistic(rawValue: statistic)?.direction ?? .larger
    }

    func validate(field: String) throws {
        guard C > 0 && C.isFinite else { throw SpecError(field: field + ".C", "expected a positive number, found \(C)") }
        guard alpha > 0 && alpha.isFinite else { throw SpecError(field: field + ".alpha", "expected a positive number, found \(alpha)") }
        guard folds >= 2 else { throw SpecError(field: field + ".folds", "expected at least 2 folds, found \(folds)") }
        guard components >= 1 else { throw SpecError(field: field + ".components", "expected ≥ 1, found \(components)") }
        guard hidden >= 1, epochs >= 1 else { throw SpecError(field: field, "hidden and epochs must be ≥ 1") }
        guard tolerance > 0 && tolerance.isFinite else { throw SpecError(field: field + ".tolerance", "expected a positive number, found \(tolerance)") }
        guard folds <= 1000, components <= 100_000, hidden <= 100_000, epochs <= 1_000_000 else {
            throw SpecError(field: field, "folds ≤ 1000, components and hidden ≤ 100,000, epochs ≤ 1,000,000")
        }
        if name == "ridge-probe" {
            throw SpecError(field: field + ".name", "ridge-probe needs a continuous target, and no model kind supplies one yet (targets are class labels); use logistic-probe or mlp-probe")
        }
        guard steps >= 2 && steps <= 100_000 else { throw SpecError(field: field + ".steps", "expected 2 … 100,000 integration steps, found \(steps)") }
        guard samples >= 1 && samples <= 100_000 else { throw SpecError(field: field + ".samples", "expected 1 … 100,000 samples, found \(samples)") }
        guard noiseLevel > 0 && noiseLevel.isFinite else { throw SpecError(field: field + ".noiseLevel", "expected a positive number, found \(noiseLevel)") }
        guard curveSteps >= 1 && curveSteps <= 100_000 else { throw SpecError(field: field + ".curveSteps", "expected 1 … 100,000 steps, found \(curveSteps)") }
        if let image, image.count != 2 || image.contains(where: { $0 < 1 }) {
            throw SpecError(field: field + ".image", "expected [height, width] with positive sides, found \(image)")
        }
        _ = try similarityMeasure(features: nil, field: field)
    }

    /// The similarity measure `similarity` names, checked against `features` when known.
    /// - Throws: ``SpecError`` naming `field.similarity` (or `.image`).
    func similarityMeasure(features: Int?, field: String) throws -> AttributionSimilarity {
        let allowed = "spearman-abs, spearman, cosine, ssim, top-K (for example top-10)"
        let measure: AttributionSimilarity
        switch similarity {
        case "spearman-abs": measure = .spearmanAbsolute
        case "spearman": measure = .spearman
        case "cosine": measure = .cosine
        case "ssim":
            guard let image else { throw SpecError(field: field + ".image", "the similarity 'ssim' needs the input's image shape [height, width]") }
            measure = .ssim(height: image[0], width: image[1])
        default:
            guard similarity.hasPrefix("top-"), let k = Int(similarity.dropFirst(4)), k >= 1 else {
                throw SpecError(field: field + ".similarity", "unknown similarity '\(similarity)' (allowed: \(allowed))")
            }
            measure = .topK(k)
        }
        if let features {
            do { try measure.validate(features: features) } catch let e as MethodError {
                throw SpecError(field: field + (similarity == "ssim" ? ".image" : ".similarity"), "\(e.message) (inputs have \(features) features)")
            }
        }
        return measure
    }
}

/// A null family and its size K.
public struct NullSpec: Sendable, Codable, Equatable {
    public var family: String
    public var K: Int

    public static let families = ["random-init", "cascading-top-down", "cascading-bottom-up", "independent-layer",
                                  "within-layer-permutation", "moment-redraw", "permuted-labels", "supplied"]

    enum CodingKeys: String, CodingKey, CaseIterable { case family, K }

    public init(family: String, K: Int) { self.family = family; self.K = K }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(String.self, forKey: .family)
        K = try c.decode(Int.self, forKey: .K)
    }
}

/// The bootstrap over evaluation inputs (and over seeds when K_t > 1).
public struct ResamplingSpec: Sendable, Codable, Equatable {
    public var bootstrap: Int
    public var interval: BootstrapInterval
    public var level: Double

    enum CodingKeys: String, CodingKey, CaseIterable { case bootstrap, interval, level }

    public init() { bootstrap = 2000; interval = .bca; level = 0.95 }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bootstrap = try c.decodeIfPresent(Int.self, forKey: .bootstrap) ?? 2000
        let kind = try c.decodeIfPresent(String.self, forKey: .interval) ?? "bca"
        guard let k = BootstrapInterval(rawValue: kind) else {
            throw SpecError(field: "resampling.interval", "unknown interval '\(kind)' (allowed: \(BootstrapInterval.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        interval = k
        level = try c.decodeIfPresent(Double.self, forKey: .level) ?? 0.95
    }

    func validate() throws {
        guard bootstrap >= 100 && bootstrap <= 10_000_000 else { throw SpecError(field: "resampling.bootstrap", "expected 100 … 10,000,000 resamples, found \(bootstrap)") }
        guard level > 0 && level < 1 else { throw SpecError(field: "resampling.level", "expected a level strictly between 0 and 1, found \(level)") }
    }
}

/// What the CI gate requires.
public struct GateSpec: Sendable, Codable, Equatable {
    /// Claims expected to be distinguishable must be (adjusted p ≤ alpha).
    public var requireSignificance: Bool
    /// The smallest difference from the null median that counts, in the statistic's units.
    public var minimumEffect: Double
    /// With a baseline: fail when a trained estimate leaves the interval recorded in the baseline.
    public var baselineInterval: Bool

    enum CodingKeys: String, CodingKey, CaseIterable { case requireSignificance, minimumEffect, baselineInterval }

    public init() { requireSignificance = true; minimumEffect = 0; baselineInterval = true }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requireSignificance = try c.decodeIfPresent(Bool.self, forKey: .requireSignificance) ?? true
        minimumEffect = try c.decodeIfPresent(Double.self, forKey: .minimumEffect) ?? 0
        baselineInterval = try c.decodeIfPresent(Bool.self, forKey: .baselineInterval) ?? true
    }
}
