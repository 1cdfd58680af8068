import SalmonStatistics

/// Everything a ``SanityCheck`` study found, with what is needed to reproduce it.
public struct SanityCheckResult: Sendable, Codable, Equatable {
    /// The settings the study ran with.
    public var configuration: SanityCheckConfiguration
    public var provenance: Provenance
    /// Layer count L of the MLP.
    public var layers: Int
    /// Train and test split sizes, and the number of inputs explained.
    public var trainExamples: Int
    public var testExamples: Int
    public var evaluationExamples: Int
    /// Test accuracy of each trained network (index 0: the trained model).
    public var trainedTestAccuracy: [Double]
    /// For each permuted-label network: accuracy on the permuted labels it was fit to, and on the
    /// true test labels.
    public var permutedLabelsMemorized: [Double]
    public var permutedLabelsTestAccuracy: [Double]
    /// Integrated Gradients' completeness gap on the trained model, mean |gap| / mean |F(x) − F(0)|
    /// (NaN when IG is not among the methods).
    public var integratedGradientsRelativeGap: Double
    /// The mean fraction of exactly-zero pixels in the explained digits.
    public var inputZeroFraction: Double
    /// The Spearman (absolute) similarity two maps reach from the input alone when both are 0
    /// exactly where the input is 0 (Gradient ⊙ Input, Integrated Gradients from a zero baseline,
    /// occlusion by 0) and their other pixels are ranked independently: for a row with a fraction
    /// z of zero pixels, the zeros tie at the bottom and ρ = 3z / (3z + (1 − z)²) (the between-group
    /// share of the rank variance; z = 0.5 gives 0.857, MNIST's z ≈ 0.8 gives 0.984); averaged over rows.
    public var absoluteRankTieFloor: Double
    /// One summary per stage × method × measure, in ``RandomizationStage/all(layers:)`` order,
    /// then method, then measure order.
    public var similarities: [SimilaritySummary]
    /// One test per method × measure.
    public var sensitivity: [SensitivityTest]
    /// One test per method × curve kind.
    public var faithfulness: [FaithfulnessTest]

    /// The summary of a stage, method and measure.
    public func similarity(_ stage: RandomizationStage, method: String, measure: String) -> SimilaritySummary? {
        similarities.first { $0.stage == stage && $0.method == method && $0.measure == measure }
    }

    /// How the study's numbers were drawn.
    public struct Provenance: Sendable, Codable, Equatable {
        public var seed: UInt64
        public var generator: String = RandomStream.generatorName
        public var derivation: String = RandomStream.derivationScheme
        public var packageVersion: String
        /// FNV-1a 64 of the digits' pixels and labels as read.
        public var dataHash: String
        /// The stream paths, by what they drive.
        public var streams: [String: String]
        /// How intervals were computed.
        public var resampling: String
        public var correction: String
    }
}
