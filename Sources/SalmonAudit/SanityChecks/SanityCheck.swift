import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// Adebayo et al.'s sanity checks for saliency maps ("Sanity checks for saliency maps", NeurIPS
/// 2018) as a study over many seeds with uncertainty: model-parameter randomization (cascading
/// from the top and independent per layer) and data randomization (permuted labels), each
/// compared with a seed-to-seed reference, plus deletion and insertion faithfulness.
///
/// The study, for the settings in ``SanityCheckConfiguration``:
/// 1. split the bundled digits (``DigitsClassifier``) and train K_t networks (an MLP, or a CNN
///    when ``SanityCheckConfiguration/convolutionChannels`` is set: ``DigitsNetwork``); network 0 is "the
///    trained model", networks 1 … K_t − 1 are the reference seeds; retrain the permuted-label
///    networks;
/// 2. explain the first `evaluationExamples` test digits with every method, each row's target the
///    digit's true class, on every model — SmoothGrad's noise from `seed → "attribution"` for every
///    model, so trained and null maps see the same noise;
/// 3. for each null seed k < K: the cascading models (`seed → "null" → "cascading-top-down" → k`)
///    and the independent-layer models (`seed → "null" → "independent-layer-i" → k`); compare each
///    map with the trained model's, per input, under every measure; on the fully randomized model
///    also compute the deletion and insertion AUCs of its maps' orders on the *trained* model;
/// 4. summarize (``SimilaritySummary``: seed-averaged per-input similarities bootstrapped over
///    inputs, `seed → "bootstrap" → "similarity" → stage → method → measure`, and the spread over
///    seeds), test sensitivity (``SensitivityTest``) and faithfulness (``FaithfulnessTest``).
///
/// Parallelism: null seeds run `jobs` at a time (``ParallelMap``) with OpenBLAS single-threaded;
/// seeds are processed in chunks and reduced in seed order, so the result is identical for any
/// `jobs` and memory stays O(chunk · stages · methods · measures · n).
public struct SanityCheck: Sendable {
    public let configuration: SanityCheckConfiguration

