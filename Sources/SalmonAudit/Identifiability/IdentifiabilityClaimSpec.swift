import SalmonStatistics
import SalmonDiagnostics
/// One claim of an identifiability audit: a statistic of the trained networks is at most (or at
/// least) a threshold, at every width the claim names.
///
/// Two shorthands say what identifiability means (Méloux et al., ICLR 2025: a circuit explanation
/// is identifiable when the network admits one perfect circuit):
/// - `expect: identifiable, tolerance: τ` is `statistic: fractionWithMultiplePerfect, atMost: τ` —
///   at most a fraction τ of the networks that learned the gate admit more than one perfect circuit;
/// - `expect: not-identifiable, tolerance: τ` is `statistic: fractionWithMultiplePerfect, atLeast: τ`.
///
/// A claim *against a null* (`against: permuted-labels, direction: greater | less`) says the
/// statistic's per-network values are larger (smaller) on the trained networks than on the
/// audit's null networks (``IdentifiabilityNullSpec``), judged by a one-sided permutation test
/// (``IdentifiabilityVerdictRule/againstNull(trained:null:direction:alpha:test:)``).
///
/// The verdict is ``IdentifiabilityVerdictRule``'s.
public struct IdentifiabilityClaimSpec: Sendable, Codable, Equatable {
    public var name: String
    public var statistic: IdentifiabilityStatistic
    public var comparison: Comparison
    public var threshold: Double
    /// The widths the claim is about (all the audit's widths when absent).
    public var widths: [Int]?
    /// The shorthand the claim was written with, if any (kept for the report's wording).
    public var expect: Expectation?
    /// The null the claim compares with (nil: a threshold claim); `comparison` is then `atLeast`
    /// for `direction: greater` and `atMost` for `less`, `threshold` 0 (the difference in means).
    public var against: IdentifiabilityNullSpec.Kind?

    /// Which side of the threshold the claim puts the statistic on.
    public enum Comparison: String, Sendable, Codable, CaseIterable {
        case atMost, atLeast
    }

    public enum Expectation: String, Sendable, Codable, CaseIterable {
        case identifiable
        case notIdentifiable = "not-identifiable"
    }

    /// The tolerance of the shorthands when none is given.
    public static let defaultTolerance = 0.05

    enum CodingKeys: String, CodingKey, CaseIterable { case name, expect, tolerance, statistic, atMost, atLeast, widths, against, direction }

    public init(name: String, statistic: IdentifiabilityStatistic, comparison: Comparison, threshold: Double, widths: [Int]? = nil,
                expect: Expectation? = nil, against: IdentifiabilityNullSpec.Kind? = nil) {
        self.name = name; self.statistic = statistic; self.comparison = comparison; self.threshold = threshold
        self.widths = widths; self.expect = expect; self.against = against
    }

