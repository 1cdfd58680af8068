import SalmonDiagnostics
import Foundation
import SalmonMethods
import SalmonTasks

/// An identifiability audit, as written in YAML (`kind: identifiability`): train K_t networks of
/// each width on a Boolean gate (optionally also the same initializations on bootstrap resamples of
/// the training rows), enumerate every circuit of each converged network, and test claims about
/// how many circuits explain a network perfectly and how those circuits agree across seeds
/// (Méloux et al., "Everything, everywhere, all at once: is mechanistic interpretability
/// identifiable?", ICLR 2025).
///
/// ```yaml
/// version: 1
/// kind: identifiability
/// name: xor-circuits
/// seed: 1
/// gate: xor                    # and, or, xor, nand, nor, xnor
/// widths: [2, 3]               # hidden width w: layer sizes [2, w, w, 1] (depth hidden layers)
/// training: {seeds: 50, resamples: 0, maxEpochs: 20000}
/// circuits: {threshold: 0.99, overlap: minimal}
/// claims:
///   - {name: not-unique, expect: not-identifiable, tolerance: 0.05}
/// ```
///
/// Every section rejects unknown keys (naming the nearest valid one) and ``validate()`` checks
/// every range, so a bad spec fails before any network is trained. Defaults reproduce the paper's
/// recipe: LeakyReLU(0.01) after every layer, MSE, AdamW (lr 10⁻³), batch 100, trained until the
/// loss is below 0.01, each input repeated 50 times, perfect above 99 % of the rows.
public struct IdentifiabilitySpec: Sendable, Codable, Equatable {
    public var version: Int
    /// Always `identifiability` (the key that routes the spec here).
    public var kind: String
    public var name: String
    /// The master seed every stream derives from.
    public var seed: UInt64
    public var gate: BooleanGate
    /// Hidden widths; each is audited separately with layer sizes [2, w × depth, 1].
    public var widths: [Int]
    /// Hidden layers per network.
    public var depth: Int
    public var training: IdentifiabilityTrainingSpec
    public var circuits: CircuitSearchSpec
    public var resampling: IdentifiabilityResamplingSpec
    /// The error rate of every claim's verdict (one-sided; see ``IdentifiabilityVerdictRule``).
    public var alpha: Double
    public var claims: [IdentifiabilityClaimSpec]
    /// Null networks to compare the trained ones with (nil: none).
    public var null: IdentifiabilityNullSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, kind, name, seed, gate, widths, depth, training, circuits, resampling, alpha, claims, null
    }

    /// The widest hidden layer an audit enumerates: [2, 5, 5, 1] has 1.25 × 10⁹ candidate circuits
    /// (about 30 s per network on 2 cores) and 5!² = 14,400 relabelings to align.
    public static let maximumWidth = 5

    public init(name: String, seed: UInt64 = 1, gate: BooleanGate = .xor, widths: [Int], depth: Int = 2,
                training: IdentifiabilityTrainingSpec = IdentifiabilityTrainingSpec(), circuits: CircuitSearchSpec = CircuitSearchSpec(),
                resampling: IdentifiabilityResamplingSpec = IdentifiabilityResamplingSpec(), alpha: Double = 0.05,
                claims: [IdentifiabilityClaimSpec], null: IdentifiabilityNullSpec? = nil) {
        self.version = 1; self.kind = "identifiability"; self.name = name; self.seed = seed; self.gate = gate
        self.widths = widths; self.depth = depth; self.training = training; self.circuits = circuits
        self.resampling = resampling; self.alpha = alpha; self.claims = claims; self.null = null
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        kind = try c.decode(String.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1
        let gateName = try c.decodeIfPresent(String.self, forKey: .gate) ?? "xor"
        guard let g = BooleanGate(rawValue: gateName) else {
            let names = BooleanGate.allCases.map(\.rawValue)
            var m = "unknown gate '\(gateName)'"
            if let s = nearestName(to: gateName, in: names) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: "gate", m + " (allowed: \(names.joined(separator: ", ")))")
        }
        gate = g
        widths = try c.decode([Int].self, forKey: .widths)
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? 2
        training = try c.decodeIfPresent(IdentifiabilityTrainingSpec.self, forKey: .training) ?? IdentifiabilityTrainingSpec()
        circuits = try c.decodeIfPresent(CircuitSearchSpec.self, forKey: .circuits) ?? CircuitSearchSpec()
        resampling = try c.decodeIfPresent(IdentifiabilityResamplingSpec.self, forKey: .resampling) ?? IdentifiabilityResamplingSpec()
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 0.05
        claims = try c.decode([IdentifiabilityClaimSpec].self, forKey: .claims)
        null = try c.decodeIfPresent(IdentifiabilityNullSpec.self, forKey: .null)
    }

    /// Layer sizes of the networks of hidden width `width`.
    public func sizes(width: Int) -> [Int] { [2] + Array(repeating: width, count: depth) + [1] }

    /// Checks ranges and cross-field rules that decoding cannot.
    public func validate() throws {
        guard version == 1 else { throw SpecError(field: "version", "expected 1, found \(version)") }
        guard kind == "identifiability" else { throw SpecError(field: "kind", "expected 'identifiability', found '\(kind)'") }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw SpecError(field: "name", "expected a name of letters, digits, '-', '_' or '.', found '\(name)'")
        }
        guard !widths.isEmpty else { throw SpecError(field: "widths", "expected at least one hidden width") }
        guard widths.allSatisfy({ (1...Self.maximumWidth).contains($0) }) else {
            throw SpecError(field: "widths", "expected widths from 1 to \(Self.maximumWidth) (every circuit is enumerated), found \(widths)")
        }
        guard Set(widths).count == widths.count else { throw SpecError(field: "widths", "expected distinct widths, found \(widths)") }
        guard (1...2).contains(depth) else {
            throw SpecError(field: "depth", "expected 1 or 2 hidden layers (the paper's networks; enumeration and alignment grow as the product over layers), found \(depth)")
        }
        guard alpha.isFinite, alpha > 0, alpha < 0.5 else {
            throw SpecError(field: "alpha", "expected a level strictly between 0 and 0.5 (one-sided), found \(alpha)")
        }
        try training.validate()
        for (i, w) in (training.seedsPerWidth ?? []).enumerated() where !widths.contains(w.width) {
            throw SpecError(field: "training.seedsPerWidth[\(i)].width", "expected one of the audit's widths \(widths), found \(w.width)")
        }
        try circuits.validate()
        try resampling.validate()
        try null?.validate()
        guard !claims.isEmpty else { throw SpecError(field: "claims", "expected at least one claim") }
        var names = Set<String>()
        for (i, claim) in claims.enumerated() {
            try claim.validate(field: "claims[\(i)]", widths: widths, resamples: training.resamples, circuits: circuits, null: null)
            guard names.insert(claim.name).inserted else { throw SpecError(field: "claims[\(i)].name", "duplicate claim name '\(claim.name)'") }
        }
    }
}

