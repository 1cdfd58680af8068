/// What a claim needs from the subject it is audited on, declared by its family and checked when
/// the spec is validated (``SubjectCapabilities``), so that a spec asking for something its model
/// cannot give fails before anything runs, naming the field.
public enum ClaimRequirement: Sendable, Hashable {
    /// Activations captured at the claim's sites.
    case activations
    /// The network itself (inputs to outputs: gradients, ablations, forward passes).
    case network
    /// A class label per evaluation input (the claim's `target`).
    case classLabels
    /// A real-valued target per evaluation input (the claim's `target`, from a file).
    case realValuedTargets
    /// Per evaluation input, the network output to explain (its class label: the claim's `target`).
    case explainedOutputs
    /// The directions of the task's true features at the claim's sites
    /// (``AuditSubject/trueFeatureDirections(_:site:)``: planted concepts, toy superposition).
    case groundTruth
    /// Token sequences as inputs (a transformer's).
    case tokenSequences
    /// Attribution maps supplied as files, one per trained network and null model.
    case attributionMaps
    /// At least this many trained networks (K_t), e.g. to compare seeds with each other.
    case trainedSeeds(atLeast: Int)
    /// The model's output with the activation at a site replaced (a reconstruction spliced into
    /// the forward pass): ``AuditSubject/splicedLogProbabilities(_:site:rows:replacement:)``.
    case splicedOutputs
    /// Clean and corrupted inputs with an answer and a contrast token per pair, and the model
    /// itself to run them with a component patched (``AuditSubject/activationPatching(_:site:)``).
    case counterfactualPairs
    /// The network's components (an MLP's hidden units; a transformer's heads and MLP blocks)
    /// ablatable one by one, with the task's answers on the evaluation rows to judge a circuit by
    /// (``AuditSubject/circuitProblem(_:site:ablation:stream:)``: circuit discovery).
    case circuitComponents
    case interchangePairs
    /// A network trained here on a built-in classification task whose hidden units can be
    /// removed — an MLP's hidden layers, a transformer's MLP blocks — with labelled subsets of its
    /// data (``AuditSubject/ablatableNetwork(_:site:)``, ``AuditSubject/labelledRows(_:)``: neuron ablation).
    case ablatableUnits

    /// The claim field a missing requirement is reported on.
    var field: String {
        switch self {
        case .activations, .network, .tokenSequences, .attributionMaps, .counterfactualPairs, .circuitComponents, .interchangePairs, .ablatableUnits: return "method"
        case .classLabels, .realValuedTargets, .explainedOutputs: return "target"
        case .trainedSeeds, .splicedOutputs, .groundTruth: return "statistic"
        }
    }

    /// What is needed, as a phrase ("the network itself").
    var phrase: String {
        switch self {
        case .activations: return "activations at its sites"
        case .network: return "the network itself (to run it on its inputs)"
        case .classLabels: return "a class label per evaluation input"
        case .realValuedTargets: return "real-valued targets"
        case .explainedOutputs: return "the output to explain for each evaluation input (its label)"
        case .groundTruth: return "the directions of the task's true features"
        case .tokenSequences: return "token sequences as inputs"
        case .attributionMaps: return "attribution map files (model.maps)"
        case .trainedSeeds(let n): return "at least \(n) trained networks (model.training.seeds ≥ \(n))"
        case .splicedOutputs: return "the model's outputs with a site's activation replaced (a transformer trained here)"
        case .counterfactualPairs: return "clean and corrupted inputs with answers, run with a component patched (a transformer trained here on a sequence task, or one loaded from a state dict with model.counterfactuals)"
        case .circuitComponents: return "a network trained here on a classification task, whose components can be ablated and judged by its answers"
        case .ablatableUnits: return "hidden units to remove and labelled rows to judge the network by (an MLP or a transformer trained here on a built-in classification task)"
        case .interchangePairs: return "base and source inputs with a causal variable's counterfactual answers (a transformer trained here on hierarchical-equality, or an MLP on hierarchical-equality-vectors)"
        }
    }
}

/// What a spec's model can give its claims: derived from `model` alone, so requirements are
/// checked before any data is read or network trained.
public struct SubjectCapabilities: Sendable {
    public var provided: Set<ClaimRequirement>
    public var trainedSeeds: Int
    /// What the model is, for messages ("activation files", "the built-in task 'digits'").
    public var description: String
    /// Where to get what is missing (for messages): per requirement, and for too few trained seeds.
    var remedies: [ClaimRequirement: String]
    var seedRemedy: String?

