import SalmonDiagnostics
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
    /// Run even when some test cannot reach α at its K after the correction
    /// (``AuditPowerPlan``); `salmon audit` refuses such a spec otherwise.
    public var allowUnderpowered = false

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, kind, name, seed, model, sites, claims, nulls, resampling, alpha, correction, gate, allowUnderpowered
    }

    /// A spec built in code (a command's generated audit), with the defaults a YAML spec gets;
    /// call ``validate()`` before running it, as loading does.
    public init(name: String, seed: UInt64, model: ModelSpec, claims: [ClaimSpec], nulls: [NullSpec],
                resampling: ResamplingSpec = ResamplingSpec(), alpha: Double = 0.05, correction: MultipleTestingMethod = .holm,
                gate: GateSpec = GateSpec()) {
        version = 1
        self.name = name
        self.seed = seed
        self.model = model
        self.claims = claims
        self.nulls = nulls
        self.resampling = resampling
        self.alpha = alpha
        self.correction = correction
        self.gate = gate
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
        allowUnderpowered = try c.decodeIfPresent(Bool.self, forKey: .allowUnderpowered) ?? false
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
        // Written only when set, so that a spec without it keeps its canonical JSON and hash.
        if allowUnderpowered { try c.encode(allowUnderpowered, forKey: .allowUnderpowered) }
    }

    /// Checks ranges and cross-field rules that decoding cannot.
    public func validate() throws {
        guard version == 1 else { throw SpecError(field: "version", "expected 1, found \(version)") }
        guard alpha > 0 && alpha < 1 else { throw SpecError(field: "alpha", "expected a level strictly between 0 and 1, found \(alpha)") }
        guard !claims.isEmpty else { throw SpecError(field: "claims", "expected at least one claim") }
        guard !nulls.isEmpty else { throw SpecError(field: "nulls", "expected at least one null family") }
        try model.validate()
        if let sites, sites.isEmpty { throw SpecError(field: "sites", "expected at least one site") }
        if model.task != nil && model.transformer == nil && model.convolutions == nil && model.hidden.isEmpty && sites == nil
            && claims.contains(where: { $0.sites == nil }) {
            throw SpecError(field: "model.hidden", "an MLP without hidden layers has no default sites; give hidden widths or sites")
        }
        var names = Set<String>()
        let capabilities = SubjectCapabilities(model)
        for (i, claim) in claims.enumerated() {
            let field = "claims[\(i)]"
            try claim.validate(field: field)
            guard names.insert(claim.name).inserted else { throw SpecError(field: field + ".name", "duplicate claim name '\(claim.name)'") }
            for requirement in claim.requirements.sorted(by: { ($0.field, $0.phrase) < ($1.field, $1.phrase) }) where !capabilities.meets(requirement) {
                throw SpecError(field: field + "." + requirement.field,
                                capabilities.message(requirement, method: claim.method.name, statistic: claim.statistic))
            }
            if let files = model.activations {
                let names = files.siteNames
                for site in AuditPlan.sites(for: claim, in: self) where !names.contains(site) {
                    var message = "unknown site '\(site)'"
                    if let near = nearestName(to: site, in: names) { message += "; did you mean '\(near)'?" }
                    throw SpecError(field: claim.sites == nil ? "sites" : field + ".sites",
                                    message + " (the activation files give \(names.joined(separator: ", ")))")
                }
                for site in claim.family.readSites(of: claim) where !names.contains(site) {
                    throw SpecError(field: field + ".method.reads", "unknown site '\(site)' (the activation files give \(names.joined(separator: ", ")))")
                }
            }
            if claim.family.siteRole == .measurement && claim.sites == nil && sites == nil && model.stateDict != nil {
                throw SpecError(field: field + ".sites", "a model loaded from a state dict needs sites (top-level 'sites' or per claim)")
            }
            try claim.family.validate(claim, in: self, field: field)
        }
        var families = Set<String>()
        for (i, null) in nulls.enumerated() {
            guard null.K >= 1 else { throw SpecError(field: "nulls[\(i)].K", "expected K ≥ 1 null models, found \(null.K)") }
            guard null.K <= 1_000_000 else { throw SpecError(field: "nulls[\(i)].K", "expected at most 1,000,000 null models, found \(null.K)") }
            let trainedSeeds = AuditPlan.trainedSeeds(self)
            guard null.K >= trainedSeeds else {
                throw SpecError(field: "nulls[\(i)].K", "expected K ≥ K_t = \(trainedSeeds) (each null draw averages K_t null models), found \(null.K)")
            }
            if let sequential = null.sequential {
                let draws = null.K / trainedSeeds
                // h above the most draws is the same design as h = the most draws (no early acceptance).
                guard (1...1_000_000).contains(sequential.exceedances) else {
                    throw SpecError(field: "nulls[\(i)].K.exceedances", "expected 1 ≤ h ≤ 1,000,000 null draws reaching the estimate, found \(sequential.exceedances)")
                }
                if let r = sequential.rejectionDraws, !(r >= 1 && r < draws) {
                    throw SpecError(field: "nulls[\(i)].K.rejectionDraws", draws >= 2 ? "expected 1 ≤ r < \(draws), the most null draws (K / K_t), found \(r)"
                                                                                   : "no early rejection: K / K_t = \(draws) null draw leaves none before the maximum, found \(r)")
                }
                if case .list = model.maps?.nulls {
                    throw SpecError(field: "nulls[\(i)].K.sequential", "null map files are all given; there is nothing to draw sequentially")
                }
                if null.family == NullSpec.Family.supplied.rawValue, let count = model.activations?.listedNullCount, count > 0 {
                    throw SpecError(field: "nulls[\(i)].K.sequential", "null activation files are all given; there is nothing to draw sequentially")
                }
            }
            guard families.insert(null.family).inserted else { throw SpecError(field: "nulls[\(i)].family", "duplicate family '\(null.family)'") }
            guard NullSpec.families.contains(null.family) else {
                var message = "unknown null family '\(null.family)'"
                if let s = nearestName(to: null.family, in: NullSpec.families) { message += "; did you mean '\(s)'?" }
                throw SpecError(field: "nulls[\(i)].family", message + " (allowed: \(NullSpec.families.joined(separator: ", ")))")
            }
            if let family = NullSpec.Family(rawValue: null.family), family.keepsTrainedNetwork {
                if model.maps != nil {
                    throw SpecError(field: "nulls[\(i)].family", "'\(null.family)' reads the trained model's activations, which map files do not have")
                }
                if family.isEstimatorLevel, !claims.contains(where: { $0.family.estimatorNulls(of: $0).contains(null.family) }) {
                    let offering = ClaimFamilies.registered.filter { $0.estimatorNulls.contains(null.family) }.flatMap(\.methods)
                    throw SpecError(field: "nulls[\(i)].family", "'\(null.family)' is a null of the method, offered by \(offering.joined(separator: ", ")); no claim here uses one")
                }
                if !family.isEstimatorLevel, !claims.contains(where: { $0.requirements.contains(.activations) }) {
                    throw SpecError(field: "nulls[\(i)].family", "'\(null.family)' draws at the activations, and no claim here reads activations")
                }
            } else if (null.family == "supplied") != (model.activations != nil || model.maps != nil) {
                throw SpecError(field: "nulls[\(i)].family", model.activations != nil || model.maps != nil
                    ? "\(model.maps != nil ? "map" : "activation") files come with the family 'supplied' only" : "'supplied' needs model.activations or model.maps")
            }
            if case .list(let l) = model.maps?.nulls, null.K != l.count {
                throw SpecError(field: "nulls[\(i)].K", "expected K = \(l.count), the number of null map files, found \(null.K)")
            }
            if null.family == NullSpec.Family.supplied.rawValue, let count = model.activations?.listedNullCount, count > 0, null.K != count {
                throw SpecError(field: "nulls[\(i)].K", "expected K = \(count), the number of null activation files, found \(null.K)")
            }
            if let epochs = null.epochs {
                guard null.family == NullSpec.Family.permutedLabels.rawValue else {
                    throw SpecError(field: "nulls[\(i)].epochs", "only permuted-labels retrains networks; '\(null.family)' takes family and K")
                }
                guard (1...100_000).contains(epochs) else {
                    throw SpecError(field: "nulls[\(i)].epochs", "expected 1 … 100,000 epochs, found \(epochs)")
                }
            }
            if null.family == NullSpec.Family.momentRedrawExceptEmbeddings.rawValue && (model.activations != nil || model.maps != nil || (model.task != nil && model.transformer == nil)) {
                throw SpecError(field: "nulls[\(i)].family", "'\(null.family)' keeps a transformer's embeddings; " + (model.task.map { "the built-in task '\($0)' trains an MLP or CNN, which has none (use moment-redraw)" }
                                    ?? "\(model.maps != nil ? "map" : "activation") files have no network to redraw"))
            }
            if null.family == NullSpec.Family.permutedLabels.rawValue && model.isFileModel && model.trainingInputs == nil {
                throw SpecError(field: "nulls[\(i)].family", model.activations != nil
                    ? "permuted-labels retrains the network, which activation files do not have"
                    : "permuted-labels retrains the network on permuted training labels: give model.trainingInputs and model.trainingLabels (and model.training, the recipe)")
            }
        }
        if let files = model.activations {
            let hasNullFiles = files.listedNullCount != 0
            let supplied = families.contains(NullSpec.Family.supplied.rawValue)
            if supplied && !hasNullFiles {
                throw SpecError(field: files.sites == nil ? "model.activations.nulls" : "model.activations.sites",
                                "the family 'supplied' needs the null models' activation files (a list or a glob)")
            }
            if hasNullFiles && !supplied {
                throw SpecError(field: "nulls", "the null activation files are the family 'supplied'; add {family: supplied, K: …}")
            }
        }
        try resampling.validate()
        if let r = resampling.methodSeeds, r > 1, !claims.contains(where: { $0.family.isRandom($0) }) {
            throw SpecError(field: "resampling.methodSeeds", "no claim's method is random (probe folds, SmoothGrad noise): \(r) runs would give the same value; remove methodSeeds")
        }
        guard alpha.isFinite else { throw SpecError(field: "alpha", "expected a finite level") }
        guard gate.minimumEffect.isFinite && gate.minimumEffect >= 0 else {
            throw SpecError(field: "gate.minimumEffect", "expected a finite number ≥ 0, found \(gate.minimumEffect)")
        }
    }
}