/// How the networks are trained: the paper's recipe by default.
public struct IdentifiabilityTrainingSpec: Sendable, Codable, Equatable {
    /// K_t: networks per width, each from its own initialization seed.
    public var seeds: Int
    /// Per seed: R more networks with the same initialization and minibatch order, each trained on
    /// a bootstrap resample of the training rows (0: none).
    public var resamples: Int
    /// Each of the four gate inputs is repeated this many times (training and validation rows).
    public var repeats: Int
    public var maxEpochs: Int
    public var learningRate: Double
    public var batchSize: Int
    /// Training stops once the loss over the training rows is below this; a network that never
    /// gets there has not converged.
    public var lossTarget: Double
    /// K_t for particular widths, overriding `seeds` (`[{width: 5, seeds: 5}]`: a width-5 network
    /// has 1.25 × 10⁹ candidate circuits to enumerate).
    public var seedsPerWidth: [WidthSeeds]?

    /// The seed count of one width.
    public struct WidthSeeds: Sendable, Codable, Equatable {
        public var width: Int
        public var seeds: Int

        enum CodingKeys: String, CodingKey, CaseIterable { case width, seeds }

        public init(width: Int, seeds: Int) { self.width = width; self.seeds = seeds }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            width = try c.decode(Int.self, forKey: .width)
            seeds = try c.decode(Int.self, forKey: .seeds)
        }
    }

    /// K_t at `width`: its override, else `seeds`.
    public func seeds(width: Int) -> Int { seedsPerWidth?.last { $0.width == width }?.seeds ?? seeds }

    enum CodingKeys: String, CodingKey, CaseIterable { case seeds, resamples, repeats, maxEpochs, learningRate, batchSize, lossTarget, seedsPerWidth }

    public init(seeds: Int = 50, resamples: Int = 0, repeats: Int = 50, maxEpochs: Int = 20_000, learningRate: Double = 1e-3,
                batchSize: Int = 100, lossTarget: Double = 0.01) {
        self.seeds = seeds; self.resamples = resamples; self.repeats = repeats; self.maxEpochs = maxEpochs
        self.learningRate = learningRate; self.batchSize = batchSize; self.lossTarget = lossTarget
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = IdentifiabilityTrainingSpec()
        seeds = try c.decodeIfPresent(Int.self, forKey: .seeds) ?? d.seeds
        resamples = try c.decodeIfPresent(Int.self, forKey: .resamples) ?? d.resamples
        repeats = try c.decodeIfPresent(Int.self, forKey: .repeats) ?? d.repeats
        maxEpochs = try c.decodeIfPresent(Int.self, forKey: .maxEpochs) ?? d.maxEpochs
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        lossTarget = try c.decodeIfPresent(Double.self, forKey: .lossTarget) ?? d.lossTarget
        seedsPerWidth = try c.decodeIfPresent([WidthSeeds].self, forKey: .seedsPerWidth)
    }

    func validate() throws {
        guard (1...10_000).contains(seeds) else { throw SpecError(field: "training.seeds", "expected 1 ≤ K_t ≤ 10,000 seeds per width, found \(seeds)") }
        guard (0...1_000).contains(resamples) else { throw SpecError(field: "training.resamples", "expected 0 … 1,000 resamples per seed, found \(resamples)") }
        guard (1...100_000).contains(repeats) else { throw SpecError(field: "training.repeats", "expected 1 … 100,000, found \(repeats)") }
        guard (1...10_000_000).contains(maxEpochs) else { throw SpecError(field: "training.maxEpochs", "expected 1 … 10,000,000, found \(maxEpochs)") }
        guard learningRate.isFinite && learningRate > 0 else { throw SpecError(field: "training.learningRate", "expected a positive number, found \(learningRate)") }
        guard batchSize >= 1 else { throw SpecError(field: "training.batchSize", "expected ≥ 1, found \(batchSize)") }
        guard lossTarget.isFinite && lossTarget > 0 else { throw SpecError(field: "training.lossTarget", "expected a positive number, found \(lossTarget)") }
        for (i, w) in (seedsPerWidth ?? []).enumerated() {
            guard (1...10_000).contains(w.seeds) else {
                throw SpecError(field: "training.seedsPerWidth[\(i)].seeds", "expected 1 ≤ K_t ≤ 10,000 seeds, found \(w.seeds)")
            }
        }
        if let widths = seedsPerWidth?.map(\.width), Set(widths).count != widths.count {
            throw SpecError(field: "training.seedsPerWidth", "expected each width once, found \(widths)")
        }
    }
}

