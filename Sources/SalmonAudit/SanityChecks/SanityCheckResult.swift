import SalmonStatistics

/// Everything a ``SanityCheck`` study found: the audit of its generated spec (every test, its null
/// distribution, p-values, correction and verdict) and the descriptive numbers its report prints
/// beside the tests.
public struct SanityCheckResult: Sendable, Codable, Equatable {
    /// The settings the study ran with.
    public var configuration: SanityCheckConfiguration
    /// The audit of ``SanityCheck/spec()``: the one source of every estimate, null and verdict.
    public var audit: AuditResult
    /// Layer count L of the network.
    public var layers: Int
    public var trainExamples: Int
    public var evaluationExamples: Int
    /// Accuracy of each trained network on the explained (held-out) digits; index 0 is the trained model.
    public var trainedAccuracy: [Double]
    /// For the first (at most three) permuted-label networks: accuracy on the permuted training
    /// labels they were fit to, and on the explained digits' true labels.
    public var permutedLabelsMemorized: [Double]
    public var permutedLabelsAccuracy: [Double]
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
    /// Mean deletion and insertion curves per method × kind (descriptive).
    public var curves: [RemovalCurves]
    /// The fully randomized null models averaged into each `randomized` curve.
    public var curveNullModels: Int

    /// Mean curves (S + 1 points) of one method and kind.
    public struct RemovalCurves: Sendable, Codable, Equatable {
        public var method: String
        public var kind: FeatureRemovalCurve.Kind
        /// Each trained network's own map order on itself, averaged over the K_t networks.
        public var trained: [Double]
        /// Fully randomized models' map orders on the network they were made from.
        public var randomized: [Double]
        /// A uniformly random order per input, and its mean AUC.
        public var randomOrder: [Double]
        public var randomOrderArea: Double
    }

    /// The claim of a method × similarity measure: `gradient.spearman-abs`.
    public static func claimName(method: String, measure: String) -> String { "\(method).\(measure)" }

    /// The claim of a method's deletion or insertion AUC: `gradient.deletion`.
    public static func claimName(method: String, curve: FeatureRemovalCurve.Kind) -> String { "\(method).\(curve.rawValue)" }

    /// The null family and site a randomization stage is tested at (nil for `original` and the
    /// reference seed, which are not null stages).
    public func location(of stage: RandomizationStage) -> (family: String, site: String)? {
        switch stage {
        case .cascading(let step): return (NullSpec.Family.cascadingTopDown.rawValue, "layers.\(RandomizationStage.cascadeLayer(step: step, layers: layers)).post")
        case .independent(let layer): return (NullSpec.Family.independentLayer.rawValue, "layers.\(layer).post")
        case .permutedLabels: return (NullSpec.Family.permutedLabels.rawValue, "layers.\(layers - 1).post")
        case .original, .referenceSeed: return nil
        }
    }

    /// The test of a method × measure at a null stage.
    public func test(_ stage: RandomizationStage, method: String, measure: String) -> TestResult? {
        guard let (family, site) = location(of: stage) else { return nil }
        let claim = Self.claimName(method: method, measure: measure)
        return audit.tests.first { $0.claim == claim && $0.site == site && $0.family == family }
    }

    /// The seed-to-seed reference of a method × measure: the estimate (and its interval) every
    /// test of the claim shares.
    public func reference(method: String, measure: String) -> TestResult? {
        let claim = Self.claimName(method: method, measure: measure)
        return audit.tests.first { $0.claim == claim }
    }

    /// The faithfulness test of a method and curve against a null family.
    public func faithfulness(method: String, kind: FeatureRemovalCurve.Kind, family: String) -> TestResult? {
        let claim = Self.claimName(method: method, curve: kind)
        return audit.tests.first { $0.claim == claim && $0.family == family }
    }

    /// The headline test of a method × measure: the fully randomized stage (the last cascading step).
    public func sensitivity(method: String, measure: String) -> TestResult? {
        test(.cascading(step: layers), method: method, measure: measure)
    }

    /// The headline tests (the fully randomized stage), in method × measure order.
    public var sensitivityTests: [TestResult] {
        configuration.methods.flatMap { method in configuration.measures.compactMap { sensitivity(method: method, measure: $0.name) } }
    }

    /// The measure (or curve) of a test's claim: `spearman-abs` of `gradient.spearman-abs`.
    public func measure(of test: TestResult) -> String { String(test.claim.dropFirst(test.method.count + 1)) }
}