/// A null family and its size K.
public struct NullSpec: Sendable, Codable, Equatable {
    public var family: String
    public var K: Int
    /// `permuted-labels` only: the epochs each network is retrained for on its permuted labels
    /// (memorizing random labels takes longer than learning true ones; Adebayo et al. train until
    /// the permuted labels are fit). Absent: `model.training.epochs`, the trained networks' recipe.
    public var epochs: Int?
    /// Drawn sequentially, `K` being the most null models (``SequentialDrawing``); nil for a fixed K.
    public var sequential: SequentialDrawing?

    /// The families a spec can name.
    public enum Family: String, CaseIterable, Sendable {
        case randomInit = "random-init"
        case cascadingTopDown = "cascading-top-down"
        case cascadingBottomUp = "cascading-bottom-up"
        case independentLayer = "independent-layer"
        case withinLayerPermutation = "within-layer-permutation"
        case momentRedraw = "moment-redraw"
        /// A transformer's moment redraw with its trained token and position embeddings kept
        /// (Heap et al. 2025's "excl. embeddings").
        case momentRedrawExceptEmbeddings = "moment-redraw-except-embeddings"
        case permutedLabels = "permuted-labels"
        /// Null models supplied as activation files.
        case supplied
        /// Activations drawn from a Gaussian with the mean and covariance of the trained
        /// network's activations at the site (``ActivationLevelNull``).
        case gaussianActivations = "gaussian-activations"
        /// The trained network's activations, read by a method whose decoder is frozen at its
        /// random initialization (an estimator-level null; Korznikov et al. 2026).
        case frozenDecoder = "frozen-decoder"
        /// The trained network's activations, read by a method whose encoder is frozen at its
        /// random initialization (an estimator-level null; Korznikov et al. 2026).
        case frozenEncoder = "frozen-encoder"
        /// The trained network, with a neuron ablation's units drawn uniformly at random from the
        /// layer instead of chosen by its score (an estimator-level null).
        case randomUnits = "random-units"
        /// The trained network, with a discovered circuit replaced by circuits of the same size
        /// whose components are drawn at random (an estimator-level null; Shi et al. 2024).
        case randomCircuits = "random-circuits"
        /// The trained network, with a discovered circuit inflated by one component drawn at
        /// random from outside it, the draw its drop (an estimator-level null: Shi et al. 2024's
        /// minimality reference).
        case inflatedCircuits = "inflated-circuits"
        /// The trained network, the circuit-versus-model comparison of equivalence redrawn at the
        /// boundary of its null, P(circuit better) = ½ + ε (an estimator-level null: Shi et al.
        /// 2024's equivalence test, in its Monte Carlo form).
        case equivalenceMargin = "equivalence-margin"
        /// The trained network, the scores of its circuit's complement permuted across examples
        /// (an estimator-level null: Shi et al. 2024's independence test).
        case permutedComplement = "permuted-complement"
        /// The trained network, read through an alignment map left at its random initialization
        /// instead of trained (an estimator-level null for interchange interventions).
        case untrainedMap = "untrained-map"

