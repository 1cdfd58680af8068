import SalmonMethods
import SalmonStatistics

/// The settings of a ``SanityCheck`` study: the digits network (MLP or CNN) and its training, how many seeds of
/// every kind, the attribution methods and similarity measures, the resampling plan and the
/// significance policy.
///
/// The defaults reproduce Adebayo et al., "Sanity checks for saliency maps" (NeurIPS 2018) on the
/// bundled 8 × 8 digits: a 64 → 64 → 64 → 10 ReLU MLP trained with cross-entropy and AdamW on a
/// held-out split, Gradient, Gradient ⊙ Input, Integrated Gradients, SmoothGrad, Guided Backprop
/// (their methods) and single-feature occlusion (ours), compared by Spearman's ρ with and without
/// absolute values, SSIM and top-k intersection.
public struct SanityCheckConfiguration: Sendable, Codable, Equatable {
    /// The master seed; every stream of the study is addressed below it.
    public var seed: UInt64 = 0
    /// Output channels of the CNN's convolution blocks (3 × 3 same-padded convolution, ReLU, 2 × 2
    /// max pooling each; at most 3, which pool 8 × 8 down to 1 × 1); empty for the MLP.
    public var convolutionChannels: [Int] = []
    /// Hidden widths of the dense layers: the MLP's (input 64 and output 10 are the digits'), or the
    /// CNN's after its convolutions.
    public var hidden: [Int] = [64, 64]
    /// Digits held out from training (the test split); the rest (1,797 − this) trains.
    public var testExamples: Int = 500
    /// How many test digits are explained (the first ones of the test split, in its order).
    public var evaluationExamples: Int = 500
    /// Passes over the training split for the trained networks.
    public var epochs: Int = 100
    public var batchSize: Int = 64
    public var learningRate: Double = 1e-3
    public var weightDecay: Double = 0.01
    /// K_t: independently trained networks. Seed 0 is "the trained model" every null is made
    /// from; seeds 1 … K_t − 1 give the seed-to-seed reference similarity.
    public var trainedSeeds: Int = 3
    /// K: null models per randomization family (cascading stages and independent layers).
    public var nullSeeds: Int = 20
    /// Networks retrained on permuted labels (Adebayo et al.'s data randomization test).
    public var permutedLabelSeeds: Int = 3
    /// Passes over the training split for the permuted-label networks (memorizing random labels
    /// takes longer than learning the true ones).
    public var permutedLabelEpochs: Int = 300
    /// The attribution methods compared.
    public var methods: [AttributionMethod] = [
        .gradient(), .gradientTimesInput, .integratedGradients(completenessTolerance: nil), .smoothGrad(), .guidedBackprop, .occlusion(),
    ]
    /// The similarity measures between the trained model's map and another model's.
    public var measures: [AttributionSimilarity] = [
        .spearmanAbsolute, .spearman, .ssim(height: 8, width: 8), .topK(10),
    ]
    /// B, bootstrap resamples over evaluation inputs.
    public var bootstrapResamples: Int = 9999
    /// The kind of bootstrap interval.
    public var interval: BootstrapInterval = .bca
    /// The confidence level of every interval.
    public var level: Double = 0.95
    /// The significance level, applied to Holm-adjusted p-values.
    public var alpha: Double = 0.05
    /// The smallest drop in similarity (reference − fully randomized, in the measure's units) that
    /// counts as "sensitive to the model's parameters".
    public var minimumEffect: Double = 0.1
    /// Steps of the deletion and insertion curves: at step s the first round(s · 64 / steps)
    /// features in attribution order are removed (or inserted).
    public var faithfulnessSteps: Int = 16

    public init() {}

    /// The MLP's layer sizes (the CNN's dense layers follow its convolutions instead).
    public var sizes: [Int] { [64] + hidden + [10] }

    /// L, the layers with parameters: convolutions and dense layers.
    public var layerCount: Int { convolutionChannels.count + hidden.count + 1 }

    /// The architecture in words: `MLP 64 → 64 → 64 → 10`, or
    /// `CNN 1×8×8 → conv3×3 16 → ReLU → maxpool2 → conv3×3 32 → ReLU → maxpool2 → 128 → 64 → 10`.
    public var architectureDescription: String {
        if convolutionChannels.isEmpty { return "MLP " + sizes.map(String.init).joined(separator: " → ") }
        var side = 8
        var parts: [String] = []
        for c in convolutionChannels {
            parts.append("conv3×3 \(c) → ReLU → maxpool2")
            side /= 2
        }
        let flat = (convolutionChannels.last ?? 1) * side * side
        return "CNN 1×8×8 → " + parts.joined(separator: " → ") + " → " + ([flat] + hidden + [10]).map(String.init).joined(separator: " → ")
    }

