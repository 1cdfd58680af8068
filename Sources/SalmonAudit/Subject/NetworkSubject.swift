import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// A layered network (``AuditedNetwork``: an MLP, or a CNN for image tasks) — trained on a
/// built-in task (K_t seeds), or, for an MLP, loaded from a PyTorch state dict — with its null
/// models made on demand. ``NetworkSubject`` is the MLP's, ``ConvNetSubject`` the CNN's.
///
/// Data: one draw of `taskOptions.examples + evaluationExamples` examples from the task's stream
/// (`seed → "task"`); the first part trains, the rest is the evaluation set every probe reads.
/// Trained network s: initialization from `seed → "trained" → s → "init"`, minibatches from
/// `seed → "trained" → s → "training"`. Null model k of a family: `NullModels.stream(seed:family:index:)`,
/// built from trained network k mod K_t.
///
/// Site-dependent families, for a site in layer ℓ (`layers.ℓ.pre|post`):
/// - `cascading-top-down`: the cascade stage at which layer ℓ has just been re-initialized (layers
///   ℓ … L−1 random, the layers below trained): does the site owe anything to its own trained weights?
/// - `cascading-bottom-up`: the stage at which layers 0 … ℓ are random (everything the site sees).
/// - `independent-layer`: layer ℓ alone re-initialized.
/// At the `input` site every network computes the same thing; those nulls equal the trained value.
public struct LayeredNetworkSubject<Model: AuditedNetwork>: AuditSubject {
    public let spec: AuditSpec
    /// The training data (nil for a model loaded from a file).
    public let training: Dataset?
    public let evaluationInputs: Tensor
    /// The evaluation inputs' class labels (nil for a regression task or a model loaded from a file).
    public let evaluationLabels: [Int]?
    /// Hierarchical equality's variables on the evaluation inputs, two per row (nil for other tasks).
    let evaluationVariables: [Int]?
    /// Each feature's direction in input space (`[features, inputs]`), for a task that has them
    /// (``ModelSpec/BuiltInTask/hasFeatureDirections``); nil otherwise.
    public let featureDirections: Tensor?
    public let trained: [Model]
    public let trainingPlan: TrainingSpec
    let targets: [String: ProbeData.Target]
    let types: [String: [Int]]
    /// Per attribution claim, the output index each evaluation input's attribution explains.
    public let attributionTargets: [String: [Int]]
    public let modelDescription: String
    public let dataHash: String
    public let evaluationHash: String

