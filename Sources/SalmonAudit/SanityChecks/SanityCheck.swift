import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// Adebayo et al.'s sanity checks for saliency maps ("Sanity checks for saliency maps", NeurIPS
/// 2018) as a generated audit: model-parameter randomization (cascading from the top, and
/// independent per layer) and data randomization (permuted labels) tested against the seed-to-seed
/// reference, and deletion and insertion faithfulness, all through the audit engine — one spec,
/// one verdict rule, one correction across every test.
///
/// The generated spec (``spec()``), for the settings in ``SanityCheckConfiguration``:
/// - **model**: the bundled digits (`task: digits`; `evaluationExamples` held out and explained,
///   1,797 − `testExamples` training), an MLP or a CNN (`model.convolutions`), K_t trained seeds;
/// - **claims**: for every method × measure, `similarityToTrained` (the map's similarity to trained
///   network 0's, per input) at every layer `layers.ℓ.post`, ℓ = L−1 … 0 — the randomization
///   stages; for every method, `deletionAUC` and `insertionAUC` at `layers.0.post` (the fully
///   randomized stage). Claim names are `method.measure` and `method.deletion|insertion`;
/// - **nulls**: `cascading-top-down` and `independent-layer` with `nullSeeds · (K_t − 1)` models
///   each; `permuted-labels` (retrained for `permutedLabelEpochs`) unless `permutedLabelSeeds` is 0.
///
/// Exchangeability: the estimate of a similarity claim averages the K_t − 1 reference networks'
/// similarities to network 0; each null draw averages K_t − 1 null models made from network 0 (the
/// engine's grouping), so the two are exchangeable when randomization changes the maps no more
/// than retraining does — unlike the study this replaces, whose observed value averaged two
/// reference seeds while each null draw was one seed. The calibration tests in
/// `SanityCheckTests` run the generated spec with one more null draw standing in for the trained
/// networks.
///
/// After the audit the study adds what its report describes but does not test: accuracies of the
/// trained and permuted-label networks, Integrated Gradients' completeness gap, the inputs' zero
/// fraction and the rank-tie floor it implies, and mean deletion and insertion curves.
public struct SanityCheck: Sendable {
    public let configuration: SanityCheckConfiguration

    /// A study with validated settings.
    /// - Throws: ``AuditError`` naming a bad setting, or ``SpecError`` when the generated spec is invalid.
    public init(_ configuration: SanityCheckConfiguration = SanityCheckConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        _ = try spec()
    }

    /// The stage sites, top layer first: `layers.L−1.post` … `layers.0.post`.
    public var stageSites: [String] { (0..<configuration.layerCount).reversed().map { "layers.\($0).post" } }

    /// The generated audit spec, validated.
    /// - Throws: ``SpecError`` naming the field when a setting makes it invalid.
    public func spec() throws -> AuditSpec {
        let c = configuration
        var model = ModelSpec(task: "digits")
        model.taskOptions.examples = 1797 - c.testExamples
        model.hidden = c.hidden
        model.activation = "relu"
        if !c.convolutionChannels.isEmpty { model.convolutions = c.convolutionChannels }
        model.training.epochs = c.epochs
        model.training.batchSize = c.batchSize
        model.training.learningRate = c.learningRate
        model.training.weightDecay = c.weightDecay
        model.training.seeds = c.trainedSeeds
        model.evaluationExamples = c.evaluationExamples
        var claims: [ClaimSpec] = []
        for method in c.methods {
            for measure in c.measures {
                var p = AttributionParameters()
                p.similarity = measure.name
                if case .ssim(let h, let w) = measure { p.image = [h, w] }
                p.curveSteps = c.faithfulnessSteps
                claims.append(ClaimSpec(name: SanityCheckResult.claimName(method: method, measure: measure.name),
                                        method: try MethodSpec(name: method, parameters: p),
                                        statistic: AttributionFamily.Statistic.similarityToTrained.rawValue, sites: stageSites))
            }
        }
        for method in c.methods {
            for kind in FeatureRemovalCurve.Kind.allCases {
                var p = AttributionParameters()
                p.curveSteps = c.faithfulnessSteps
                let statistic: AttributionFamily.Statistic = kind == .deletion ? .deletionAUC : .insertionAUC
                claims.append(ClaimSpec(name: SanityCheckResult.claimName(method: method, curve: kind),
                                        method: try MethodSpec(name: method, parameters: p), statistic: statistic.rawValue,
                                        sites: ["layers.0.post"]))
            }
        }
        var nulls = [NullSpec(family: NullSpec.Family.cascadingTopDown.rawValue, K: c.nullModels),
                     NullSpec(family: NullSpec.Family.independentLayer.rawValue, K: c.nullModels)]
        if c.permutedLabelSeeds > 0 {
            nulls.append(NullSpec(family: NullSpec.Family.permutedLabels.rawValue,
                                  K: max(c.permutedLabelSeeds * (c.trainedSeeds - 1), c.trainedSeeds), epochs: c.permutedLabelEpochs))
        }
        var resampling = ResamplingSpec()
        resampling.bootstrap = c.bootstrapResamples
        resampling.interval = c.interval
        resampling.level = c.level
        var gate = GateSpec()
        gate.minimumEffect = c.minimumEffect
        let name = c.convolutionChannels.isEmpty ? "adebayo-sanity-checks" : "adebayo-sanity-checks-cnn"
        let spec = AuditSpec(name: name, seed: c.seed, model: model, claims: claims, nulls: nulls, resampling: resampling,
                             alpha: c.alpha, correction: c.correction, gate: gate)
        try spec.validate()
        return spec
    }