    public init(_ model: ModelSpec) {
        if let maps = model.maps {
            provided = [.attributionMaps]
            trainedSeeds = maps.trained.count
            description = "attribution map files (no network, no activations)"
            remedies = [:]
            seedRemedy = "give the maps of each trained network (model.maps.trained: [seed0.npy, seed1.npy, …])"
            return
        }
        if model.activations != nil {
            provided = [.activations, .classLabels, .realValuedTargets]
            trainedSeeds = 1
            description = "activation files (no network)"
            let remedy = "give the network as a state dict (model.stateDict, architecture, inputs)"
            remedies = [.network: remedy, .explainedOutputs: remedy]
            seedRemedy = "activation files hold one trained model"
        } else if model.stateDict != nil {
            provided = [.activations, .network, .classLabels, .realValuedTargets, .explainedOutputs]
            if model.counterfactuals != nil { provided.formUnion([.counterfactualPairs, .circuitComponents]) }
            trainedSeeds = model.stateDict?.paths.count ?? 1
            description = trainedSeeds == 1 ? "a model loaded from a state dict (one trained network)"
                : "\(trainedSeeds) trained networks loaded from state dicts"
            remedies = [.counterfactualPairs: "for a GPT-2-layout transformer give model.counterfactuals (corrupted, correct and wrong .npy files for model.inputs)",
                        .circuitComponents: "for a GPT-2-layout transformer give model.counterfactuals (corrupted, correct and wrong .npy files for model.inputs)"]
            seedRemedy = "give one state dict per trained seed (model.stateDict: [seed0.safetensors, seed1.safetensors, …])"
        } else if model.transformer != nil {
            provided = [.activations, .classLabels, .tokenSequences, .splicedOutputs, .counterfactualPairs, .circuitComponents, .interchangePairs, .ablatableUnits]
            trainedSeeds = model.training.seeds
            description = "the transformer trained on '\(model.task ?? "")'"
            let remedy = "attribution claims audit MLPs for now (TransformerAttribution explains a transformer's tokens in the library)"
            remedies = [.network: remedy, .explainedOutputs: remedy]
            seedRemedy = "raise model.training.seeds"
        } else {
            let task = model.task.flatMap(ModelSpec.BuiltInTask.init(rawValue:))
            provided = [.activations, .network, .classLabels]
            if task?.isRegressionTask != true { provided.insert(.explainedOutputs) }
            if task?.isRegressionTask != true && model.convolutions == nil { provided.formUnion([.circuitComponents, .ablatableUnits]) }
            if task?.hasFeatureDirections == true { provided.insert(.groundTruth) }
            if task == .hierarchicalEqualityVectors { provided.formUnion([.interchangePairs, .counterfactualPairs]) }
            trainedSeeds = model.training.seeds
            description = "the built-in task '\(model.task ?? "")' with \(model.training.seeds) trained seed\(model.training.seeds == 1 ? "" : "s")"
            remedies = [.realValuedTargets: task == .toySuperposition
                            ? "toy-superposition's claims take class targets 'feature:N' (whether feature N is on); for real-valued targets give a model as stateDict or activations, with target: FILE.npy"
                            : "the built-in tasks have class labels only; give a model as stateDict or activations, with target: FILE.npy",
                        .groundTruth: "the tasks planted-concepts and toy-superposition know their features' directions",
                        .explainedOutputs: "toy-superposition's outputs are real-valued reconstructions, with no class to explain"]
            seedRemedy = "raise model.training.seeds"
        }
    }

    /// Whether `requirement` is met.
    public func meets(_ requirement: ClaimRequirement) -> Bool {
        if case .trainedSeeds(let n) = requirement { return trainedSeeds >= n }
        return provided.contains(requirement)
    }

    /// The message for an unmet requirement of `method`.
    func message(_ requirement: ClaimRequirement, method: String, statistic: String) -> String {
        let who: String
        if case .trainedSeeds = requirement { who = "statistic '\(statistic)' of \(method)" } else { who = "method '\(method)'" }
        var m = "\(who) needs \(requirement.phrase), which \(description) cannot give"
        if case .trainedSeeds = requirement {
            if let seedRemedy { m += "; \(seedRemedy)" }
        } else if let remedy = remedies[requirement] {
            m += "; \(remedy)"
        }
        return m
    }
}