    /// Generates the task data and trains the K_t networks (in parallel, `jobs` at a time).
    public init(spec: AuditSpec, jobs: Int = 1) throws {
        guard let task = spec.model.task else { throw SpecError(field: "model.task", "a network subject needs a built-in task") }
        self.spec = spec
        let options = spec.model.taskOptions
        let total = options.examples + spec.model.evaluationExamples
        var stream = RandomStream(seed: spec.seed, path: ["task"])
        let all: Dataset
        var trainRows = Array(0..<options.examples), evalRows = Array(options.examples..<total)
        guard let builtIn = ModelSpec.BuiltInTask(rawValue: task) else {
            throw SpecError(field: "model.task", "unknown task '\(task)' (allowed: \(ModelSpec.tasks.joined(separator: ", ")))")
        }
        switch builtIn {
        case .sparseParity:
            all = SyntheticTasks.sparseParity(bits: options.bits, relevant: options.relevant, examples: total, stream: stream)
        case .digits:
            // The bundled digits, shuffled by `seed → "task"`: the first evaluationExamples are held
            // out, the next `examples` train (each part back in file order).
            all = try Digits.load()
            var order = Array(0..<all.count)
            order.shuffle(using: &stream)
            evalRows = order.prefix(spec.model.evaluationExamples).sorted()
            trainRows = order.dropFirst(spec.model.evaluationExamples).prefix(options.examples).sorted()
        case .modularAddition:
            throw SpecError(field: "model.task", "modular-addition trains a transformer (TransformerSubject), not an MLP; for an MLP on one-hot pairs use modular-addition-one-hot")
        case .induction, .hierarchicalEquality:
            throw SpecError(field: "model.task", "\(task) trains a transformer (TransformerSubject), not an MLP")
        case .modularAdditionOneHot:
            all = SyntheticTasks.oneHotModularAddition(modulus: options.modulus ?? TaskOptions.defaultModulus, trainingExamples: options.examples,
                                                       corruption: options.corruption ?? 0, stream: stream)
        case .toySuperposition:
            all = SyntheticTasks.sparseFeatures(features: options.features ?? TaskOptions.defaultFeatures,
                                                sparsity: options.sparsity ?? TaskOptions.defaultSparsity, examples: total, stream: stream)
        case .hierarchicalEqualityVectors:
            all = SyntheticTasks.hierarchicalEqualityVectors(examples: total, dimension: options.dimension, stream: stream)
        case .plantedConcepts:
            all = SyntheticTasks.plantedConcepts(examples: total, concepts: options.concepts, dimension: options.dimension,
                                                 labelConcepts: options.labelConcepts, noise: options.noise, stream: stream)
        }
        let training = Self.subset(all, rows: trainRows)
        let evaluation = Self.subset(all, rows: evalRows)
        self.training = training
        evaluationInputs = evaluation.inputs
        evaluationLabels = builtIn.isRegressionTask ? nil : evaluation.targets.scalars.map { Int($0) }
        evaluationVariables = builtIn == .hierarchicalEqualityVectors ? evaluation.groundTruth["variables"]?.scalars.map { Int($0) } : nil
        featureDirections = all.groundTruth["directions"]
        trainingPlan = spec.model.training
        // A regression task's network has one output per target column.
        let classes = all.classes ?? (all.targets.rank == 2 ? all.targets.shape[1] : 1)
        let initializer = try spec.model.initializer()
        let prototype = try Model.make(spec.model, features: all.features, classes: classes,
                                       stream: RandomStream(seed: spec.seed, path: ["trained", 0, "init"]))
        let plan = spec.model.training
        let train = training
        let seeds = plan.seeds
        try Self.checkSites(spec, layers: prototype.layerCount)
        for claim in spec.claims where claim.requirements.contains(.classLabels) {
            try Self.checkTarget(claim, task: task, options: options)
        }
        // Single-threaded BLAS, so the trained weights are the same bits whatever runs beside them.
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        let models = ParallelMap.run(count: seeds, jobs: jobs) { s -> Model in
            var model = prototype.reinitialized(initializer: initializer,
                                                stream: RandomStream(seed: spec.seed, path: ["trained", .index(s), "init"]))
            _ = model.train(inputs: train.inputs, targets: train.targets,
                        plan: Self.plan(plan, loss: Self.trainingLoss(spec), stream: RandomStream(seed: spec.seed, path: ["trained", .index(s), "training"])))
            return model
        }
        trained = models
        var targets: [String: ProbeData.Target] = [:], types: [String: [Int]] = [:]
        let labels = evaluation.targets.scalars.map { Int($0) }
        attributionTargets = Dictionary(uniqueKeysWithValues: spec.claims.filter { $0.requirements.contains(.explainedOutputs) }.map { ($0.name, labels) })
        var source = task == "sparse-parity" ? evaluation.inputs : (evaluation.groundTruth["concepts"] ?? evaluation.groundTruth["variables"] ?? evaluation.inputs)
        // Toy superposition's concept j is "feature j is active".
        if builtIn == .toySuperposition { source.scalars = source.scalars.map { $0 > 0 ? 1 : 0 } }
        let width = source.shape[1], n = evaluation.count
        let typeIDs = denseIDs((0..<n).map { i in
            (0..<width).reduce(0) { ($0 &* 31) &+ Int(source.scalars[i * width + $1]) } }).ids
        for claim in spec.claims where claim.requirements.contains(.classLabels) {
            if claim.target == "label" {
                targets[claim.name] = .classes(evaluation.targets.scalars.map { Int($0) }, count: evaluation.classes ?? 2)
            } else if claim.target == "left" || claim.target == "right" {
                // Hierarchical equality's variables, left = (a = b) and right = (c = d).
                let j = claim.target == "left" ? 0 : 1
                targets[claim.name] = .classes((0..<n).map { Int(source.scalars[$0 * width + j]) }, count: 2)
            } else {
                let j = Int(claim.target.split(separator: ":").last ?? "0") ?? 0
                targets[claim.name] = .classes((0..<n).map { Int(source.scalars[$0 * width + j]) }, count: 2)
            }
            if claim.controlTypes != nil { types[claim.name] = typeIDs }
        }
        self.targets = targets
        self.types = types
        evaluationHash = FNV1a.hex(floats: evaluation.inputs.scalars + evaluation.targets.scalars)
        dataHash = FNV1a.hex(floats: training.inputs.scalars + training.targets.scalars + evaluation.inputs.scalars
                             + evaluation.targets.scalars + models.flatMap { $0.parameterArrays.flatMap { $0 } })
        // The recipe's details, for the keys added after the first reports were written (so their
        // model lines stay as they were).
        var recipe = ""
        if plan.loss != nil || plan.beta2 != nil {
            recipe = " (\([plan.loss, plan.beta2.map { "β₂ \($0)" }, "weight decay \(plan.weightDecay)", options.corruption.map { "\($0 * 100)% of training labels corrupted" }].compactMap { $0 }.joined(separator: ", ")))"
        }
        modelDescription = "\(prototype.architectureDescription(spec.model)) trained on \(task) (\(training.count) examples, \(plan.epochs) epochs of AdamW\(recipe), \(seeds) seed\(seeds == 1 ? "" : "s")); \(evaluation.count) held-out evaluation inputs"
    }