    /// Runs the generated audit and the study's descriptive additions.
    /// - Parameters:
    ///   - jobs: worker threads (the result does not depend on it).
    ///   - store: where each finished unit is saved (nil saves nothing); a long study that is
    ///     interrupted resumes from it.
    ///   - resume: read back the units already saved in `store` for this spec instead of recomputing them.
    ///   - progress: called with (units done, units) as the audit runs.
    /// - Throws: what the audit throws (``AuditError``, ``SpecError``, ``MethodError``).
    public func run(jobs: Int = ProcessorCount.active, store: RecordStore? = nil, resume: Bool = false,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> SanityCheckResult {
        let spec = try self.spec()
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: jobs)
        guard let audit = try await Audit.run(spec: spec, subject: subject, jobs: jobs, store: store, resume: resume,
                                              progress: progress).result else {
            throw AuditError("sanity check: the audit gave no result")
        }
        return try describe(audit, subject: subject, jobs: jobs)
    }

    /// The study's result: the audit and what the report describes beside it.
    /// - Parameter subject: the subject the audit ran on (a digits MLP or CNN).
    public func describe(_ audit: AuditResult, subject: any AuditSubject, jobs: Int = 1) throws -> SanityCheckResult {
        let c = configuration
        let spec = audit.spec
        guard let first = spec.claims.first else { throw AuditError("sanity check: the spec has no claims") }
        let (inputs, labels) = try subject.attributionData(claim: first)
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        let trained = try (0..<subject.trainedSeeds).map { try subject.network(.trained(seed: $0), site: "", base: $0) }
        let trainedAccuracy = trained.map { Self.accuracy($0, inputs: inputs, labels: labels) }

        // The first (at most three) permuted-label networks: how far they memorized their labels.
        var memorized: [Double] = [], permutedAccuracy: [Double] = []
        if let family = spec.nulls.first(where: { $0.family == NullSpec.Family.permutedLabels.rawValue }),
           let training = (subject as? NetworkSubject)?.training ?? (subject as? ConvNetSubject)?.training {
            let count = min(family.K, 3), seeds = subject.trainedSeeds
            let fitted = try ParallelMap.run(count: count, jobs: jobs) { k in
                Result { try subject.network(.null(family: family.family, index: k), site: "", base: k % seeds) }
            }.map { try $0.get() }
            for (k, model) in fitted.enumerated() {
                let stream = NullModels.stream(seed: spec.seed, family: .permutedLabels, index: k)
                let permuted = NullModels.permutedTargets(training.targets, stream: stream.derived("labels")).scalars.map { Int($0) }
                memorized.append(Self.accuracy(model, inputs: training.inputs, labels: permuted))
                permutedAccuracy.append(Self.accuracy(model, inputs: inputs, labels: labels))
            }
        }

        // Integrated Gradients' completeness gap on trained network 0.
        var gap = Double.nan
        if c.methods.contains(AttributionFamily.Method.integratedGradients.rawValue) {
            let explanation = try Attribution(AttributionFamily.Method.integratedGradients.attribution(AttributionParameters()))
                .explain(AttributionInput(model: trained[0], inputs: inputs, target: .perRow(labels)), stream: RandomStream(seed: spec.seed))
            gap = explanation.diagnostics["completenessGap.relative"] ?? .nan
        }
        let curves = try removalCurves(spec: spec, subject: subject, trained: trained, inputs: inputs, labels: labels, jobs: jobs)
        return SanityCheckResult(configuration: c, audit: audit, layers: c.layerCount,
                                 trainExamples: spec.model.taskOptions.examples, evaluationExamples: labels.count,
                                 trainedAccuracy: trainedAccuracy, permutedLabelsMemorized: memorized,
                                 permutedLabelsAccuracy: permutedAccuracy, integratedGradientsRelativeGap: gap,
                                 inputZeroFraction: Self.zeroFraction(inputs), absoluteRankTieFloor: Self.tieFloor(inputs),
                                 curves: curves.curves, curveNullModels: curves.nullModels)
    }