/// The null networks an identifiability audit compares its trained networks with.
///
/// `permuted-labels`: per width, `seeds` networks trained by the same recipe on the gate's outputs
/// permuted across its four inputs (one uniform permutation per network, drawn again while it is
/// the gate or its complement; ``GateNetworkTraining``) — networks that learned a task with the
/// same label balance but none of the gate's structure, so
/// "are explanations of XOR networks more (or less) identifiable than chance structure?" is a
/// two-sample question over networks. Random-initialization networks are no null here: they do not
/// compute the gate, so they have no perfect circuit to interpret.
public struct IdentifiabilityNullSpec: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case permutedLabels = "permuted-labels"
    }
    public var kind: Kind
    /// Null networks per width.
    public var seeds: Int
    /// Label arrangements of the permutation test (``PermutationTest``; exact when the samples
    /// have no more arrangements than this).
    public var resamples: Int

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, seeds, resamples }

    public init(kind: Kind = .permutedLabels, seeds: Int, resamples: Int = 9999) {
        self.kind = kind; self.seeds = seeds; self.resamples = resamples
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let k = try c.decodeIfPresent(String.self, forKey: .kind) ?? Kind.permutedLabels.rawValue
        guard let parsed = Kind(rawValue: k) else {
            let names = Kind.allCases.map(\.rawValue)
            var m = "unknown null '\(k)'"
            if let s = nearestName(to: k, in: names) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: "null.kind", m + " (allowed: \(names.joined(separator: ", ")))")
        }
        kind = parsed
        seeds = try c.decode(Int.self, forKey: .seeds)
        resamples = try c.decodeIfPresent(Int.self, forKey: .resamples) ?? 9999
    }

    func validate() throws {
        guard (2...10_000).contains(seeds) else { throw SpecError(field: "null.seeds", "expected 2 … 10,000 null networks per width, found \(seeds)") }
        guard (99...1_000_000).contains(resamples) else {
            throw SpecError(field: "null.resamples", "expected 99 … 1,000,000 arrangements, found \(resamples)")
        }
    }
}

/// Which circuits count and which are compared across networks.
public struct CircuitSearchSpec: Sendable, Codable, Equatable {
    /// A circuit is perfect when more than this fraction of the validation rows is right.
    public var threshold: Double
    /// The circuits compared across networks: `minimal` (perfect circuits containing no other
    /// perfect circuit, the default) or `perfect` (all of them).
    public var overlap: OverlapCircuits
    /// At most this many circuits per network enter the cross-network comparison; beyond it a
    /// seeded uniform sample of this many (recorded in the result).
    public var maxOverlapCircuits: Int
    /// Whether every converged network's perfect circuits are also grounded (Méloux et al.'s
    /// interpretations: ``CircuitGroundings``, ``GroundingStatistics``).
    public var groundings: Bool
    /// At most this many perfect circuits per network are grounded: a uniform sample of this many
    /// (bottom-k by a seeded hash, ``CircuitEnumerator/sample``) when a network has more.
    public var groundingSample: Int
    /// Whether every converged network is also read the what-then-where way: the gate's candidate
    /// formulas and their minimal mappings onto hidden units (``WhatThenWhereCensus``).
    public var whatThenWhere: Bool