    /// The claimed direction of a claim against a null: the trained networks' mean is greater
    /// (`atLeast`) or less (`atMost`) than the null networks'.
    public var direction: Alternative { comparison == .atLeast ? .greater : .less }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let field = SpecError.path(decoder.codingPath)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        widths = try c.decodeIfPresent([Int].self, forKey: .widths)
        let atMost = try c.decodeIfPresent(Double.self, forKey: .atMost)
        let atLeast = try c.decodeIfPresent(Double.self, forKey: .atLeast)
        let tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance)
        if let a = try c.decodeIfPresent(String.self, forKey: .against) {
            guard let kind = IdentifiabilityNullSpec.Kind(rawValue: a) else {
                let names = IdentifiabilityNullSpec.Kind.allCases.map(\.rawValue)
                var m = "unknown null '\(a)'"
                if let s = nearestName(to: a, in: names) { m += "; did you mean '\(s)'?" }
                throw SpecError(field: field + ".against", m + " (allowed: \(names.joined(separator: ", ")))")
            }
            guard !c.contains(.expect), tolerance == nil, atMost == nil, atLeast == nil else {
                throw SpecError(field: field + ".against", "a claim against a null takes 'statistic' and 'direction' (greater or less), not 'expect', 'tolerance', 'atMost' or 'atLeast'")
            }
            guard let d = try c.decodeIfPresent(String.self, forKey: .direction) else {
                throw SpecError(field: field + ".direction", "expected 'greater' or 'less' with 'against'")
            }
            guard d == "greater" || d == "less" else {
                throw SpecError(field: field + ".direction", "expected 'greater' or 'less', found '\(d)'")
            }
            guard let s = try c.decodeIfPresent(String.self, forKey: .statistic) else {
                throw SpecError(field: field + ".statistic", "expected the statistic compared with the null")
            }
            statistic = try Self.statistic(s, field: field)
            against = kind
            expect = nil
            comparison = d == "greater" ? .atLeast : .atMost
            threshold = 0
            return
        }
        against = nil
        guard !c.contains(.direction) else {
            throw SpecError(field: field + ".direction", "'direction' goes with 'against' (a claim against a null)")
        }
        if let e = try c.decodeIfPresent(String.self, forKey: .expect) {
            guard let expectation = Expectation(rawValue: e) else {
                let names = Expectation.allCases.map(\.rawValue)
                var m = "unknown expectation '\(e)'"
                if let s = nearestName(to: e, in: names) { m += "; did you mean '\(s)'?" }
                throw SpecError(field: field + ".expect", m + " (allowed: \(names.joined(separator: ", ")))")
            }
            guard !c.contains(.statistic), atMost == nil, atLeast == nil else {
                throw SpecError(field: field + ".expect", "give either 'expect' (with 'tolerance') or 'statistic' with 'atMost' or 'atLeast', not both")
            }
            expect = expectation
            statistic = .fractionWithMultiplePerfect
            comparison = expectation == .identifiable ? .atMost : .atLeast
            threshold = tolerance ?? Self.defaultTolerance
            return
        }
        expect = nil
        guard tolerance == nil else {
            throw SpecError(field: field + ".tolerance", "'tolerance' goes with 'expect: identifiable' or 'expect: not-identifiable'; with a statistic use 'atMost' or 'atLeast'")
        }
        guard let s = try c.decodeIfPresent(String.self, forKey: .statistic) else {
            throw SpecError(field: field, "expected 'expect: identifiable | not-identifiable' or a 'statistic' with 'atMost' or 'atLeast'")
        }
        statistic = try Self.statistic(s, field: field)
        switch (atMost, atLeast) {
        case (let x?, nil): comparison = .atMost; threshold = x
        case (nil, let x?): comparison = .atLeast; threshold = x
        case (nil, nil), (_?, _?):
            throw SpecError(field: field, "expected exactly one of 'atMost' or 'atLeast' with statistic '\(s)'")
        }
    }

    /// The statistic named `s`, or a one-line error naming the nearest.
    static func statistic(_ s: String, field: String) throws -> IdentifiabilityStatistic {
        guard let parsed = IdentifiabilityStatistic(rawValue: s) else {
            let names = IdentifiabilityStatistic.allCases.map(\.rawValue)
            var m = "unknown statistic '\(s)'"
            if let n = nearestName(to: s, in: names) { m += "; did you mean '\(n)'?" }
            throw SpecError(field: field + ".statistic", m + " (allowed: \(names.joined(separator: ", ")))")
        }
        return parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // The form it was written in, so that the encoding decodes back to the same claim.
        try c.encode(name, forKey: .name)
        if let against {
            try c.encode(statistic.rawValue, forKey: .statistic)
            try c.encode(against.rawValue, forKey: .against)
            try c.encode(direction.rawValue, forKey: .direction)
        } else if let expect {
            try c.encode(expect.rawValue, forKey: .expect)
            try c.encode(threshold, forKey: .tolerance)
        } else {
            try c.encode(statistic.rawValue, forKey: .statistic)
            try c.encode(threshold, forKey: comparison == .atMost ? .atMost : .atLeast)
        }
        try c.encodeIfPresent(widths, forKey: .widths)
    }

    func validate(field: String, widths audited: [Int], resamples: Int, circuits: CircuitSearchSpec, null: IdentifiabilityNullSpec?) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw SpecError(field: field + ".name", "expected a name of letters, digits, '-', '_' or '.', found '\(name)'")
        }
        if let against {
            guard null?.kind == against else {
                throw SpecError(field: field + ".against", "the audit has no \(against.rawValue) networks; add 'null: {kind: \(against.rawValue), seeds: N}'")
            }
            guard statistic.isPerNetwork else {
                let names = IdentifiabilityStatistic.allCases.filter(\.isPerNetwork).map(\.rawValue)
                throw SpecError(field: field + ".statistic", "\(statistic.rawValue) is not a mean of per-network values, so it cannot be compared with null networks (allowed: \(names.joined(separator: ", ")))")
            }
        }
        let thresholdField = field + (expect != nil ? ".tolerance" : comparison == .atMost ? ".atMost" : ".atLeast")
        guard threshold.isFinite else { throw SpecError(field: thresholdField, "expected a finite number, found \(threshold)") }
        if statistic.isFraction && against == nil {
            guard threshold > 0 && threshold < 1 else {
                throw SpecError(field: thresholdField, "expected a fraction strictly between 0 and 1 (no finite sample can show a fraction is at most 0 or at least 1), found \(threshold)")
            }
        }
        if let widths {
            guard !widths.isEmpty else { throw SpecError(field: field + ".widths", "expected at least one width") }
            for w in widths where !audited.contains(w) {
                throw SpecError(field: field + ".widths", "width \(w) is not among the audited widths \(audited)")
            }
        }
        if statistic.needsWhatThenWhere && !circuits.whatThenWhere {
            throw SpecError(field: field + ".statistic", "\(statistic.rawValue) is about the candidate formulas and their mappings; set circuits.whatThenWhere: true")
        }
        if statistic.needsGroundings && !circuits.groundings {
            throw SpecError(field: field + ".statistic", "\(statistic.rawValue) is about the groundings of the perfect circuits; set circuits.groundings: true")
        }
        if statistic == .meanResampleOverlap && resamples == 0 {
            throw SpecError(field: field + ".statistic", "meanResampleOverlap compares each seed's network with the same initialization trained on resampled rows; set training.resamples ≥ 1")
        }
    }
}