    /// A study with validated settings.
    /// - Throws: ``AuditError`` naming a bad setting.
    public init(_ configuration: SanityCheckConfiguration = SanityCheckConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The models and data every unit of the study reads.
    struct Setting: Sendable {
        var split: DigitsClassifier.Split
        var trained: [DigitsNetwork]
        var inputs: Tensor
        var labels: [Int]
        var trainedMaps: [[Double]]
        /// The trained maps prepared for each measure, `[method][measure]`.
        var prepared: [[AttributionSimilarity.Prepared]]
        var attributionStream: RandomStream
    }

    /// What one null seed contributes.
    struct NullSeed: Sendable {
        /// `[null stage][method][measure]` → per-row similarities.
        var similarities: [[[[Double]]]]
        /// `[kind][method]` → per-row AUCs of the fully randomized model's map order.
        var areas: [[[Double]]]
        /// `[kind][method]` → mean curve over rows.
        var curves: [[[Double]]]
    }

    /// The stages made from null seeds: the L cascading steps, then the independent layers from the top.
    var nullStages: [RandomizationStage] {
        let layers = configuration.layerCount
        return (1...layers).map { .cascading(step: $0) } + (0..<layers).reversed().map { .independent(layer: $0) }
    }

    /// Runs the study.
    /// - Parameters:
    ///   - jobs: worker threads (the result does not depend on it).
    ///   - progress: called with (null seeds done, K) after each chunk.
    /// - Throws: ``AuditError``, ``MethodError`` or ``StatisticsError`` if a step fails, or
    ///   ``InputError`` when the bundled digits cannot be read.
    public func run(jobs: Int = ProcessorCount.active, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SanityCheckResult {
        let c = configuration
        let jobs = max(1, jobs)
        let digits = try Digits.load()
        let split = DigitsClassifier.split(digits, testExamples: c.testExamples, seed: c.seed)
        let layers = c.layerCount

        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }

        let trained = ParallelMap.run(count: c.trainedSeeds, jobs: jobs) { s in DigitsClassifier.trained(c, split: split, index: s) }
        let permuted = ParallelMap.run(count: c.permutedLabelSeeds, jobs: jobs) { k in
            DigitsClassifier.permutedLabels(c, like: trained[0], split: split, index: k)
        }
        let testLabels = split.test.targets.scalars.map { Int($0) }
        let rows = Array(0..<c.evaluationExamples)
        let inputs = split.test.inputs.rows(rows)
        let labels = Array(testLabels.prefix(c.evaluationExamples))
        let attributionStream = RandomStream(seed: c.seed, path: ["attribution"])

        // The trained model's maps, and IG's completeness self-check.
        var trainedMaps: [[Double]] = []
        var relativeGap = Double.nan
        for method in c.methods {
            let explanation = try Self.estimator(method).explain(AttributionInput(model: trained[0].model, inputs: inputs, target: .perRow(labels)),
                                                              stream: attributionStream)
            trainedMaps.append(explanation.map?.values ?? [])
            if case .integratedGradients = method { relativeGap = explanation.diagnostics["completenessGap.relative"] ?? .nan }
        }
        let prepared = try trainedMaps.map { map in try c.measures.map { try $0.prepare(map, rows: labels.count) } }
        let setting = Setting(split: split, trained: trained, inputs: inputs, labels: labels, trainedMaps: trainedMaps,
                              prepared: prepared, attributionStream: attributionStream)
        let n = labels.count
        let measures = c.measures, methods = c.methods

        // Similarities of whole models (original, reference seeds, permuted labels): one unit each.
        @Sendable func similarities(to model: DigitsNetwork) -> Result<[[[Double]]], Error> {
            Result { try self.similarities(maps(model, setting), setting) }
        }
        let original = try similarities(to: trained[0]).get()
        let references = try ParallelMap.run(count: c.trainedSeeds - 1, jobs: jobs) { j in similarities(to: trained[j + 1]) }
            .map { try $0.get() }
        let permutedSimilarities = try ParallelMap.run(count: permuted.count, jobs: jobs) { k in similarities(to: permuted[k].model) }
            .map { try $0.get() }

        // Null seeds, chunk by chunk, reduced in seed order.
        let stages = nullStages
        func accumulators() -> [[SimilaritySummary.Accumulator]] {
            methods.map { _ in measures.map { _ in SimilaritySummary.Accumulator(rows: n) } }
        }
        var nullAccumulators = stages.map { _ in accumulators() }
        let kinds = FeatureRemovalCurve.Kind.allCases
        var nullAreaSeedMeans = kinds.map { _ in methods.map { _ in [Double]() } }
        var nullCurveSums = kinds.map { _ in methods.map { _ in [Double](repeating: 0, count: c.faithfulnessSteps + 1) } }
        let chunk = max(jobs * 4, 16)
        var done = 0
        while done < c.nullSeeds {
            let count = min(chunk, c.nullSeeds - done)
            let start = done
            let results = try ParallelMap.run(count: count, jobs: jobs) { i in
                Result { try self.nullSeed(start + i, setting) }
            }.map { try $0.get() }
            for result in results {
                for s in stages.indices {
                    for m in methods.indices { for q in measures.indices { nullAccumulators[s][m][q].add(result.similarities[s][m][q]) } }
                }
                for k in kinds.indices {
                    for m in methods.indices {
                        nullAreaSeedMeans[k][m].append(Descriptive.mean(result.areas[k][m]))
                        for p in nullCurveSums[k][m].indices { nullCurveSums[k][m][p] += result.curves[k][m][p] }
                    }
                }
            }
            done += count
            progress?(done, c.nullSeeds)
        }

        // Summaries, in report order.
        func bootstrap(_ path: StreamPath) throws -> Bootstrap {
            try Bootstrap(resamples: c.bootstrapResamples, seed: c.seed, path: path, workers: jobs)
        }
        func summarize(_ stage: RandomizationStage, _ seeds: [[[[Double]]]]) throws -> [SimilaritySummary] {
            var out: [SimilaritySummary] = []
            for (m, method) in methods.enumerated() {
                for (q, measure) in measures.enumerated() {
                    var a = SimilaritySummary.Accumulator(rows: n)
                    for seed in seeds { a.add(seed[m][q]) }
                    out.append(try a.summary(stage: stage, method: method.name, measure: measure.name,
                                             bootstrap: bootstrap(["bootstrap", "similarity", .label(stage.description),
                                                                   .label(method.name), .label(measure.name)]),
                                             kind: c.interval, level: c.level))
                }
            }
            return out
        }
        var summaries: [SimilaritySummary] = []
        for stage in RandomizationStage.all(layers: layers) {
            switch stage {
            case .original: summaries += try summarize(stage, [original])
            case .referenceSeed: summaries += try summarize(stage, references)
            case .permutedLabels where !permutedSimilarities.isEmpty: summaries += try summarize(stage, permutedSimilarities)
            case .permutedLabels: continue
            case .cascading, .independent:
                let s = stages.firstIndex(of: stage)!
                for (m, method) in methods.enumerated() {
                    for (q, measure) in measures.enumerated() {
                        summaries.append(try nullAccumulators[s][m][q].summary(
                            stage: stage, method: method.name, measure: measure.name,
                            bootstrap: bootstrap(["bootstrap", "similarity", .label(stage.description), .label(method.name), .label(measure.name)]),
                            kind: c.interval, level: c.level))
                    }
                }
            }
        }

        let sensitivity = try sensitivityTests(summaries, bootstrap: bootstrap)
        let faithfulness = try faithfulnessTests(setting, nullSeedMeans: nullAreaSeedMeans,
                                                 nullCurves: nullCurveSums.map { $0.map { $0.map { $0 / Double(c.nullSeeds) } } },
                                                 bootstrap: bootstrap)

        let provenance = SanityCheckResult.Provenance(
            seed: c.seed, packageVersion: AuditPlan.packageVersion,
            dataHash: FNV1a.hex(floats: digits.inputs.scalars + digits.targets.scalars),
            streams: [
                "split": "seed → data → split",
                "trained network s": "seed → trained → s → init (or training)",
                "cascading null k": "seed → null → cascading-top-down → k",
                "independent-layer null k": "seed → null → independent-layer-i → k",
                "permuted-labels network k": "seed → null → permuted-labels → k (→ init, labels or training)",
                "SmoothGrad noise": "seed → attribution → smoothgrad → row",
                "random deletion order": "seed → faithfulness → random-order → row",
                "bootstrap": "seed → bootstrap → similarity (or difference, faithfulness) → …",
            ],
            resampling: "\(c.interval == .bca ? "BCa" : c.interval.rawValue) bootstrap over evaluation inputs, B = \(c.bootstrapResamples), level \(c.level)",
            correction: "Holm across the \(sensitivity.count) sensitivity tests; Holm across the \(faithfulness.count) faithfulness tests")
        return SanityCheckResult(
            configuration: c, provenance: provenance, layers: layers, trainExamples: split.train.count,
            testExamples: split.test.count, evaluationExamples: n,
            trainedTestAccuracy: trained.map { DigitsClassifier.accuracy($0.model, inputs: split.test.inputs, labels: testLabels) },
            permutedLabelsMemorized: permuted.map(\.memorizedAccuracy),
            permutedLabelsTestAccuracy: permuted.map { DigitsClassifier.accuracy($0.model.model, inputs: split.test.inputs, labels: testLabels) },
            integratedGradientsRelativeGap: relativeGap, inputZeroFraction: Self.zeroFraction(inputs),
            absoluteRankTieFloor: Self.tieFloor(inputs), similarities: summaries, sensitivity: sensitivity,
            faithfulness: faithfulness)
    }

    // MARK: - Units

    /// The estimator of a method. Chunks of at most 2¹⁶ scalars per activation matrix (≈ 1,000
    /// stacked rows of the digits MLP) keep every buffer in the allocator's reused memory: with the
    /// default 2²² the study spent a third of its time in page faults, zeroing fresh 16 MB buffers.
    static func estimator(_ method: AttributionMethod) -> Attribution { Attribution(method, batchElementLimit: 1 << 16) }

    /// Every method's map of `model` on the evaluation inputs.
    func maps(_ model: DigitsNetwork, _ setting: Setting) throws -> [[Double]] {
        let input = try AttributionInput(model: model.model, inputs: setting.inputs, target: .perRow(setting.labels))
        return try configuration.methods.map { method in
            try Self.estimator(method).explain(input, stream: setting.attributionStream).map?.values ?? []
        }
    }

    /// `[method][measure]` → per-row similarity of `maps` to the trained model's maps.
    func similarities(_ maps: [[Double]], _ setting: Setting) throws -> [[[Double]]] {
        try maps.indices.map { m in
            try configuration.measures.indices.map { q in
                try configuration.measures[q].compare(setting.prepared[m][q], with: maps[m])
            }
        }
    }

    /// Null seed k: every cascading step and independent layer, and the faithfulness of the fully
    /// randomized model's maps.
    func nullSeed(_ k: Int, _ setting: Setting) throws -> NullSeed {
        let c = configuration
        let trained = setting.trained[0]
        let cascade = trained.cascade(stream: NullModels.stream(seed: c.seed, family: .cascadingTopDown, index: k))
        var similarities: [[[[Double]]]] = []
        var fullyRandomMaps: [[Double]] = []
        for stage in nullStages {
            let model: DigitsNetwork
            switch stage {
            case .cascading(let step): model = cascade[step - 1]
            case .independent(let layer):
                model = trained.independentLayer(layer, stream: NullModels.stream(seed: c.seed, family: .independentLayer(layer), index: k))
            case .original, .permutedLabels, .referenceSeed: continue
            }
            let maps = try self.maps(model, setting)
            if stage == .cascading(step: cascade.count) { fullyRandomMaps = maps }
            similarities.append(try self.similarities(maps, setting))
        }
        var areas: [[[Double]]] = [], curves: [[[Double]]] = []
        for kind in FeatureRemovalCurve.Kind.allCases {
            let results = fullyRandomMaps.map {
                FeatureRemovalCurve.evaluate(kind, model: trained.model, inputs: setting.inputs, targets: setting.labels, maps: $0,
                                             steps: c.faithfulnessSteps)
            }
            areas.append(results.map(\.areas))
            curves.append(results.map(\.meanCurve))
        }
        return NullSeed(similarities: similarities, areas: areas, curves: curves)
    }

    // MARK: - Tests

    /// One ``SensitivityTest`` per method × measure, Holm-adjusted together.
    func sensitivityTests(_ summaries: [SimilaritySummary], bootstrap: (StreamPath) throws -> Bootstrap) throws -> [SensitivityTest] {
        let c = configuration
        let full = RandomizationStage.cascading(step: c.layerCount)
        var tests: [SensitivityTest] = []
        for method in c.methods.map(\.name) {
            for measure in c.measures.map(\.name) {
                guard let reference = summaries.first(where: { $0.stage == .referenceSeed && $0.method == method && $0.measure == measure }),
                      let randomized = summaries.first(where: { $0.stage == full && $0.method == method && $0.measure == measure })
                else { continue }
                let observed = Descriptive.mean(reference.seedMeans.filter { !$0.isNaN })
                let null = randomized.seedMeans.filter { !$0.isNaN }
                let test = try Self.monteCarlo(observed, null, .greater)
                var differences: [Double] = []
                for (a, b) in zip(reference.perRow, randomized.perRow) where !a.isNaN && !b.isNaN { differences.append(a - b) }
                let (difference, interval) = try SimilaritySummary.meanAndInterval(
                    differences, bootstrap: bootstrap(["bootstrap", "difference", .label(method), .label(measure)]),
                    kind: c.interval, level: c.level)
                tests.append(SensitivityTest(method: method, measure: measure, reference: observed, randomized: Self.mean(null),
                                             test: test, adjustedPValue: .nan, difference: difference,
                                             differenceInterval: interval,
                                             standardizedDistance: Self.distance(observed, null), verdict: .inconclusive))
            }
        }
        let adjusted = try Self.holm(tests.map(\.test), alpha: c.alpha)
        for i in tests.indices {
            tests[i].adjustedPValue = adjusted[i]
            tests[i].verdict = SanityCheckVerdict.decide(adjusted: adjusted[i], alpha: c.alpha, tests: tests.count,
                                                         nullCount: c.nullSeeds,
                                                         largeEnough: tests[i].difference >= c.minimumEffect)
        }
        return tests
    }

    /// One ``FaithfulnessTest`` per method × curve kind, Holm-adjusted together.
    func faithfulnessTests(_ setting: Setting, nullSeedMeans: [[[Double]]], nullCurves: [[[Double]]],
                           bootstrap: (StreamPath) throws -> Bootstrap) throws -> [FaithfulnessTest] {
        let c = configuration
        let n = setting.labels.count, d = setting.inputs.shape[1]
        let orderStream = RandomStream(seed: c.seed, path: ["faithfulness", "random-order"])
        var randomMap = [Double](repeating: 0, count: n * d)
        for r in 0..<n {
            var s = orderStream.derived(index: r)
            for j in 0..<d { randomMap[r * d + j] = s.uniform() }
        }
        var tests: [FaithfulnessTest] = []
        for (k, kind) in FeatureRemovalCurve.Kind.allCases.enumerated() {
            let random = FeatureRemovalCurve.evaluate(kind, model: setting.trained[0].model, inputs: setting.inputs, targets: setting.labels,
                                                      maps: randomMap, steps: c.faithfulnessSteps)
            let (randomMean, randomInterval) = try SimilaritySummary.meanAndInterval(
                random.areas, bootstrap: bootstrap(["bootstrap", "faithfulness", .label(kind.rawValue), "random-order"]),
                kind: c.interval, level: c.level)
            for (m, method) in c.methods.enumerated() {
                let own = FeatureRemovalCurve.evaluate(kind, model: setting.trained[0].model, inputs: setting.inputs, targets: setting.labels,
                                                       maps: setting.trainedMaps[m], steps: c.faithfulnessSteps)
                let (mean, interval) = try SimilaritySummary.meanAndInterval(
                    own.areas, bootstrap: bootstrap(["bootstrap", "faithfulness", .label(kind.rawValue), .label(method.name)]),
                    kind: c.interval, level: c.level)
                let null = nullSeedMeans[k][m]
                let test = try Self.monteCarlo(mean, null, kind == .deletion ? .less : .greater)
                tests.append(FaithfulnessTest(method: method.name, kind: kind, trained: mean, trainedInterval: interval,
                                              randomized: Self.mean(null),
                                              randomizedQuantiles: null.isEmpty ? [.nan, .nan] : Quantile.quantiles(null, [0.025, 0.975]),
                                              randomOrder: randomMean, randomOrderInterval: randomInterval, test: test,
                                              adjustedPValue: .nan, standardizedDistance: Self.distance(mean, null),
                                              verdict: .inconclusive, trainedCurve: own.meanCurve,
                                              randomizedCurve: nullCurves[k][m], randomOrderCurve: random.meanCurve))
            }
        }
        let adjusted = try Self.holm(tests.map(\.test), alpha: c.alpha)
        for i in tests.indices {
            tests[i].adjustedPValue = adjusted[i]
            tests[i].verdict = SanityCheckVerdict.decide(adjusted: adjusted[i], alpha: c.alpha, tests: tests.count,
                                                         nullCount: c.nullSeeds, largeEnough: true)
        }
        return tests
    }

    /// The Monte Carlo p-value, or nil when the observed value or every null draw is undefined.
    static func monteCarlo(_ observed: Double, _ null: [Double], _ alternative: Alternative) throws -> MonteCarloPValue? {
        guard observed.isFinite, !null.isEmpty else { return nil }
        return try MonteCarloTest.pValue(observed: observed, null: null, alternative: alternative)
    }

    /// Holm-adjusted p-values; an undetermined test counts as p = 1.
    static func holm(_ tests: [MonteCarloPValue?], alpha: Double) throws -> [Double] {
        tests.isEmpty ? [] : try MultipleTesting.adjust(tests.map { $0?.pValue ?? 1 }, method: .holm, alpha: alpha).adjusted
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

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : Descriptive.mean(x) }

    /// z = (T − mean(null)) / sd(null); NaN when undefined (fewer than two draws, a constant null).
    static func distance(_ observed: Double, _ null: [Double]) -> Double {
        (try? EffectSize.standardizedDistance(observed, from: null)) ?? .nan
    }
}