    /// Mean deletion and insertion curves per method (descriptive; the tests are the audit's
    /// `deletionAUC` and `insertionAUC`): each trained network's own map order on itself, averaged
    /// over the K_t networks; the fully randomized models' map orders (`cascading-top-down` at
    /// `layers.0.post`, the first min(K, 10 · K_t) null models, model k on trained network k mod K_t);
    /// a uniformly random order per input (`seed → "faithfulness" → "random-order" → row`).
    func removalCurves(spec: AuditSpec, subject: any AuditSubject, trained: [any AttributableModel], inputs: Tensor, labels: [Int],
                       jobs: Int) throws -> (curves: [SanityCheckResult.RemovalCurves], nullModels: Int) {
        let c = configuration
        let n = inputs.shape[0], d = inputs.shape[1], seeds = trained.count
        let family = NullSpec.Family.cascadingTopDown.rawValue
        let nullCount = min(c.nullModels, 10 * seeds)
        let orderStream = RandomStream(seed: spec.seed, path: ["faithfulness", "random-order"])
        var randomMap = [Double](repeating: 0, count: n * d)
        for r in 0..<n {
            var s = orderStream.derived(index: r)
            for j in 0..<d { randomMap[r * d + j] = s.uniform() }
        }
        let methods = try c.methods.map { name -> AttributionMethod in
            guard let m = AttributionFamily.Method(rawValue: name) else { throw AuditError("sanity check: unknown method '\(name)'") }
            return m.attribution(AttributionParameters())
        }
        let steps = c.faithfulnessSteps
        // The maps of every model (trained networks first, then the null models), per method; the
        // method stream of each method's deletion claim, as in the audit.
        let streams = try c.methods.map { name in
            AuditPlan.methodStream(ClaimSpec(name: SanityCheckResult.claimName(method: name, curve: .deletion),
                                             method: try MethodSpec(name: name, parameters: AttributionParameters())),
                                   site: "layers.0.post", seed: spec.seed)
        }
        let units = (0..<seeds).map { (unit: AuditUnit.trained(seed: $0), base: $0) }
            + (0..<nullCount).map { (unit: AuditUnit.null(family: family, index: $0), base: $0 % seeds) }
        let perUnit = try ParallelMap.run(count: units.count, jobs: jobs) { i -> Result<[[[Double]]], Error> in
            Result {
                let (unit, base) = units[i]
                let model = try subject.network(unit, site: "layers.0.post", base: base)
                return try methods.indices.map { m in
                    let map = try Attribution(methods[m]).explain(AttributionInput(model: model, inputs: inputs, target: .perRow(labels)),
                                                                  stream: streams[m]).map?.values ?? []
                    return FeatureRemovalCurve.Kind.allCases.map { kind in
                        FeatureRemovalCurve.evaluate(kind, model: trained[base], inputs: inputs, targets: labels, maps: map, steps: steps).meanCurve
                    }
                }
            }
        }.map { try $0.get() }
        func mean(_ curves: [[Double]]) -> [Double] {
            guard let first = curves.first else { return [] }
            return first.indices.map { p in curves.reduce(0) { $0 + $1[p] } / Double(curves.count) }
        }
        var out: [SanityCheckResult.RemovalCurves] = []
        for (k, kind) in FeatureRemovalCurve.Kind.allCases.enumerated() {
            let random = trained.map { FeatureRemovalCurve.evaluate(kind, model: $0, inputs: inputs, targets: labels, maps: randomMap, steps: steps) }
            for (m, method) in c.methods.enumerated() {
                out.append(SanityCheckResult.RemovalCurves(
                    method: method, kind: kind, trained: mean(perUnit.prefix(seeds).map { $0[m][k] }),
                    randomized: mean(perUnit.dropFirst(seeds).map { $0[m][k] }), randomOrder: mean(random.map(\.meanCurve)),
                    randomOrderArea: Descriptive.mean(random.flatMap(\.areas))))
            }
        }
        return (out, nullCount)
    }

    /// The fraction of rows whose largest output is the label (ties to the lower class).
    static func accuracy(_ model: any AttributableModel, inputs: Tensor, labels: [Int]) -> Double {
        let out = model.outputs(inputs)
        let k = out.shape[1]
        var correct = 0
        for r in 0..<out.shape[0] {
            var best = 0
            for j in 1..<k where out.scalars[r * k + j] > out.scalars[r * k + best] { best = j }
            if best == labels[r] { correct += 1 }
        }
        return Double(correct) / Double(max(labels.count, 1))
    }

    /// Per row the fraction of exactly-zero features, averaged.
    static func zeroFraction(_ x: Tensor) -> Double {
        let n = x.shape[0], d = x.shape[1]
        return (0..<n).reduce(0.0) { total, r in total + Double((0..<d).filter { x.scalars[r * d + $0] == 0 }.count) / Double(d) } / Double(n)
    }

    /// The mean over rows of 3z / (3z + (1 − z)²), z the row's fraction of zero features (see
    /// ``SanityCheckResult/absoluteRankTieFloor``).
    static func tieFloor(_ x: Tensor) -> Double {
        let n = x.shape[0], d = x.shape[1]
        var total = 0.0
        for r in 0..<n {
            let z = Double((0..<d).filter { x.scalars[r * d + $0] == 0 }.count) / Double(d)
            total += z == 0 ? 0 : 3 * z / (3 * z + (1 - z) * (1 - z))
        }
        return total / Double(n)
    }
}