/// The statistics an identifiability claim can be about, each computed per width over the
/// networks that converged (learned the gate).
public enum IdentifiabilityStatistic: String, Sendable, Codable, CaseIterable {
    /// Fraction of converged networks with more than one perfect circuit (Clopper–Pearson). A
    /// network with none (every proper circuit fails; common at width 2) is explained only by
    /// itself, and counts as unique.
    case fractionWithMultiplePerfect
    /// Mean number of perfect circuits per converged network (BCa bootstrap over seeds).
    case meanPerfectCircuits
    /// Fraction of trained networks that converged (Clopper–Pearson).
    case convergedFraction
    /// Mean over pairs of converged seeds of their circuits' best overlap up to relabeling of
    /// hidden units (bootstrap over seeds).
    case meanBestOverlap
    /// Fraction of pairs of converged seeds that share a circuit identical up to relabeling
    /// (bootstrap over seeds).
    case fractionOfPairsSharingACircuit
    /// Mean over seeds of the best overlap between the circuits of the seed's network and those of
    /// the same initialization trained on resampled rows (bootstrap over seeds).
    case meanResampleOverlap
    /// Fraction of converged networks with more than one explanation — a (perfect circuit,
    /// grounding) pair, ``GroundingStatistics`` — (Clopper–Pearson): identifiability once circuits
    /// are interpreted. A network with no perfect circuit is explained only by itself and counts as
    /// unique, as for ``fractionWithMultiplePerfect``.
    case fractionWithMultipleExplanations
    /// Mean over converged networks with a perfect circuit of the fraction of their perfect
    /// circuits with more than one grounding (BCa bootstrap over seeds).
    case meanFractionOfCircuitsWithMultipleGroundings
    /// Mean over converged networks of log₂ of their number of explanations, in bits — 0 for a
    /// network with at most one (BCa bootstrap over seeds).
    case meanExplanationEntropy
    /// Mean over converged networks of the entropy, in bits, of the circuit of a uniformly drawn
    /// explanation — 0 for a network with at most one perfect circuit (BCa bootstrap over seeds).
    case meanCircuitEntropy
    /// Fraction of converged networks on which more than one candidate formula of the gate has a
    /// minimal mapping (what-then-where, ``WhatThenWhereCensus``; Clopper–Pearson).
    case fractionWithMultipleMappedAlgorithms
    /// Mean number of candidate formulas with a minimal mapping per converged network (BCa).
    case meanMappedAlgorithms
    /// Mean number of minimal mappings, over all candidate formulas, per converged network (BCa).
    case meanMinimalMappings

    /// Whether the statistic is a proportion in [0, 1] (thresholds must then lie strictly inside).
    public var isFraction: Bool {
        switch self {
        case .meanPerfectCircuits, .meanExplanationEntropy, .meanCircuitEntropy, .meanMappedAlgorithms, .meanMinimalMappings: false
        default: true
        }
    }

    /// Whether its interval comes from Clopper–Pearson (independent networks, exact) rather than the bootstrap.
    public var isBinomial: Bool {
        self == .fractionWithMultiplePerfect || self == .convergedFraction || self == .fractionWithMultipleExplanations
            || self == .fractionWithMultipleMappedAlgorithms
    }

    /// Whether it is a mean of one value per network, so that trained and null networks can be
    /// compared by a two-sample permutation test. The what-then-where statistics are not: the
    /// candidate formulas of a permuted gate are not those of the gate.
    public var isPerNetwork: Bool {
        switch self {
        case .fractionWithMultiplePerfect, .meanPerfectCircuits, .fractionWithMultipleExplanations,
             .meanFractionOfCircuitsWithMultipleGroundings, .meanExplanationEntropy, .meanCircuitEntropy: true
        default: false
        }
    }

    /// Whether it needs the what-then-where census (`circuits.whatThenWhere: true`).
    public var needsWhatThenWhere: Bool {
        self == .fractionWithMultipleMappedAlgorithms || self == .meanMappedAlgorithms || self == .meanMinimalMappings
    }

    /// Whether it needs the perfect circuits grounded (`circuits.groundings: true`).
    public var needsGroundings: Bool {
        switch self {
        case .fractionWithMultipleExplanations, .meanFractionOfCircuitsWithMultipleGroundings, .meanExplanationEntropy, .meanCircuitEntropy: true
        default: false
        }
    }
}
