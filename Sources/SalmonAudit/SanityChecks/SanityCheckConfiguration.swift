import SalmonMethods
import SalmonStatistics

/// The settings of a ``SanityCheck`` study: the digits network (MLP or CNN) and its training, how
/// many seeds of every kind, the attribution methods and similarity measures, the resampling plan
/// and the significance policy. ``SanityCheck/spec()`` turns them into an audit spec.
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
    /// Digits held out from training (the rest, 1,797 − this, train); the first
    /// `evaluationExamples` of them are explained.
    public var testExamples: Int = 500
    /// How many held-out digits are explained.
    public var evaluationExamples: Int = 500
    /// Passes over the training split for the trained networks.
    public var epochs: Int = 100
    public var batchSize: Int = 64
    public var learningRate: Double = 1e-3
    public var weightDecay: Double = 0.01
    /// K_t: independently trained networks. Network 0 is "the trained model" every null is made
    /// from; networks 1 … K_t − 1 give the seed-to-seed reference similarity.
    public var trainedSeeds: Int = 3
    /// Null draws per similarity test (per cascading stage and independent layer). Each draw
    /// averages K_t − 1 null models, as the reference averages K_t − 1 trained networks, so each
    /// site-dependent family has `nullSeeds · (K_t − 1)` null models; a faithfulness test's draws
    /// average K_t of the same models.
    public var nullSeeds: Int = 20
    /// Null draws of networks retrained on permuted labels (Adebayo et al.'s data randomization
    /// test): `permutedLabelSeeds · (K_t − 1)` networks; 0 leaves the family out.
    public var permutedLabelSeeds: Int = 3
    /// Passes over the training split for the permuted-label networks (memorizing random labels
    /// takes longer than learning the true ones).
    public var permutedLabelEpochs: Int = 300
    /// The attribution methods compared, by their audit names (``AttributionFamily/Method``).
    public var methods: [String] = ["gradient", "gradient-times-input", "integrated-gradients", "smoothgrad", "guided-backprop", "occlusion"]
    /// The similarity measures between the trained model's map and another model's.
    public var measures: [AttributionSimilarity] = [.spearmanAbsolute, .spearman, .ssim(height: 8, width: 8), .topK(10)]
    /// B, bootstrap resamples over evaluation inputs (two-level over trained seeds × inputs).
    public var bootstrapResamples: Int = 9999
    /// The kind of bootstrap interval.
    public var interval: BootstrapInterval = .bca
    /// The confidence level of every interval.
    public var level: Double = 0.95
    /// The significance level, applied to adjusted p-values.
    public var alpha: Double = 0.05
    /// The correction across every test of the study (method × measure × stage × family).
    /// Benjamini–Hochberg (FDR) by default: with some 200 tests, a family-wise correction (Holm)
    /// needs K ≥ m / α ≈ 4,000 null draws before any test can pass.
    public var correction: MultipleTestingMethod = .benjaminiHochberg
    /// The smallest change that counts, in the statistic's units (a similarity drop from the
    /// reference, an AUC difference): the study's gate, stated in its report. 0.1 is a tenth of the
    /// similarity scale; a drop below it is called insensitive however small p is.
    public var minimumEffect: Double = 0.1
    /// Steps of the deletion and insertion curves: at step s the first round(s · 64 / steps)
    /// features in attribution order are removed (or inserted).
    public var faithfulnessSteps: Int = 16

    public init() {}

    /// The MLP's layer sizes (the CNN's dense layers follow its convolutions instead).
    public var sizes: [Int] { [64] + hidden + [10] }

    /// L, the layers with parameters: convolutions and dense layers.
    public var layerCount: Int { convolutionChannels.count + hidden.count + 1 }

    /// Null models per site-dependent family: `nullSeeds · (K_t − 1)`.
    public var nullModels: Int { nullSeeds * (trainedSeeds - 1) }

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

    /// Checks the settings the generated audit spec cannot check itself, naming the first bad one.
    /// - Throws: ``AuditError`` naming the setting and what was expected.
    public func validate() throws {
        func require(_ ok: Bool, _ setting: String, _ expected: String) throws {
            if !ok { throw AuditError("sanity check: \(setting) must be \(expected)") }
        }
        try require(testExamples >= 10 && testExamples <= 1797 - 100, "testExamples", "in 10…1697, found \(testExamples)")
        try require(evaluationExamples >= 2 && evaluationExamples <= testExamples, "evaluationExamples",
                    "in 2…\(testExamples) (the held-out digits), found \(evaluationExamples)")
        try require(trainedSeeds >= 2, "trainedSeeds", "at least 2 (the trained model and one reference seed), found \(trainedSeeds)")
        try require(nullSeeds >= 1, "nullSeeds", "at least 1, found \(nullSeeds)")
        try require(permutedLabelSeeds >= 0, "permutedLabelSeeds", "at least 0, found \(permutedLabelSeeds)")
        try require(permutedLabelEpochs >= 1, "permutedLabelEpochs", "at least 1, found \(permutedLabelEpochs)")
        try require(!methods.isEmpty && Set(methods).count == methods.count, "methods", "non-empty and distinct")
        try require(!measures.isEmpty && Set(measures.map(\.name)).count == measures.count, "measures", "non-empty and distinct by name")
        try require(faithfulnessSteps >= 1 && faithfulnessSteps <= 64, "faithfulnessSteps", "in 1…64, found \(faithfulnessSteps)")
    }
}