    /// Refuses the sites this network does not have, and the null family it cannot make.
    static func checkSites(_ spec: AuditSpec, layers: Int) throws {
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.momentRedrawExceptEmbeddings.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'\(spec.nulls[i].family)' keeps a transformer's embeddings; a layered network has none (use moment-redraw)")
        }
        for claim in spec.claims {
            // A unit, layers.ℓ.post[i], is a site of activation-patching claims only.
            let units = claim.requirements.contains(.counterfactualPairs)
            for site in AuditPlan.sites(for: claim, in: spec)
            where (Self.layer(of: site, layers: layers) == nil || (!units && site.hasSuffix("]"))) && (site != "input" || claim.family.siteRole == .randomizationStage) {
                throw SpecError(field: "sites", "unknown site '\(site)'; this network has input and layers.0–\(layers - 1).pre|post")
            }
            for site in claim.family.readSites(of: claim) where (Self.layer(of: site, layers: layers) == nil || site.hasSuffix("]")) && site != "input" {
                throw SpecError(field: "claims.\(claim.name).method.reads", "unknown site '\(site)'; this network has input and layers.0–\(layers - 1).pre|post")
            }
        }
    }

    /// The training plan of `t`: AdamW on cross-entropy, minibatches drawn from `stream`.
    public static func plan(_ t: TrainingSpec, loss: Loss = .crossEntropy, stream: RandomStream) -> TrainingPlan {
        TrainingPlan(loss: loss, optimizer: .adamW(learningRate: Float(t.learningRate), beta2: Float(t.beta2 ?? 0.999), weightDecay: Float(t.weightDecay)),
                     batchSize: t.batchSize, maxEpochs: t.epochs, stream: stream)
    }


    /// The loss a spec's built-in task trains on: `model.training.loss` when given, else mean
    /// squared error for a regression task (toy-superposition) and cross-entropy otherwise.
    static func trainingLoss(_ spec: AuditSpec) -> Loss {
        switch spec.model.training.loss {
        case "mse-one-hot": return .meanSquaredErrorToOneHot
        case "cross-entropy": return .crossEntropy
        default:
            return spec.model.task.flatMap(ModelSpec.BuiltInTask.init(rawValue:))?.isRegressionTask == true ? .meanSquaredError : .crossEntropy
        }
    }

    static func subset(_ d: Dataset, rows: [Int]) -> Dataset {
        var truth: [String: Tensor] = [:]
        for (name, t) in d.groundTruth where t.rank == 2 && t.shape[0] == d.count { truth[name] = t.rows(rows) }
        for (name, t) in d.groundTruth where t.rank != 2 || t.shape[0] != d.count { truth[name] = t }
        let columns = d.targets.count / max(d.count, 1)
        let targets = d.targets.reshaped([d.count, columns]).rows(rows)
        return Dataset(name: d.name, inputs: d.inputs.rows(rows),
                       targets: d.targets.rank == 1 ? targets.reshaped([rows.count]) : targets,
                       classes: d.classes, groundTruth: truth)
    }

    /// The layer a site belongs to (`layers.3.post` → 3; a unit of it, `layers.3.post[5]`, an
    /// activation-patching component, belongs to it too), or nil when it names none of this network's.
    static func layer(of site: String, layers: Int) -> Int? {
        AuditPlan.layer(of: MLPActivationPatching.component(site)?.site ?? site).flatMap { $0 < layers ? $0 : nil }
    }

    static func checkTarget(_ claim: ClaimSpec, task: String, options: TaskOptions) throws {
        if (task == "digits" || task == "toy-superposition") && claim.controlTypes != nil {
            throw SpecError(field: "claims.\(claim.name).controlTypes", "the \(task) task has no planted concepts to build control types from")
        }
        if task == "toy-superposition" && claim.target == "label" {
            throw SpecError(field: "claims.\(claim.name).target", "toy-superposition's target is real-valued (the features themselves); a class label is 'feature:N', whether feature N is active")
        }
        if claim.target == "label" { return }
        if task == ModelSpec.BuiltInTask.hierarchicalEqualityVectors.rawValue {
            guard claim.target == "left" || claim.target == "right" else {
                throw SpecError(field: "claims.\(claim.name).target", "hierarchical-equality-vectors' targets are label, left (a = b) and right (c = d); found '\(claim.target)'")
            }
            if claim.controlTypes != nil {
                throw SpecError(field: "claims.\(claim.name).controlTypes", "hierarchical-equality-vectors has no control types")
            }
            return
        }
        guard task != "modular-addition-one-hot" else {
            throw SpecError(field: "claims.\(claim.name).target", "modular-addition-one-hot has one target, 'label' (the training labels as corrupted; evaluation labels are clean); found '\(claim.target)'")
        }
        guard task != "digits" else {
            throw SpecError(field: "claims.\(claim.name).target", "the digits task has one target, 'label'; found '\(claim.target)'")
        }
        let parts = claim.target.split(separator: ":")
        let kind = task == "sparse-parity" ? "bit" : task == "toy-superposition" ? "feature" : "concept"
        let count = task == "sparse-parity" ? options.bits : task == "toy-superposition" ? options.features ?? TaskOptions.defaultFeatures : options.concepts
        guard parts.count == 2, parts[0] == kind, let j = Int(parts[1]), (0..<count).contains(j) else {
            let label = task == "toy-superposition" ? "" : "'label' or "
            throw SpecError(field: "claims.\(claim.name).target", "expected \(label)'\(kind):N' with N in 0..<\(count), found '\(claim.target)'")
        }
        if let types = claim.controlTypes, types != "concepts" {
            throw SpecError(field: "claims.\(claim.name).controlTypes", "a built-in task takes controlTypes 'concepts', found '\(types)'")
        }
    }

    public var trainedSeeds: Int { trained.count }

    public func sites(for claim: ClaimSpec) -> [String] { AuditPlan.sites(for: claim, in: spec) }

    public func activations(_ unit: AuditUnit, sites: Set<String>) throws -> [String: Tensor] {
        if let drawn = try ActivationLevelNull.activations(unit, sites: sites, trainedSeeds: trainedSeeds, seed: spec.seed,
                                                           trained: activations) { return drawn }
        return try activations(unit, sites: sites, model: { u, site in
            if case .null(_, let k) = u { return try model(u, site: site, base: k % trained.count) }
            return try model(u, site: site, base: 0)
        }, capture: capture)
    }

    /// The network `unit` names: trained network s, or null model k of its family made from
    /// trained network `base` with the stream `seed → "null" → family → k`. For the site-dependent
    /// families the model is the one at the stage of `site`'s layer ℓ (see the type's comment); at
    /// a site that names no layer (`input`) it is the base itself, since every stage computes the
    /// same input. Other families ignore `site`.
    public func network(_ unit: AuditUnit, site: String, base: Int) throws -> any AttributableModel {
        try model(unit, site: site, base: base)
    }

    /// The true features' directions at `site`: at `input` the task's own (``featureDirections``);
    /// at `layers.0.pre` of an MLP, whose value is W₁x + b₁, their images under W₁ (row i is
    /// W₁dᵢ for feature direction dᵢ). Deeper sites are not linear in the features and have none.
    public func trueFeatureDirections(_ unit: AuditUnit, site: String) throws -> Tensor {
        guard let directions = featureDirections else {
            throw AuditError("true feature directions need a built-in task that knows them (planted-concepts, toy-superposition); this subject (\(modelDescription)) has none")
        }
        if site == "input" { return directions }
        guard site == Self.linearSite else {
            throw AuditError("true feature directions are known at input and \(Self.linearSite), the sites linear in the features; not at '\(site)'")
        }
        let network: Model
        if case .null(let name, let k) = unit, NullSpec.Family(rawValue: name)?.keepsTrainedNetwork == true {
            network = trained[k % trained.count]
        } else if case .null(_, let k) = unit {
            network = try model(unit, site: site, base: k % trained.count)
        } else {
            network = try model(unit, site: site, base: 0)
        }
        guard let mlp = network as? MLP, let first = mlp.layers.first else {
            throw AuditError("true feature directions at \(Self.linearSite) are those of an MLP's first layer; this subject (\(modelDescription)) is not an MLP")
        }
        // [features, inputs] · W₁ᵀ ([inputs, hidden]) = [features, hidden].
        return BLAS.matmul(directions, first.weight, transposeB: true)
    }

    /// The one hidden site that is a linear function of the inputs.
    static var linearSite: String { "layers.0.pre" }

    /// The network `unit` names, as its own type (see ``network(_:site:base:)``).
    public func model(_ unit: AuditUnit, site: String, base: Int) throws -> Model {
        switch unit {
        case .trained(let s):
            return trained[s]
        case .null(let familyName, let k):
            guard trained.indices.contains(base) else { throw AuditError("\(unit): no trained network \(base)") }
            let base = trained[base]
            let stream = RandomStream(seed: spec.seed, path: ["null", .label(familyName), .index(k)])
            let layers = base.layerCount
            let initializer = try spec.model.initializer()
            guard let family = NullSpec.Family(rawValue: familyName) else { throw AuditError("\(unit): unknown null family '\(familyName)'") }
            switch family {
            case .cascadingTopDown:
                guard let l = Self.layer(of: site, layers: layers) else { return base }
                return NullModels.cascade(base, topDown: true, initializer: initializer, stream: stream)[layers - 1 - l]
            case .cascadingBottomUp:
                guard let l = Self.layer(of: site, layers: layers) else { return base }
                return NullModels.cascade(base, topDown: false, initializer: initializer, stream: stream)[l]
            case .independentLayer:
                guard let l = Self.layer(of: site, layers: layers) else { return base }
                return NullModels.independentLayer(base, layer: l, initializer: initializer, stream: stream)
            case .withinLayerPermutation:
                return NullModels.permutedWithinLayers(base, stream: stream)
            case .momentRedraw:
                return NullModels.redrawnFromMoments(base, stream: stream)
            case .momentRedrawExceptEmbeddings:
                // Refused when the subject is made (checkSites).
                throw AuditError("\(unit): '\(familyName)' keeps a transformer's embeddings; this network has none")
            case .permutedLabels:
                guard let training else { throw AuditError("permuted-labels needs training data") }
                return NullModels.retrainedOnPermutedLabels(
                    like: base, inputs: training.inputs, targets: training.targets,
                    plan: Self.plan(Self.retrainingPlan(spec), loss: Self.trainingLoss(spec), stream: stream.derived("training")),
                    initializer: initializer, stream: stream).model
            case .randomInit:
                return NullModels.reinitialized(base, initializer: initializer, stream: stream)
            case .supplied:
                throw AuditError("\(unit): the family 'supplied' has no network (its null models are activation files)")
            case .randomUnits, .randomCircuits, .inflatedCircuits, .equivalenceMargin, .permutedComplement, .untrainedMap:
                // A method-level null: the trained network, with the method's units or circuit drawn at random.
                return base
            case .gaussianActivations, .frozenDecoder, .frozenEncoder:
                throw AuditError("\(unit): the family '\(familyName)' keeps the trained network and has no null network")
            }
        }
    }

    /// The rows of `subset` with their labels: the evaluation rows, the training rows, or the
    /// training rows whose label the task kept (`training-clean`) or replaced (`training-corrupted`).
    public func labelledRows(_ subset: String) throws -> (inputs: Tensor, labels: [Int]) {
        if subset == "evaluation" {
            guard let evaluationLabels else { throw AuditError("this subject (\(modelDescription)) has no class labels for its evaluation inputs") }
            return (evaluationInputs, evaluationLabels)
        }
        guard let training, training.targets.rank == 1 else {
            throw AuditError("this subject (\(modelDescription)) has no labelled training rows")
        }
        let labels = training.targets.scalars.map { Int($0) }
        if subset == "training" { return (training.inputs, labels) }
        guard let flags = training.groundTruth["corrupted"], flags.count == labels.count, subset == "training-clean" || subset == "training-corrupted" else {
            throw AuditError("no subset '\(subset)' of this subject's data (\(modelDescription))")
        }
        let corrupted = subset == "training-corrupted"
        let rows = labels.indices.filter { (flags.scalars[$0] != 0) == corrupted }
        return (training.inputs.rows(rows), rows.map { labels[$0] })
    }

    /// The MLP `unit` names at `site`'s stage, made from trained network k mod K_t for null k (the
    /// trained network itself for a family that keeps it), for a method that runs the network.
    /// - Throws: ``AuditError`` naming `method` when the subject's network is not an MLP.
    func mlp(_ unit: AuditUnit, site: String, method: String) throws -> MLP {
        var base = 0
        if case .null(_, let k) = unit { base = k % trained.count }
        guard let mlp = try model(unit, site: site, base: base) as? MLP else {
            throw AuditError("\(method); this subject (\(modelDescription)) is neither")
        }
        return mlp
    }

    /// The MLP `unit` names (null k of a family that keeps the trained network: trained network k mod K_t).
    public func ablatableNetwork(_ unit: AuditUnit, site: String) throws -> any AblatableNetwork {
        try mlp(unit, site: site, method: "neuron ablation removes units of an MLP or a transformer")
    }

    /// Activation patching on the MLP `unit` names (at `site`'s stage for a site-dependent family),
    /// on hierarchical equality's pairs: every evaluation input is clean; its corruption flips
    /// left by changing b — to a fresh draw when a = b, to a copy of a when a ≠ b (from
    /// `seed → "counterfactual"`), which flips the answer; correct is the clean answer, wrong the other.
    public func patchingRuns(_ unit: AuditUnit, site: String) throws -> any PatchingRuns {
        guard spec.model.task == ModelSpec.BuiltInTask.hierarchicalEqualityVectors.rawValue, let variables = evaluationVariables,
              let labels = evaluationLabels else {
            throw AuditError("activation patching on an MLP needs the clean/corrupted pairs of hierarchical-equality-vectors; this subject (\(modelDescription)) has none")
        }
        let mlp = try self.mlp(unit, site: site, method: "activation patching runs an MLP or a transformer")
        let m = spec.model.taskOptions.dimension
        var corrupted = evaluationInputs
        var draw = RandomStream(seed: spec.seed, path: ["counterfactual"])
        for r in 0..<labels.count {
            let row = r * 4 * m
            for j in 0..<m {
                // b := a when a ≠ b; b := a fresh object when a = b.
                corrupted.scalars[row + m + j] = variables[2 * r] == 0 ? evaluationInputs.scalars[row + j] : Float(2 * draw.uniform() - 1)
            }
        }
        do {
            return try MLPActivationPatching(model: mlp, clean: evaluationInputs, corrupted: corrupted, correct: labels, wrong: labels.map { 1 - $0 })
        } catch let error as MethodError {
            throw AuditError("\(unit) at \(site): \(error.message)")
        }
    }

    /// Distributed alignment search at a hidden layer of the MLP `unit` names, on hierarchical
    /// equality's interchange pairs for `variable` (left or right): every training row a base with
    /// a training source, every evaluation row a base with an evaluation source, drawn as the
    /// transformer's task draws them (``SyntheticTasks/hierarchicalEqualityInterchange(variables:rows:column:stream:)``,
    /// `seed → "interchange" → variable → "training" | "evaluation"`).
    public func interventionRuns(_ unit: AuditUnit, site: String, variable: String) throws -> (training: any InterventionRuns, evaluation: any InterventionRuns) {
        guard spec.model.task == ModelSpec.BuiltInTask.hierarchicalEqualityVectors.rawValue, let training,
              let trainingVariables = training.groundTruth["variables"], let evaluationVariables else {
            throw AuditError("interchange interventions on an MLP need the task hierarchical-equality-vectors; this subject (\(modelDescription)) has none")
        }
        guard let column = ["left", "right"].firstIndex(of: variable) else {
            throw AuditError("hierarchical equality's variables are left and right; found '\(variable)'")
        }
        let mlp = try self.mlp(unit, site: site, method: "interchange interventions run an MLP or a transformer")
        func runs(_ inputs: Tensor, _ variables: [Int], _ part: String) throws -> any InterventionRuns {
            let p = SyntheticTasks.hierarchicalEqualityInterchange(variables: variables, rows: 0..<(variables.count / 2), column: column,
                                                                   stream: RandomStream(seed: spec.seed, path: ["interchange", .label(variable), .label(part)]))
            return try MLPAlignmentSearch(model: mlp, site: site).runs(base: inputs.rows(p.base), source: inputs.rows(p.source),
                                                                        correct: p.correct, wrong: p.correct.map { 1 - $0 })
        }
        do {
            return (try runs(training.inputs, trainingVariables.scalars.map { Int($0) }, "training"),
                    try runs(evaluationInputs, evaluationVariables, "evaluation"))
        } catch let error as MethodError {
            throw AuditError("\(unit) at \(site): \(error.message)")
        }
    }

    /// The hidden units of the MLP `unit` names, judged by accuracy on the evaluation labels.
    public func circuitProblem(_ unit: AuditUnit, site: String, ablation: GreedyCircuitSearch.Ablation, stream: RandomStream) throws -> GreedyCircuitSearch.Problem {
        guard let evaluationLabels else { throw AuditError("this subject (\(modelDescription)) has no class labels to judge a circuit by") }
        let mlp = try self.mlp(unit, site: site, method: "circuit discovery searches an MLP's hidden units or a transformer's heads")
        return GreedyCircuitSearch.mlpNodes(mlp, inputs: evaluationInputs, targets: evaluationLabels.map(Float.init), ablation: ablation, stream: stream)
    }

    public func attributionData(claim: ClaimSpec) throws -> (inputs: Tensor, targets: [Int]) {
        guard let targets = attributionTargets[claim.name] else { throw AuditError("no attribution targets for claim \(claim.name)") }
        return (evaluationInputs, targets)
    }

    func capture(_ model: Model, sites: Set<String>) -> [String: Tensor] {
        model.captured(evaluationInputs, sites: sites)
    }

    public func probeData(claim: ClaimSpec, activations: Tensor) throws -> ProbeData {
        guard let target = targets[claim.name] else { throw AuditError("no target for claim \(claim.name)") }
        do { return try ProbeData(activations: activations, target: target, types: types[claim.name]) } catch let e as MethodError {
            throw MethodError("claim \(claim.name): \(e.message)")
        }
    }
}