    /// The default grounding sample: every circuit of a width-3 network (at most a few hundred),
    /// 2,000 of a width-4 (10⁴–10⁵) or width-5 (10⁷) network.
    public static let defaultGroundingSample = 2000

    /// Minimal circuits by default: a pruning search (ACDC and the like) stops at a minimal
    /// circuit, every perfect circuit contains one, and comparing every perfect superset would let
    /// near-complete circuits, which overlap any two networks heavily, dominate the figure.
    public enum OverlapCircuits: String, Sendable, Codable, CaseIterable { case minimal, perfect }

    enum CodingKeys: String, CodingKey, CaseIterable { case threshold, overlap, maxOverlapCircuits, groundings, groundingSample, whatThenWhere }

    public init(threshold: Double = 0.99, overlap: OverlapCircuits = .minimal, maxOverlapCircuits: Int = 500,
                groundings: Bool = false, groundingSample: Int = defaultGroundingSample, whatThenWhere: Bool = false) {
        self.threshold = threshold; self.overlap = overlap; self.maxOverlapCircuits = maxOverlapCircuits
        self.groundings = groundings; self.groundingSample = groundingSample; self.whatThenWhere = whatThenWhere
    }

    /// The grounding and what-then-where keys are written only when on, so that a spec without them
    /// keeps its canonical JSON, and its hash, from before they existed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(overlap, forKey: .overlap)
        try c.encode(maxOverlapCircuits, forKey: .maxOverlapCircuits)
        if groundings {
            try c.encode(groundings, forKey: .groundings)
            try c.encode(groundingSample, forKey: .groundingSample)
        }
        if whatThenWhere { try c.encode(whatThenWhere, forKey: .whatThenWhere) }
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? 0.99
        let o = try c.decodeIfPresent(String.self, forKey: .overlap) ?? "minimal"
        guard let kind = OverlapCircuits(rawValue: o) else {
            throw SpecError(field: "circuits.overlap", "expected 'minimal' or 'perfect', found '\(o)'")
        }
        overlap = kind
        maxOverlapCircuits = try c.decodeIfPresent(Int.self, forKey: .maxOverlapCircuits) ?? 500
        groundings = try c.decodeIfPresent(Bool.self, forKey: .groundings) ?? false
        let sample = try c.decodeIfPresent(Int.self, forKey: .groundingSample)
        if sample != nil && !groundings {
            throw SpecError(field: "circuits.groundingSample", "goes with 'groundings: true'")
        }
        groundingSample = sample ?? Self.defaultGroundingSample
        whatThenWhere = try c.decodeIfPresent(Bool.self, forKey: .whatThenWhere) ?? false
    }

    func validate() throws {
        guard threshold.isFinite, threshold >= 0, threshold < 1 else {
            throw SpecError(field: "circuits.threshold", "expected a fraction in [0, 1), found \(threshold)")
        }
        guard (1...100_000).contains(maxOverlapCircuits) else {
            throw SpecError(field: "circuits.maxOverlapCircuits", "expected 1 … 100,000, found \(maxOverlapCircuits)")
        }
        guard (1...100_000).contains(groundingSample) else {
            throw SpecError(field: "circuits.groundingSample", "expected 1 … 100,000 circuits, found \(groundingSample)")
        }
    }
}

/// The bootstrap behind the descriptive intervals (means over seeds, overlaps over seed pairs).
public struct IdentifiabilityResamplingSpec: Sendable, Codable, Equatable {
    public var bootstrap: Int
    /// The level of the intervals in the summary (claims use 1 − 2α; see ``IdentifiabilityVerdictRule``).
    public var level: Double

    enum CodingKeys: String, CodingKey, CaseIterable { case bootstrap, level }

    public init(bootstrap: Int = 2000, level: Double = 0.95) { self.bootstrap = bootstrap; self.level = level }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bootstrap = try c.decodeIfPresent(Int.self, forKey: .bootstrap) ?? 2000
        level = try c.decodeIfPresent(Double.self, forKey: .level) ?? 0.95
    }

    func validate() throws {
        guard (100...10_000_000).contains(bootstrap) else { throw SpecError(field: "resampling.bootstrap", "expected 100 … 10,000,000 resamples, found \(bootstrap)") }
        guard level.isFinite, level > 0, level < 1 else { throw SpecError(field: "resampling.level", "expected a level strictly between 0 and 1, found \(level)") }
    }
}