        /// Whether the family keeps the trained network and draws its nulls at the activations or
        /// in the method (``ActivationLevelNull``): null k reads trained network k mod K_t.
        public var keepsTrainedNetwork: Bool { self == .gaussianActivations || isEstimatorLevel }

        /// Whether the family varies the method rather than the model: only the claim families
        /// that offer it (``ClaimFamily/estimatorNulls``) are tested against it.
        public var isEstimatorLevel: Bool {
            switch self {
            case .frozenDecoder, .frozenEncoder, .randomUnits, .randomCircuits, .inflatedCircuits, .equivalenceMargin, .permutedComplement, .untrainedMap: true
            default: false
            }
        }
    }

    public static let families = Family.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable { case family, K, epochs }

    public init(family: String, K: Int, epochs: Int? = nil, sequential: SequentialDrawing? = nil) {
        self.family = family
        self.K = K
        self.epochs = epochs
        self.sequential = sequential
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(String.self, forKey: .family)
        let count = try c.decode(NullCount.self, forKey: .K)
        K = count.K
        sequential = count.sequential
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family)
        try c.encode(NullCount(K: K, sequential: sequential), forKey: .K)
        try c.encodeIfPresent(epochs, forKey: .epochs)
    }

    /// The training recipe of a network retrained for this family: `training` with this family's
    /// `epochs` when given.
    public func retrainingPlan(_ training: TrainingSpec) -> TrainingSpec {
        var plan = training
        if let epochs { plan.epochs = epochs }
        return plan
    }
}