/// The MLP's subject: trained on a built-in task or loaded from a PyTorch state dict.
public typealias NetworkSubject = LayeredNetworkSubject<MLP>

/// The CNN's subject: trained on the digits (`model.convolutions`).
public typealias ConvNetSubject = LayeredNetworkSubject<ConvNet>

extension LayeredNetworkSubject {
    /// A model loaded from a PyTorch state dict (`model.stateDict` + `model.architecture`), read on
    /// `model.inputs`; claim targets and control types are `.npy` (or npz/safetensors) files.
    /// Relative paths are resolved against `baseDirectory` (the spec's folder).
    public init(fileSpec spec: AuditSpec, baseDirectory: String) throws {
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : baseDirectory + "/" + p }
        guard let files = spec.model.stateDict, let architecture = spec.model.architecture else {
            throw SpecError(field: "model", "a state-dict model needs stateDict, architecture and inputs")
        }
        let models = try files.paths.map { path -> Model in
            guard let model = Model.loaded(try StateDict.load(path: resolve(path), architecturePath: resolve(architecture))) else {
                throw SpecError(field: "model.architecture", "this architecture is not a \(Model.self): audit it through Audit.subject")
            }
            return model
        }
        try self.init(fileSpec: spec, loaded: models, baseDirectory: baseDirectory)
    }

    /// Networks already loaded from `model.stateDict` (trained seed s at index s; one architecture),
    /// read on `model.inputs`.
    public init(fileSpec spec: AuditSpec, loaded models: [Model], baseDirectory: String) throws {
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : baseDirectory + "/" + p }
        guard let stateDict = spec.model.stateDict, let inputs = spec.model.inputs, let mlp = models.first else {
            throw SpecError(field: "model", "a state-dict model needs stateDict, architecture and inputs")
        }
        self.spec = spec
        trained = models
        trainingPlan = spec.model.training
        let outputs = mlp.outputWidth
        var trainingHash: [Float] = []
        if let file = spec.model.trainingInputs, let labelsFile = spec.model.trainingLabels {
            let inputs = try ArrayInput.activations(resolve(file))
            guard inputs.shape[1] == mlp.inputWidth else {
                throw SpecError(file: resolve(file), field: "", "expected \(mlp.inputWidth) features per row (the network's input), found \(inputs.shape[1])")
            }
            let labels = try ArrayInput.integers(resolve(labelsFile), what: "training labels")
            guard labels.count == inputs.shape[0] else {
                throw SpecError(file: resolve(labelsFile), field: "", "\(labels.count) labels for \(inputs.shape[0]) training rows in \(file); expected one per row")
            }
            if let r = labels.firstIndex(where: { !(0..<outputs).contains($0) }) {
                throw SpecError(file: resolve(labelsFile), field: "", "label \(labels[r]) at row \(r) is not an output of this network (expected 0..<\(outputs))")
            }
            let targets = Tensor(shape: [labels.count], scalars: labels.map(Float.init))
            training = Dataset(name: "training data", inputs: inputs, targets: targets, classes: outputs)
            trainingHash = inputs.scalars + targets.scalars
        } else {
            training = nil
        }
        let x = try ArrayInput.activations(resolve(inputs))
        guard x.shape[1] == mlp.inputWidth else {
            throw SpecError(field: "model.inputs", "expected \(mlp.inputWidth) features per row, found \(x.shape[1])")
        }
        evaluationInputs = x
        evaluationLabels = nil
        evaluationVariables = nil
        featureDirections = nil
        try Self.checkSites(spec, layers: mlp.layerCount)
        var targets: [String: ProbeData.Target] = [:], types: [String: [Int]] = [:], explained: [String: [Int]] = [:]
        var hashed: [Float] = x.scalars
        for claim in spec.claims {
            let needs = claim.requirements
            guard needs.contains(.explainedOutputs) else {
                guard !needs.isDisjoint(with: [.classLabels, .realValuedTargets]) else { continue }
                let read = try ClaimTargetFile(claim: claim, rows: x.shape[0], of: "input rows in \(inputs)", resolve: resolve)
                targets[claim.name] = read.target
                types[claim.name] = read.types
                hashed += read.hashed
                continue
            }
            let labels = try ArrayInput.integers(resolve(claim.target), what: "labels")
            guard labels.count == x.shape[0] else {
                throw SpecError(file: resolve(claim.target), field: "", "\(labels.count) labels for \(x.shape[0]) input rows in \(inputs); expected one label per row")
            }
            if let r = labels.firstIndex(where: { !(0..<outputs).contains($0) }) {
                throw SpecError(file: resolve(claim.target), field: "", "label \(labels[r]) at row \(r) is not an output of this network (expected 0..<\(outputs): attributions explain that output)")
            }
            explained[claim.name] = labels
            hashed += labels.map(Float.init)
        }
        self.targets = targets
        self.types = types
        attributionTargets = explained
        evaluationHash = FNV1a.hex(floats: hashed)
        dataHash = FNV1a.hex(floats: hashed + trainingHash + models.flatMap { $0.parameterArrays.flatMap { $0 } })
        modelDescription = "\(mlp.loadedDescription) loaded from \(stateDict.description); \(x.shape[0]) evaluation inputs from \(inputs)"
    }

}