    /// Decodes a configuration. Every field is required except `convolutionChannels`, which
    /// results written before the CNN existed lack (they describe the MLP: `[]`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seed = try c.decode(UInt64.self, forKey: .seed)
        convolutionChannels = try c.decodeIfPresent([Int].self, forKey: .convolutionChannels) ?? []
        hidden = try c.decode([Int].self, forKey: .hidden)
        testExamples = try c.decode(Int.self, forKey: .testExamples)
        evaluationExamples = try c.decode(Int.self, forKey: .evaluationExamples)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        weightDecay = try c.decode(Double.self, forKey: .weightDecay)
        trainedSeeds = try c.decode(Int.self, forKey: .trainedSeeds)
        nullSeeds = try c.decode(Int.self, forKey: .nullSeeds)
        permutedLabelSeeds = try c.decode(Int.self, forKey: .permutedLabelSeeds)
        permutedLabelEpochs = try c.decode(Int.self, forKey: .permutedLabelEpochs)
        methods = try c.decode([AttributionMethod].self, forKey: .methods)
        measures = try c.decode([AttributionSimilarity].self, forKey: .measures)
        bootstrapResamples = try c.decode(Int.self, forKey: .bootstrapResamples)
        interval = try c.decode(BootstrapInterval.self, forKey: .interval)
        level = try c.decode(Double.self, forKey: .level)
        alpha = try c.decode(Double.self, forKey: .alpha)
        minimumEffect = try c.decode(Double.self, forKey: .minimumEffect)
        faithfulnessSteps = try c.decode(Int.self, forKey: .faithfulnessSteps)
    }

    /// Checks every setting, naming the first bad one.
    /// - Throws: ``AuditError`` naming the setting and what was expected.
    public func validate() throws {
        func require(_ ok: Bool, _ setting: String, _ expected: String) throws {
            if !ok { throw AuditError("sanity check: \(setting) must be \(expected)") }
        }
        try require(convolutionChannels.count <= 3 && convolutionChannels.allSatisfy { $0 >= 1 && $0 <= 512 }, "convolutionChannels",
                    "at most 3 blocks (8 × 8 pools to 1 × 1) of 1…512 channels, found \(convolutionChannels)")
        try require((!hidden.isEmpty || !convolutionChannels.isEmpty) && hidden.allSatisfy { $0 >= 1 && $0 <= 4096 }, "hidden",
                    "widths in 1…4096 (one or more for an MLP), found \(hidden)")
        try require(testExamples >= 10 && testExamples <= 1797 - 100, "testExamples", "in 10…1697, found \(testExamples)")
        try require(evaluationExamples >= 2 && evaluationExamples <= testExamples, "evaluationExamples",
                    "in 2…\(testExamples) (the test split), found \(evaluationExamples)")
        try require(epochs >= 1 && permutedLabelEpochs >= 1, "epochs", "at least 1")
        try require(batchSize >= 1, "batchSize", "at least 1, found \(batchSize)")
        try require(learningRate > 0 && learningRate.isFinite, "learningRate", "a positive number, found \(learningRate)")
        try require(weightDecay >= 0 && weightDecay.isFinite, "weightDecay", "a number ≥ 0, found \(weightDecay)")
        try require(trainedSeeds >= 2, "trainedSeeds", "at least 2 (the trained model and one reference seed), found \(trainedSeeds)")
        try require(nullSeeds >= 2, "nullSeeds", "at least 2, found \(nullSeeds)")
        try require(permutedLabelSeeds >= 0, "permutedLabelSeeds", "at least 0, found \(permutedLabelSeeds)")
        try require(!methods.isEmpty, "methods", "non-empty")
        try require(Set(methods.map(\.name)).count == methods.count, "methods", "distinct by name")
        try require(!measures.isEmpty, "measures", "non-empty")
        try require(Set(measures.map(\.name)).count == measures.count, "measures", "distinct by name")
        for measure in measures { try measure.validate(features: 64) }
        try require(bootstrapResamples >= 1, "bootstrapResamples", "at least 1, found \(bootstrapResamples)")
        try require(level > 0 && level < 1, "level", "strictly between 0 and 1, found \(level)")
        try require(alpha > 0 && alpha < 1, "alpha", "strictly between 0 and 1, found \(alpha)")
        try require(minimumEffect >= 0 && minimumEffect.isFinite, "minimumEffect", "a number ≥ 0, found \(minimumEffect)")
        try require(faithfulnessSteps >= 1 && faithfulnessSteps <= 64, "faithfulnessSteps", "in 1…64, found \(faithfulnessSteps)")
    }
}
