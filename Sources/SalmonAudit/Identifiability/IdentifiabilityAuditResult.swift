import Foundation
import SalmonMethods
import SalmonStatistics

/// Everything an identifiability audit found, from which every report is rendered: per width,
/// every network (seed, resample, convergence, perfect and minimal circuit counts), the
/// distribution of perfect-circuit counts with intervals, the fraction of networks with more than
/// one perfect circuit with its Clopper–Pearson interval, the cross-seed overlap of circuits up to
/// relabeling of hidden units, and the overlap with resampled-data networks; per claim and width
/// the verdict; and the provenance needed to reproduce it.
///
/// Values that can be undefined (an interval of one network, a mean over no pair) are optional,
/// never NaN, so the JSON is always valid; ``notes`` says why a value is absent. Nothing in it
/// depends on timing or on the number of workers (``run``, written to `run.json`, says how it ran), so two runs of a spec
/// give the same result.
public struct IdentifiabilityAuditResult: Sendable, Codable, Equatable {
    /// The JSON schema identifier; bumped on any incompatible change.
    public static let schemaIdentifier = "deadsalmon.identifiability-result/2"

    public var schema: String
    public var name: String
    public var spec: IdentifiabilitySpec
    public var provenance: IdentifiabilityProvenance
    public var widths: [WidthResult]
    public var claims: [ClaimResult]
    public var notes: [String]
    /// How this run was carried out (`run.json`, not `results.json`); nil when read back.
    public var run: RunEnvironment?

    enum CodingKeys: String, CodingKey {
        case schema, name, spec, provenance, widths, claims, notes
    }

    /// Whether every claim is supported at every width it names (the gate's exit 0).
    public var allClaimsHold: Bool { claims.allSatisfy(\.holds) }

    /// One trained network.
    public struct Network: Sendable, Codable, Equatable {
        public var width: Int
        /// The initialization seed index s.
        public var seed: Int
        /// The bootstrap resample of the training rows it was trained on; nil for the rows themselves.
        public var resample: Int?
        public var epochs: Int
        /// The final training loss; nil when it was not finite.
        public var finalLoss: Double?
        /// Reached the loss target and computes the gate on every validation row.
        public var converged: Bool
        /// Perfect circuits (exact, all candidates enumerated); nil when not converged.
        public var perfectCircuits: Double?
        /// Minimal perfect circuits; nil when not converged or when more perfect circuits than the
        /// enumerator keeps (200,000) made minimality impossible to check.
        public var minimalCircuits: Int?
        /// The circuits that entered the cross-network comparison, and whether they were a sample.
        public var comparedCircuits: Int?
        public var comparedCircuitsSampled: Bool
        /// The groundings of its perfect circuits (with `circuits.groundings`; nil when not
        /// converged).
        public var groundings: GroundingStatistics?
        /// Its candidate formulas and their minimal mappings (with `circuits.whatThenWhere`; nil
        /// when not converged).
        public var whatThenWhere: WhatThenWhereCensus?
        /// The truth table it was trained on when it is not the gate's (a permuted-labels null
        /// network), outputs on (0, 0), (0, 1), (1, 0), (1, 1).
        public var labels: [Int]? = nil
    }

    /// The best overlap of two networks' circuits, up to relabeling of hidden units.
    public struct PairOverlap: Sendable, Codable, Equatable {
        /// Seed indices (for resample pairs: the seed, and the resample in `resample`).
        public var first: Int
        public var second: Int
        public var resample: Int?
        public var best: Double
        public var sharesCircuit: Bool
    }

    /// A statistic with its interval (at ``IdentifiabilityResamplingSpec/level``).
    public struct Estimate: Sendable, Codable, Equatable {
        public var value: Double?
        public var interval: ConfidenceInterval?
        /// `clopper-pearson` or `bca-bootstrap-over-seeds`.
        public var method: String
        /// Units behind it (networks, or seeds for pair statistics).
        public var units: Int
    }

    /// One width's networks and summaries.
    public struct WidthResult: Sendable, Codable, Equatable {
        public var width: Int
        public var sizes: [Int]
        public var candidateCircuits: Double
        public var networks: [Network]
        /// Seed networks trained on the rows themselves (resampled ones are counted apart).
        public var trained: Int
        public var converged: Int
        public var convergedFraction: Estimate
        public var medianPerfect: Double?
        /// First and third quartiles (type 7) of the perfect-circuit counts over converged seeds.
        public var quartiles: [Double]?
        public var meanPerfect: Estimate
        /// Converged seed networks with more than one perfect circuit.
        public var withMultiplePerfect: Int
        public var fractionWithMultiplePerfect: Estimate
        /// Which circuits the overlaps compare (`minimal` or `perfect`).
        public var overlapCircuits: String
        /// Every pair of converged seed networks.
        public var seedPairs: [PairOverlap]
        public var meanBestOverlap: Estimate
        public var fractionOfPairsSharingACircuit: Estimate
        /// Seed network against the same initialization trained on each resample (empty without resamples).
        public var resamplePairs: [PairOverlap]
        public var meanResampleOverlap: Estimate
        /// Perfect-circuit counts of the converged resampled networks, median (nil without any).
        public var medianResamplePerfect: Double?
        /// The groundings' summaries (nil unless `circuits.groundings`).
        public var groundings: GroundingSummary?
        /// The null networks (with `null`), in seed order; nil without a null.
        public var nullNetworks: [Network]? = nil
        /// The what-then-where summaries (nil unless `circuits.whatThenWhere`).
        public var whatThenWhere: WhatThenWhereSummary?
    }