/// The bootstrap over evaluation inputs (and over seeds when K_t > 1).
public struct ResamplingSpec: Sendable, Codable, Equatable {
    public var bootstrap: Int
    public var interval: BootstrapInterval
    public var level: Double
    /// R, the independent runs of a random method (``ClaimFamily/isRandom(_:)``) on every model:
    /// each model's value is the mean of R runs (`seed → "method" → claim → site`, then
    /// `… → "method-seed" → r` for r ≥ 1), for trained and null models alike, and the trained
    /// interval is two-level over method seeds × inputs (with K_t > 1 trained seeds, two-level over
    /// trained seeds × inputs on scores averaged over the runs: the method seeds are then held fixed,
    /// as the interval's description says). Absent: 1, the method's own randomness held fixed
    /// (common random numbers across models) and not in the interval.
    public var methodSeeds: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case bootstrap, interval, level, methodSeeds }

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
        methodSeeds = try c.decodeIfPresent(Int.self, forKey: .methodSeeds)
    }

    func validate() throws {
        guard bootstrap >= 100 && bootstrap <= 10_000_000 else { throw SpecError(field: "resampling.bootstrap", "expected 100 … 10,000,000 resamples, found \(bootstrap)") }
        guard level > 0 && level < 1 else { throw SpecError(field: "resampling.level", "expected a level strictly between 0 and 1, found \(level)") }
        if let r = methodSeeds, !(1...1000).contains(r) {
            throw SpecError(field: "resampling.methodSeeds", "expected 1 … 1000 runs of a random method per model, found \(r)")
        }
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