    /// One width's candidate algorithms over its converged seed networks (``WhatThenWhereCensus``).
    public struct WhatThenWhereSummary: Sendable, Codable, Equatable {
        public var candidateFormulas: Int
        /// Converged seed networks with more than one mapped formula.
        public var withMultipleMappedAlgorithms: Int
        public var fractionWithMultipleMappedAlgorithms: Estimate
        public var meanMappedAlgorithms: Estimate
        public var meanMinimalMappings: Estimate
    }

    /// One width's explanations — (perfect circuit, grounding) pairs — over its converged seed
    /// networks (``IdentifiabilityStatistic``'s grounding statistics).
    public struct GroundingSummary: Sendable, Codable, Equatable {
        /// Median number of explanations per converged network.
        public var medianExplanations: Double?
        /// Converged seed networks with more than one explanation.
        public var withMultipleExplanations: Int
        public var fractionWithMultipleExplanations: Estimate
        public var meanFractionOfCircuitsWithMultipleGroundings: Estimate
        public var meanExplanationEntropy: Estimate
        public var meanCircuitEntropy: Estimate
        /// Networks whose circuits were grounded on a sample (bottom-k of `circuits.groundingSample`).
        public var sampledNetworks: Int
    }

    /// One claim at one width.
    public struct ClaimResult: Sendable, Codable, Equatable {
        public var claim: String
        public var width: Int
        public var statistic: IdentifiabilityStatistic
        public var comparison: IdentifiabilityClaimSpec.Comparison
        public var threshold: Double
        public var expect: IdentifiabilityClaimSpec.Expectation?
        public var estimate: Double?
        /// The interval at level 1 − 2α whose ends are the one-sided bounds the verdict reads.
        public var bounds: ConfidenceInterval?
        public var verdict: IdentifiabilityVerdict
        public var holds: Bool
        /// What the verdict rests on (reports say it in words).
        public var basis: Basis
        /// Against a null: the null networks' mean, and the one-sided permutation p-values in the
        /// claimed and the opposite direction (nil for threshold claims).
        public var nullEstimate: Double? = nil
        public var pValue: Double? = nil
        public var oppositePValue: Double? = nil
    }

    /// What an identifiability verdict rests on: the counts behind a Clopper–Pearson bound, the
    /// seeds behind a bootstrap, or why there are no bounds. Reports compose the sentence
    /// (`SalmonReports.IdentifiabilityProse`); the audit composes none.
    public struct Basis: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable, CaseIterable {
            /// A fraction of networks: `count` of `of` (Clopper–Pearson bounds).
            case counted
            /// No network converged, so there is nothing to count.
            case noneConverged
            /// A bootstrap over `count` seeds (the statistic's units).
            case seeds
            /// Only `count` seeds, fewer than ``IdentifiabilityVerdictRule/minimumBootstrapSeeds``: no verdict.
            case tooFewSeeds
            /// The bootstrap over `count` seeds is degenerate; `diagnostic` says how.
            case degenerate
            /// A permutation test of `count` trained against `of` null networks (no test with fewer
            /// than 2 in either group).
            case againstNull
        }
        public var kind: Kind
        public var count: Int
        /// For ``Kind/counted``: the number of networks counted.
        public var of: Int?
        /// For ``Kind/degenerate``: the bootstrap's first diagnostic.
        public var diagnostic: String?

        public init(_ kind: Kind, count: Int = 0, of: Int? = nil, diagnostic: String? = nil) {
            self.kind = kind
            self.count = count
            self.of = of
            self.diagnostic = diagnostic
        }
    }
}

/// How an identifiability result can be reproduced (DESIGN.md, "Provenance").
public struct IdentifiabilityProvenance: Sendable, Codable, Equatable {
    public var package: String
    public var packageVersion: String
    public var masterSeed: UInt64
    public var generator: String
    public var streamDerivation: String
    /// The streams every draw came from, as paths below the master seed.
    public var streams: [String]
    public var specHash: String
    /// FNV-1a of the training rows (before any resampling) as Float32 bits.
    public var dataHash: String
    public var networks: Int
}
